package pay

import "testing"

func TestMidpoint(t *testing.T) {
	p := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		min, max *int64
		want     int64
	}{{p(10), p(20), 15}, {p(10), nil, 10}, {nil, p(20), 10}, {nil, nil, 0}} {
		if got := Midpoint(c.min, c.max); got != c.want {
			t.Errorf("Midpoint(%v, %v) = %d, want %d", c.min, c.max, got, c.want)
		}
	}
}

func TestAnnual(t *testing.T) {
	if got := Annual(100_000, true); got != 1_200_000 {
		t.Errorf("monthly 100000 = %d a year, want 1200000", got)
	}
	if got := Annual(1_200_000, false); got != 1_200_000 {
		t.Errorf("yearly 1200000 = %d a year, want 1200000", got)
	}
}
