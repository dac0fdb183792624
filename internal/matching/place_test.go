package matching

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestPlaceOrder: places order as the catch-up's statement does, by time or stored text and
// then id, so the next page starts after the greatest place of a page in any row order.
func TestPlaceOrder(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		a, b place
		want bool
	}{
		{"earlier time", place{t0, 9}, place{t0.Add(time.Microsecond), 1}, true},
		{"later time", place{t0.Add(time.Microsecond), 1}, place{t0, 9}, false},
		{"same time, smaller id", place{t0, 1}, place{t0.In(time.FixedZone("x", 3600)), 2}, true},
		{"same time, same id", place{t0, 2}, place{t0, 2}, false},
		{"text", place{"2026-11-29 08:00:00.1 +0000 UTC", 9}, place{"2026-11-29 08:00:00.2 +0000 UTC", 1}, true},
		{"same text, larger id", place{"2026-11-29 08:00:00.1 +0000 UTC", 9}, place{"2026-11-29 08:00:00.1 +0000 UTC", 1}, false},
		{"the first page's start (a time) before a stored text", place{t0, 0}, place{"2026-11-29 07:00:00 +0000 UTC", 1}, true},
	} {
		assert.Equal(t, c.want, c.a.before(c.b), c.name)
	}
}
