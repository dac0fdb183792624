// Package scalar holds the GraphQL scalars whose wire format is ours rather than gqlgen's.
package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/internal/apperr"
)

// MarshalID writes a node ID as a GraphQL ID, which is a string on the wire.
func MarshalID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(strconv.Itoa(id)))
	})
}

// UnmarshalID reads a node ID. IDs are opaque to clients, but they are always the decimal
// strings this API returned; anything else is rejected with a message that says so.
func UnmarshalID(v any) (int, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case int:
		return checkID(int64(v), fmt.Sprint(v))
	case int64:
		return checkID(v, fmt.Sprint(v))
	default:
		return 0, badID(fmt.Sprint(v))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, badID(s)
	}
	return checkID(n, s)
}

func checkID(n int64, raw string) (int, error) {
	if n <= 0 {
		return 0, badID(raw)
	}
	return int(n), nil
}

func badID(raw string) error {
	return apperr.BadInput("id", "malformed ID %q: send an id exactly as the API returned it, a string of digits such as \"4294967297\"", raw)
}
