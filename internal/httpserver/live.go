package httpserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/loader"
	"github.com/careergraph/careergraph/internal/metrics"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/viewer"
)

// Codes and close codes of live updates (README "Live updates").
const (
	// CodeSubscriptionLimit refuses a subscription past the connection's limit.
	CodeSubscriptionLimit = "SUBSCRIPTION_LIMIT_EXCEEDED"
	// CodeTooManyConnections refuses a WebSocket or SSE connection past the client's limit
	// (HTTP 429, before the upgrade).
	CodeTooManyConnections = "TOO_MANY_CONNECTIONS"
	// CodeShuttingDown refuses a new stream while the server drains (HTTP 503), and is the
	// code of the last SSE event a draining server sends.
	CodeShuttingDown = "SERVER_RESTARTING"

	// CloseRestart is the WebSocket close code a draining server sends (RFC 6455 1012,
	// "Service Restart"): reconnect, to this or another replica.
	CloseRestart = 1012
	// CloseUnauthorized closes a connection whose connection_init token is bad
	// (graphql-transport-ws uses 4401 Unauthorized).
	CloseUnauthorized = 4401
)

// LiveLimits bound live updates; zero fields take the defaults.
type LiveLimits struct {
	// MaxSubscriptionsPerConnection bounds the subscriptions one WebSocket runs at once
	// (default live.DefaultMaxSubscriptionsPerConnection). An SSE request is one.
	MaxSubscriptionsPerConnection int
	// MaxConnectionsPerClient bounds the WebSocket and SSE connections one client (its
	// address, as rate limits count it) holds open at once (default
	// live.DefaultMaxConnectionsPerClient).
	MaxConnectionsPerClient int
	// Heartbeat is how often an idle connection is pinged: graphql-transport-ws ping
	// messages (a client that does not pong within two intervals is dropped), graphql-ws
	// keep-alives, SSE comments. Default 25s.
	Heartbeat time.Duration
	// InitTimeout is how long a WebSocket may take to send connection_init. Default 10s.
	InitTimeout time.Duration
}

func (l LiveLimits) withDefaults() LiveLimits {
	if l.MaxSubscriptionsPerConnection == 0 {
		l.MaxSubscriptionsPerConnection = live.DefaultMaxSubscriptionsPerConnection
	}
	if l.MaxConnectionsPerClient == 0 {
		l.MaxConnectionsPerClient = live.DefaultMaxConnectionsPerClient
	}
	if l.Heartbeat == 0 {
		l.Heartbeat = 25 * time.Second
	}
	if l.InitTimeout == 0 {
		l.InitTimeout = 10 * time.Second
	}
	return l
}

// Streams tracks the long-lived connections (WebSocket and SSE) of one server: it limits them
// per client and, at shutdown, tells each to reconnect (Drain).
type Streams struct {
	mu        sync.Mutex
	perClient map[string]int
	open      map[*stream]bool
	draining  atomic.Bool
	idle      chan struct{} // closed when open becomes empty while draining
	metrics   *metrics.Metrics
}

type stream struct {
	kind string
	stop func() // tells the client to reconnect and ends the stream
}

// NewStreams returns an empty tracker.
func NewStreams() *Streams {
	return &Streams{perClient: map[string]int{}, open: map[*stream]bool{}}
}

// Open is the number of open streams.
func (s *Streams) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

// Drain refuses new streams and tells every open one to reconnect: WebSockets are closed with
// CloseRestart, SSE streams get a last event with CodeShuttingDown and end. It returns when
// all have closed or ctx ends. Call it before http.Server.Shutdown, which does not wait for
// WebSockets and would wait for SSE streams until its deadline.
func (s *Streams) Drain(ctx context.Context) error {
	s.mu.Lock()
	s.draining.Store(true)
	if s.idle == nil {
		s.idle = make(chan struct{})
		if len(s.open) == 0 {
			close(s.idle)
		}
	}
	idle := s.idle
	var stops []func()
	for st := range s.open {
		stops = append(stops, st.stop)
	}
	s.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("live: %d stream(s) still open: %w", s.Open(), ctx.Err())
	}
}

// streamKind says whether r opens a stream: "websocket", "sse", or "".
func streamKind(r *http.Request) string {
	switch {
	case strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
		return "websocket"
	case r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream"):
		return "sse"
	}
	return ""
}

// gate admits a stream when its client has fewer than max open and the server is not
// draining, lifts the server's read and write timeouts for it, and registers it for Drain.
// Other requests pass.
func (s *Streams) gate(max int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := streamKind(r)
		if kind == "" {
			next.ServeHTTP(w, r)
			return
		}
		if s.draining.Load() {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, CodeShuttingDown,
				"the server is restarting: connect again (another replica will take the connection)", nil)
			return
		}
		key := viewer.From(r.Context()).ClientKey()
		s.mu.Lock()
		if s.perClient[key] >= max {
			s.mu.Unlock()
			writeError(w, http.StatusTooManyRequests, CodeTooManyConnections,
				fmt.Sprintf("too many live connections from this client: at most %d at once; close one (one WebSocket carries up to many subscriptions)", max),
				map[string]any{"maxConnections": max})
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		st := &stream{kind: kind}
		var sw *sseWriter
		if kind == "sse" {
			sw = &sseWriter{ResponseWriter: w}
			w = sw
			st.stop = func() {
				sw.final(CodeShuttingDown, "the server is restarting: subscribe again (another replica will take it)")
				cancel()
			}
		} else {
			st.stop = cancel // the transport closes the socket, with CloseRestart (restartCode)
		}
		s.perClient[key]++
		s.open[st] = true
		s.mu.Unlock()
		s.metrics.LiveConnection(kind, 1)
		defer func() {
			cancel()
			s.mu.Lock()
			if s.perClient[key]--; s.perClient[key] <= 0 {
				delete(s.perClient, key)
			}
			delete(s.open, st)
			if s.idle != nil && len(s.open) == 0 {
				select {
				case <-s.idle:
				default:
					close(s.idle)
				}
			}
			s.mu.Unlock()
			s.metrics.LiveConnection(kind, -1)
		}()
		// A stream lives past the server's ReadTimeout and WriteTimeout; heartbeats find dead
		// peers instead.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// sseWriter lets Drain write a last event between the transport's: it serialises writes and
// flushes through the wrappers beneath it.
type sseWriter struct {
	http.ResponseWriter
	mu     sync.Mutex
	closed bool
}

func (w *sseWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return len(b), nil // after the last event nothing more is sent
	}
	return w.ResponseWriter.Write(b)
}

func (w *sseWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *sseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// final writes a last `next` event carrying an error with code, then ignores further writes.
func (w *sseWriter) final(code, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.closed = true
	_, _ = fmt.Fprintf(w.ResponseWriter, "event: next\ndata: {\"errors\":[{\"message\":%q,\"extensions\":{\"code\":%q}}]}\n\nevent: complete\n\n", msg, code)
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// restartingWS closes WebSockets with CloseRestart while the server drains.
type restartingWS struct {
	transport.CoderWebsocketImplementation
	streams *Streams
}

func (i restartingWS) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := i.CoderWebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return &restartConn{WebsocketConn: c, streams: i.streams}, nil
}

type restartConn struct {
	transport.WebsocketConn
	streams *Streams
}

func (c *restartConn) WriteClose(code int, msg string) error {
	if c.streams.draining.Load() && code == transport.WebsocketCloseNormalClosure {
		code, msg = CloseRestart, "server restarting: reconnect"
	}
	return c.WebsocketConn.WriteClose(code, msg)
}

func (c *restartConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *restartConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// subsKey holds a WebSocket's count of running subscriptions.
type subsKey struct{}

// liveTransports are the subscription transports: WebSocket (graphql-transport-ws, and the
// older graphql-ws) and SSE.
func liveTransports(o Options) []graphql.Transport {
	l := o.LiveLimits
	return []graphql.Transport{
		transport.Websocket{
			Implementation: restartingWS{
				CoderWebsocketImplementation: transport.CoderWebsocketImplementation{
					AcceptOptions: coderws.AcceptOptions{OriginPatterns: originPatterns(o.CORSOrigins)},
				},
				streams: o.Streams,
			},
			InitFunc:              wsInit(o.Client, o.Accounts),
			InitTimeout:           l.InitTimeout,
			PingPongInterval:      l.Heartbeat,
			KeepAlivePingInterval: l.Heartbeat,
			// Client messages are small (a subscribe with its document); the body limit applies.
			PayloadReadLimit: &o.Limits.MaxBodyBytes,
			ErrorFunc: func(ctx context.Context, err error) {
				o.Logger.DebugContext(ctx, "websocket", "err", err)
			},
		},
		transport.SSE{KeepAlivePingInterval: l.Heartbeat},
	}
}

// originPatterns are the browser origins allowed to open a WebSocket: the CORS origins' hosts
// (same-origin pages are always allowed).
func originPatterns(origins []string) []string {
	var out []string
	for _, o := range origins {
		if o == "*" {
			return []string{"*"}
		}
		if _, host, ok := strings.Cut(o, "://"); ok {
			out = append(out, host)
		}
	}
	return out
}

// wsInit authenticates a WebSocket from its connection_init payload, the way authenticate does
// a request from its header: {"Authorization": "Bearer <token>"} (or "authorization"). A bad
// token closes the connection with CloseUnauthorized; no token keeps the viewer of the upgrade
// request (anonymous, or signed in by an Authorization header on it).
func wsInit(client *ent.Client, acc *accounts.Service) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		ctx = context.WithValue(ctx, subsKey{}, new(atomic.Int32))
		h := p.Authorization()
		if h == "" {
			return ctx, nil, nil
		}
		refuse := func(msg string) (context.Context, *transport.InitPayload, error) {
			ctx = transport.WithWebsocketCloseCode(ctx, CloseUnauthorized)
			return transport.AppendCloseReason(ctx, "Unauthorized"), nil, fmt.Errorf("%s: %s", apperr.CodeUnauthorized, msg)
		}
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return refuse("send the token as {\"Authorization\": \"Bearer <token>\"} in connection_init")
		}
		tok, u, err := acc.Authenticate(ctx, client, strings.TrimSpace(token))
		if err != nil {
			if ae, ok := apperr.As(err); ok {
				return refuse(ae.Message)
			}
			return refuse("the token could not be checked; try again")
		}
		v := viewer.From(ctx)
		v.UserID, v.Role, v.TokenID = u.ID, string(u.Role), tok.ID
		return viewer.With(ctx, v), nil, nil
	}
}

// subscriptions applies to subscription operations what the HTTP layer does for a request:
// the limit per connection, and the rate-limit charge for the operation's cost (once, when it
// starts; its events are free). The document limits and the cost bound have run already, as
// for any operation. Each event gets fresh batch loaders, so that it reads the database as it
// is then.
type subscriptions struct {
	max    int
	rl     RateLimit
	client *ent.Client
	vocab  *skills.Cache
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = subscriptions{}

func (subscriptions) ExtensionName() string                   { return "Subscriptions" }
func (subscriptions) Validate(graphql.ExecutableSchema) error { return nil }

func isSubscription(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Subscription
}

func refuse(code, msg string, ext map[string]any) graphql.ResponseHandler {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["code"] = code
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: ext}}})
}

func (s subscriptions) InterceptOperation(ctx context.Context, next graphql.OperationHandler) (handler graphql.ResponseHandler) {
	if !isSubscription(ctx) {
		return next(ctx)
	}
	if n, ok := ctx.Value(subsKey{}).(*atomic.Int32); ok {
		if n.Add(1) > int32(s.max) {
			n.Add(-1)
			return refuse(CodeSubscriptionLimit,
				fmt.Sprintf("this connection runs the maximum of %d subscriptions: stop one first", s.max),
				map[string]any{"maxSubscriptions": s.max})
		}
		var once sync.Once
		release := func() { once.Do(func() { n.Add(-1) }) }
		context.AfterFunc(ctx, release)
		defer func() {
			// Released when the stream ends (before the transport says complete), so that a
			// client that saw complete may subscribe again at once.
			h := handler
			handler = func(ctx context.Context) *graphql.Response {
				r := h(ctx)
				if r == nil {
					release()
				}
				return r
			}
		}()
	}
	if st, _ := ctx.Value(rateKey{}).(*rateState); st != nil {
		st.mu.Lock()
		st.charged = true // charged here, not at the first event
		st.mu.Unlock()
	}
	cost, _ := gqlext.CostOf(ctx)
	points := PointsFor(cost)
	res, err := s.rl.Store.Take(ctx, viewer.From(ctx).RateKey(), points, s.rl.Points, s.rl.Window)
	if err != nil {
		s.rl.Logger.ErrorContext(ctx, "rate limit store", "err", err) // serve without a budget
	} else if !res.Allowed {
		s.rl.Metrics.RateLimited()
		return refuse(CodeRateLimited,
			fmt.Sprintf("rate limit exceeded: this subscription costs %d points and %d of %d are left; retry in %d seconds", points, res.Remaining, res.Limit, retryAfter(res)),
			map[string]any{"retryAfterSeconds": retryAfter(res)})
	}
	return next(ctx)
}

// InterceptResponse gives each event of a subscription fresh loaders.
func (s subscriptions) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if isSubscription(ctx) {
		ctx = loader.WithLoaders(ctx, loader.New(s.client, s.vocab))
	}
	return next(ctx)
}
