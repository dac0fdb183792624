package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/importrun"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

const uploadMutation = `mutation($file: Upload!, $source: String!) { importUpload(file: $file, source: $source, full: true) { ` + runFields + ` } }`

// multipartBody builds a GraphQL multipart request (the spec's operations, map, then the
// files, each named by its map key).
func multipartBody(t *testing.T, query string, vars map[string]any, fileMap map[string][]string, files map[string][]byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	ops, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	require.NoError(t, mw.WriteField("operations", string(ops)))
	m, err := json.Marshal(fileMap)
	require.NoError(t, err)
	require.NoError(t, mw.WriteField("map", string(m)))
	for key := range fileMap {
		fw, err := mw.CreateFormFile(key, key+".jsonl")
		require.NoError(t, err)
		_, err = fw.Write(files[key])
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

func uploadRequest(t *testing.T, token string, body io.Reader, contentType string, length int64) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/query", body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.ContentLength = length
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// TestImportUploadThroughTheAPI: an editor uploads a JSON Lines feed with a real GraphQL
// multipart request; the run is QUEUED, River works it from the stored document, the run
// ends SUCCEEDED with the counts and the reject's position, and the stored document is gone.
func TestImportUploadThroughTheAPI(t *testing.T) {
	feed, err := os.ReadFile("../internal/importer/testdata/broken.jsonl")
	require.NoError(t, err)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		events := workers(t, env, false)
		_, token := env.User(t, "editor@example.com", "EDITOR")
		body, ct := multipartBody(t, uploadMutation, map[string]any{"file": nil, "source": "uploads"},
			map[string][]string{"0": {"variables.file"}}, map[string][]byte{"0": feed})
		resp := testenv.Do(t, h, uploadRequest(t, token, body, ct, int64(body.Len())))
		var got struct{ ImportUpload importRun }
		resp.MustData(t, &got)
		assert.Equal(t, "QUEUED", got.ImportUpload.Status)
		assert.Equal(t, []string{"upload 0.jsonl"}, got.ImportUpload.Inputs)
		awaitImport(t, events)

		run := env.DB.Client.ImportRun.Query().OnlyX(ctx)
		assert.Equal(t, importrun.StatusSUCCEEDED, run.Status, "error: %v", run.Error)
		assert.Equal(t, []int{10, 2, 8}, []int{run.Read, run.Created, run.Rejected})
		require.NotEmpty(t, run.Rejects)
		assert.Equal(t, "upload 0.jsonl", run.Rejects[0].Document)
		assert.Equal(t, "line 2", run.Rejects[0].Position)
		assert.Equal(t, 2, env.DB.Client.Opening.Query().Where(opening.Source("import:uploads")).CountX(ctx))
		assert.Zero(t, env.DB.Client.ImportUpload.Query().CountX(ctx), "the stored document is deleted when the run ends")
	})
}

// TestUploadRefusals plays the attacker against the multipart transport: every refusal comes
// before a file is read or stored, with a clear code.
func TestUploadRefusals(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		h := env.HandlerWith(t, func(o *httpserver.Options) {
			o.Limits.MaxUploadBytes = 64 << 10
		})
		_, token := env.User(t, "editor@example.com", "EDITOR")
		one := map[string][]string{"0": {"variables.file"}}
		small := []byte(`{"@type":"JobPosting"}` + "\n")
		vars := map[string]any{"file": nil, "source": "attack"}

		t.Run("anonymous", func(t *testing.T) {
			body, ct := multipartBody(t, uploadMutation, vars, one, map[string][]byte{"0": small})
			resp := testenv.Do(t, h, uploadRequest(t, "", body, ct, int64(body.Len())))
			assert.Equal(t, http.StatusUnauthorized, resp.Status)
			assert.Equal(t, "UNAUTHENTICATED", resp.Code())
		})
		t.Run("oversized, declared", func(t *testing.T) {
			big := bytes.Repeat([]byte("x"), 100<<10)
			body, ct := multipartBody(t, uploadMutation, vars, one, map[string][]byte{"0": big})
			resp := testenv.Do(t, h, uploadRequest(t, token, body, ct, int64(body.Len())))
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
			assert.Equal(t, httpserver.CodeBodyTooLarge, resp.Code())
			assert.EqualValues(t, 64<<10, resp.Errors[0].Extensions["maxUploadBytes"])
		})
		t.Run("oversized, chunked", func(t *testing.T) {
			big := bytes.Repeat([]byte("x"), 100<<10)
			body, ct := multipartBody(t, uploadMutation, vars, one, map[string][]byte{"0": big})
			// No Content-Length: the bound is found while the file is read.
			resp := testenv.Do(t, h, uploadRequest(t, token, io.MultiReader(body), ct, -1))
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
			assert.Equal(t, httpserver.CodeBodyTooLarge, resp.Code())
		})
		t.Run("too many files", func(t *testing.T) {
			q := `mutation($a: Upload!, $b: Upload!) { a: importUpload(file: $a, source: "a") { id } b: importUpload(file: $b, source: "b") { id } }`
			body, ct := multipartBody(t, q, map[string]any{"a": nil, "b": nil},
				map[string][]string{"0": {"variables.a"}, "1": {"variables.b"}}, map[string][]byte{"0": small, "1": small})
			resp := testenv.Do(t, h, uploadRequest(t, token, body, ct, int64(body.Len())))
			assert.Equal(t, http.StatusBadRequest, resp.Status)
			assert.Equal(t, httpserver.CodeTooManyFiles, resp.Code())
		})
		t.Run("one file mapped to many variables", func(t *testing.T) {
			q := `mutation($a: Upload!, $b: Upload!) { a: importUpload(file: $a, source: "a") { id } b: importUpload(file: $b, source: "b") { id } }`
			body, ct := multipartBody(t, q, map[string]any{"a": nil, "b": nil},
				map[string][]string{"0": {"variables.a", "variables.b"}}, map[string][]byte{"0": small})
			resp := testenv.Do(t, h, uploadRequest(t, token, body, ct, int64(body.Len())))
			assert.Equal(t, httpserver.CodeTooManyFiles, resp.Code())
		})
		t.Run("operations not first", func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("0", "feed.jsonl")
			_, _ = fw.Write(small)
			require.NoError(t, mw.Close())
			resp := testenv.Do(t, h, uploadRequest(t, token, &buf, mw.FormDataContentType(), int64(buf.Len())))
			assert.Equal(t, http.StatusBadRequest, resp.Status)
			assert.Equal(t, httpserver.CodeMalformedUpload, resp.Code())
		})
		t.Run("operations part too large", func(t *testing.T) {
			q := uploadMutation + strings.Repeat(" ", 80<<10)
			body, ct := multipartBody(t, q, vars, one, map[string][]byte{"0": small})
			hh := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.MaxBodyBytes = 4 << 10 })
			resp := testenv.Do(t, hh, uploadRequest(t, token, body, ct, int64(body.Len())))
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
			assert.Equal(t, httpserver.CodeBodyTooLarge, resp.Code())
		})
		t.Run("an upload costs by its size", func(t *testing.T) {
			// 600 KiB: 10 started 64 KiB, so 1 (the field) + 10 (the file) + 1 (id) = 12 points.
			file := bytes.Repeat([]byte(" "), 600<<10)
			body, ct := multipartBody(t, `mutation($file: Upload!) { importUpload(file: $file, source: "cost") { id } }`,
				map[string]any{"file": nil}, one, map[string][]byte{"0": file})
			hh := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.MaxCost = 10; o.Limits.MaxUploadBytes = 1 << 20 })
			resp := testenv.Do(t, hh, uploadRequest(t, token, body, ct, int64(body.Len())))
			require.Equal(t, "COST_LIMIT_EXCEEDED", resp.Code(), "%s", resp)
			assert.EqualValues(t, 12, resp.Errors[0].Extensions["cost"])
		})
		t.Run("empty file", func(t *testing.T) {
			body, ct := multipartBody(t, `mutation($file: Upload!) { importUpload(file: $file, source: "empty") { id } }`,
				map[string]any{"file": nil}, one, map[string][]byte{"0": []byte("\n")})
			resp := testenv.Do(t, h, uploadRequest(t, token, body, ct, int64(body.Len())))
			assert.Equal(t, "BAD_USER_INPUT", resp.Code(), "%s", resp)
		})
		assert.Zero(t, env.DB.Client.ImportRun.Query().CountX(ctx), "nothing was started")
		assert.Zero(t, env.DB.Client.ImportUpload.Query().CountX(ctx), "nothing was stored")
	})
}
