package search

// AlwaysWindow returns s trying windows (window.go) whatever the planner expects, so that a
// test's small tables take the path a million openings do.
func (s *Service) AlwaysWindow() *Service {
	c := *s
	c.alwaysWindow = true
	return &c
}

// ReadPlan is readPlan, reporting the expected matches and whether they come from the GIN index.
func ReadPlan(out []byte) (rows float64, gin bool, err error) {
	p, err := readPlan(out)
	return p.rows, p.gin, err
}

// BlockWindows is blockWindows, as [from, to] pairs (nil: every opening).
func BlockWindows(first, last int64) [][]int64 {
	var out [][]int64
	for _, w := range blockWindows(first, last) {
		if w == nil {
			out = append(out, nil)
			continue
		}
		out = append(out, []int64{w.from, w.to})
	}
	return out
}

// Narrowing is narrowing: the tsquery clauses a where argument's skill filters imply.
var Narrowing = narrowing
