package skills

import (
	"context"

	"github.com/careergraph/careergraph/ent"
)

// SetLoader makes c read the vocabulary with load instead of Load (tests slow the read down).
func SetLoader(c *Cache, load func(context.Context, *ent.Client) (*Vocabulary, error)) {
	c.loader = load
}
