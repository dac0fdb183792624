package gqlext

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

const (
	registeredQuery = "query Viewer { viewer { id name } }"
	otherQuery      = "query Roles { roles(first: 5) { totalCount } }"
)

func writeManifest(t *testing.T, m map[string]string) string {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "operations.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

func TestLoadManifest(t *testing.T) {
	h := QueryHash(registeredQuery)
	require.Len(t, h, 64)

	m, err := LoadManifest(writeManifest(t, map[string]string{h: registeredQuery}))
	require.NoError(t, err)
	assert.Equal(t, Manifest{h: registeredQuery}, m)

	m, err = LoadManifest(writeManifest(t, map[string]string{strings.ToUpper(h): registeredQuery}))
	require.NoError(t, err)
	assert.Equal(t, Manifest{h: registeredQuery}, m, "keys are normalised to lowercase")

	_, err = LoadManifest(writeManifest(t, map[string]string{h: otherQuery}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not the SHA-256 of its query")

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`["not", "an", "object"]`), 0o600))
	_, err = LoadManifest(bad)
	assert.Error(t, err)

	_, err = LoadManifest(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestAllowlist(t *testing.T) {
	ctx := context.Background()
	a := Allowlist{Enabled: true, Manifest: Manifest{QueryHash(registeredQuery): registeredQuery}}
	hashOnly := func(hash string) *graphql.RawParams {
		return &graphql.RawParams{Extensions: map[string]any{
			"persistedQuery": map[string]any{"version": float64(1), "sha256Hash": hash},
		}}
	}
	t.Run("registered text passes unchanged", func(t *testing.T) {
		p := &graphql.RawParams{Query: registeredQuery}
		require.Nil(t, a.MutateOperationParameters(ctx, p))
		assert.Equal(t, registeredQuery, p.Query)
	})

	t.Run("hash of a registered operation fills in the text", func(t *testing.T) {
		p := hashOnly(QueryHash(registeredQuery))
		require.Nil(t, a.MutateOperationParameters(ctx, p))
		assert.Equal(t, registeredQuery, p.Query)

		p = hashOnly(strings.ToUpper(QueryHash(registeredQuery)))
		require.Nil(t, a.MutateOperationParameters(ctx, p))
		assert.Equal(t, registeredQuery, p.Query)
	})

	t.Run("unregistered text is refused", func(t *testing.T) {
		err := a.MutateOperationParameters(ctx, &graphql.RawParams{Query: otherQuery})
		require.NotNil(t, err)
		assert.Equal(t, CodePersistedQueryNotAllowed, err.Extensions["code"])
		assert.Contains(t, err.Message, "only registered operations are accepted in allowlist mode")
	})

	t.Run("text differing only in whitespace is refused", func(t *testing.T) {
		err := a.MutateOperationParameters(ctx, &graphql.RawParams{Query: registeredQuery + " "})
		require.NotNil(t, err)
		assert.Equal(t, CodePersistedQueryNotAllowed, err.Extensions["code"])
	})

	t.Run("unknown hash is refused", func(t *testing.T) {
		err := a.MutateOperationParameters(ctx, hashOnly(QueryHash(otherQuery)))
		require.NotNil(t, err)
		assert.Equal(t, CodePersistedQueryNotAllowed, err.Extensions["code"])
	})

	t.Run("nothing to run is refused", func(t *testing.T) {
		for _, p := range []*graphql.RawParams{
			{},
			{Extensions: map[string]any{"persistedQuery": "garbage"}},
			{Extensions: map[string]any{"persistedQuery": map[string]any{"sha256Hash": 42}}},
		} {
			err := a.MutateOperationParameters(ctx, p)
			require.NotNil(t, err)
			assert.Equal(t, CodePersistedQueryNotAllowed, err.Extensions["code"])
		}
	})

	t.Run("disabled lets everything through", func(t *testing.T) {
		off := Allowlist{Manifest: a.Manifest}
		assert.Nil(t, off.MutateOperationParameters(ctx, &graphql.RawParams{Query: otherQuery}))
		assert.Nil(t, off.MutateOperationParameters(ctx, &graphql.RawParams{}))
	})
}

type schemaOnly struct{ schema *ast.Schema }

func (s schemaOnly) Schema() *ast.Schema { return s.schema }
func (schemaOnly) Complexity(context.Context, string, string, int, map[string]any) (int, bool) {
	return 0, false
}
func (schemaOnly) Exec(context.Context) graphql.ResponseHandler { return nil }

func TestAllowlistValidate(t *testing.T) {
	es := schemaOnly{testSchema}
	assert.NoError(t, Allowlist{}.Validate(es), "disabled needs no manifest")
	assert.Error(t, Allowlist{Enabled: true}.Validate(es), "enabled with nothing registered refuses everything")
	assert.NoError(t, Allowlist{Enabled: true, Manifest: Manifest{QueryHash(registeredQuery): registeredQuery}}.Validate(es))

	stale := "{ viewer { removedField } }"
	err := Allowlist{Enabled: true, Manifest: Manifest{QueryHash(stale): stale}}.Validate(es)
	require.Error(t, err)
	assert.Contains(t, err.Error(), QueryHash(stale))
}
