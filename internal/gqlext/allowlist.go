package gqlext

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Manifest maps the lowercase hex SHA-256 of each registered operation's exact text to that
// text. It is built with the clients (each persisted operation they may send) and loaded at
// start; it must not be modified once in use.
type Manifest map[string]string

// QueryHash returns the manifest key of a query: the hex SHA-256 of its exact bytes, as
// Apollo's automatic persisted queries compute it.
func QueryHash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

// LoadManifest reads a manifest from a JSON file of the form {"<sha256>": "<query text>"}.
// Every key must be the SHA-256 of its query, so a manifest edited by hand or built from
// stale sources fails at start instead of silently refusing a client.
func LoadManifest(path string) (Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gqlext: reading operation manifest: %w", err)
	}
	var raw map[string]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("gqlext: operation manifest %s is not a JSON object of strings: %w", path, err)
	}
	m := make(Manifest, len(raw))
	for key, query := range raw {
		want := QueryHash(query)
		if strings.ToLower(key) != want {
			return nil, fmt.Errorf("gqlext: operation manifest %s: key %q is not the SHA-256 of its query (want %s)", path, key, want)
		}
		m[want] = query
	}
	return m, nil
}

// Allowlist, when Enabled, accepts only operations registered in Manifest: either the full
// text of a registered query, or no query and the APQ-style extension
// {"persistedQuery": {"version": 1, "sha256Hash": "<hash>"}} naming one, in which case the
// query text is filled in from the manifest. Everything else is refused with code
// PERSISTED_QUERY_NOT_ALLOWED before it is parsed, so unknown documents cost the server
// nothing. Disabled, it lets every request through.
//
// Install it before extension.AutomaticPersistedQuery: then a hash-only request for a
// registered operation is served from the manifest even when the APQ cache has never seen it,
// and the APQ extension never caches an operation the allowlist would refuse.
type Allowlist struct {
	Enabled  bool
	Manifest Manifest
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = Allowlist{}

// ExtensionName implements graphql.HandlerExtension.
func (Allowlist) ExtensionName() string { return "OperationAllowlist" }

// Validate implements graphql.HandlerExtension. When enabled it refuses an empty manifest
// (which would refuse every request) and checks every registered operation against the
// schema, so a manifest built for another schema version fails at start.
func (a Allowlist) Validate(schema graphql.ExecutableSchema) error {
	if !a.Enabled {
		return nil
	}
	if len(a.Manifest) == 0 {
		return errors.New("gqlext.Allowlist: enabled with an empty manifest, which would refuse every operation")
	}
	if schema == nil || schema.Schema() == nil {
		return nil
	}
	keys := make([]string, 0, len(a.Manifest))
	for k := range a.Manifest {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, errs := gqlparser.LoadQuery(schema.Schema(), a.Manifest[k]); len(errs) > 0 {
			return fmt.Errorf("gqlext.Allowlist: registered operation %s does not validate against the schema: %v", k, errs)
		}
	}
	return nil
}

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (a Allowlist) MutateOperationParameters(_ context.Context, params *graphql.RawParams) *gqlerror.Error {
	if !a.Enabled {
		return nil
	}
	if params.Query != "" {
		if _, ok := a.Manifest[QueryHash(params.Query)]; ok {
			return nil
		}
		return notAllowed()
	}
	if hash, ok := persistedQueryHash(params.Extensions); ok {
		if query, ok := a.Manifest[strings.ToLower(hash)]; ok {
			params.Query = query
			return nil
		}
	}
	return notAllowed()
}

func persistedQueryHash(ext map[string]any) (string, bool) {
	pq, ok := ext["persistedQuery"].(map[string]any)
	if !ok {
		return "", false
	}
	hash, ok := pq["sha256Hash"].(string)
	return hash, ok && hash != ""
}

func notAllowed() *gqlerror.Error {
	return newError(CodePersistedQueryNotAllowed,
		"only registered operations are accepted in allowlist mode: send the exact text of a registered operation, or its extensions.persistedQuery.sha256Hash")
}
