// careergraph's playground: mounts GraphiQL, served from this binary like React, with the
// README's example operations as tabs and the header editor open for a bearer token. It lives
// in its own file (no inline script) so the page's Content-Security-Policy can forbid inline
// scripts.
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  // The headers hint each tab starts with. The server refuses a request with a malformed token
  // as a whole, so the placeholder itself is never sent: requests go out anonymous until a real
  // token replaces it.
  var placeholder = 'Bearer <token>';
  var headersHint = JSON.stringify({ Authorization: placeholder }, null, 2);

  function fetchWithoutPlaceholder(url, init) {
    var headers = new Headers((init && init.headers) || {});
    if (headers.get('Authorization') === placeholder) {
      headers.delete('Authorization');
    }
    return window.fetch(url, Object.assign({}, init, { headers: headers }));
  }

  var fetcher = GraphiQL.createFetcher({
    url: new URL(root.dataset.endpoint, window.location.href).href,
    fetch: fetchWithoutPlaceholder,
  });

  function mount(examples) {
    var tabs = examples.map(function (e) {
      return {
        query: e.query,
        variables: e.variables ? JSON.stringify(e.variables, null, 2) : undefined,
        headers: headersHint,
      };
    });
    ReactDOM.createRoot(root).render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultTabs: tabs.length ? tabs : undefined,
        defaultHeaders: headersHint,
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: 'headers',
        // Tokens stay out of localStorage.
        shouldPersistHeaders: false,
      }),
    );
  }

  window
    .fetch(root.dataset.examples)
    .then(function (res) {
      if (!res.ok) {
        throw new Error('examples: HTTP ' + res.status);
      }
      return res.json();
    })
    .catch(function (err) {
      console.error('careergraph playground: no example tabs:', err);
      return [];
    })
    .then(mount);
})();
