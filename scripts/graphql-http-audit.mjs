// Runs every server audit of graphql-http (the GraphQL over HTTP reference implementation's
// conformance suite) against the URL given as the first argument, prints each audit that is not
// "ok" with its reason, then the counts, and exits 1 if any audit is an error, a warning or a
// notice. Started by scripts/graphql-http-audit.sh, which installs graphql-http and the server.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql-http-audit.mjs http://127.0.0.1:PORT/query');
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status]++;
  if (result.status !== 'ok') {
    let body = '';
    try {
      body = await result.response.text();
    } catch {
      // the body was already read by the audit
    }
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}\n  ${result.reason}` +
      `\n  HTTP ${result.response.status} ${result.response.headers.get('content-type')}` +
      (body ? `\n  ${body.slice(0, 300)}` : ''));
  }
}
console.log(`graphql-http audits: ${counts.ok} pass, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} fail`);
process.exit(counts.error + counts.warn + counts.notice > 0 ? 1 : 0);
