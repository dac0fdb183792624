package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

// errorCounter is a slog handler that discards records and counts those at error level:
// the handler logs every INTERNAL_SERVER_ERROR and every recovered panic at that level.
type errorCounter struct{ n *atomic.Int64 }

func (c errorCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (c errorCounter) Handle(context.Context, slog.Record) error    { c.n.Add(1); return nil }
func (c errorCounter) WithAttrs([]slog.Attr) slog.Handler           { return c }
func (c errorCounter) WithGroup(string) slog.Handler                { return c }

// FuzzQuery sends arbitrary bodies through the production handler on a seeded SQLite
// database: no body may yield a 5xx, a panic, an internal error (logged at error level) or a
// driver's words. The seed corpus is testdata/fuzz/FuzzQuery (attacks from the attack suite,
// the cluster page, malformed JSON, batches); CI runs it briefly after the tests (.ci/run).
func FuzzQuery(f *testing.F) {
	env := testenv.Seeded(f, testenv.SQLite)
	var errs atomic.Int64
	h := env.HandlerWith(f, func(o *httpserver.Options) {
		o.Logger = slog.New(errorCounter{&errs})
		o.Limits.RatePoints = 1 << 30
	})
	f.Add([]byte(`{"query":"{ roles(first: 2) { edges { node { title } } } }"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		before := errs.Load()
		req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/graphql-response+json, application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		out, _ := io.ReadAll(rec.Body)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, out)
		}
		if n := errs.Load() - before; n > 0 {
			t.Fatalf("%d internal errors logged for %q: %s", n, body, out)
		}
		for _, w := range driverWords {
			if strings.Contains(string(out), w) && !bytes.Contains(body, []byte(w)) {
				t.Fatalf("driver words %q in the answer to %q: %s", w, body, out)
			}
		}
		if !json.Valid(out) {
			t.Fatalf("answer is not JSON for %q: %s", body, out)
		}
	})
}
