package ent

// This file is hand-written (entc leaves it alone): node lookups for node(id:)/nodes(ids:)
// that answer "no such node" with nil instead of the errors the generated Noders adds to the
// response itself (graphql.AddError bypasses the resolver's error handling), and that can skip
// types the caller may not see without running a statement.

import (
	"context"
	"sort"
)

// NodeTable returns the table of the type whose global ID range holds id, without a query;
// ok is false for an ID in no type's range.
func NodeTable(id int) (table string, ok bool) {
	table, ok = nodeTypes[int(id/(1<<32-1))<<32]
	return table, ok
}

// NodersOrNil returns the nodes of ids in order, nil where an ID names nothing or its type's
// table is refused by visible (nil: every table). Refused IDs run no statement, so a caller
// learns nothing about them from the answer or its timing in statements. IDs are grouped by
// table, one statement per table; a driver error is returned as it is, for the caller's error
// seam to hide.
func (c *Client) NodersOrNil(ctx context.Context, ids []int, visible func(table string) bool) ([]Noder, error) {
	out := make([]Noder, len(ids))
	byTable := map[string][]int{}
	idx := map[int][]int{}
	for i, id := range ids {
		table, ok := NodeTable(id)
		if !ok || visible != nil && !visible(table) {
			continue
		}
		if _, seen := idx[id]; !seen {
			byTable[table] = append(byTable[table], id)
		}
		idx[id] = append(idx[id], i)
	}
	tables := make([]string, 0, len(byTable))
	for t := range byTable {
		tables = append(tables, t)
	}
	sort.Strings(tables) // a stable statement order
	for _, table := range tables {
		tids := byTable[table]
		nodes, err := c.noders(ctx, table, tids)
		if err != nil {
			return nil, err
		}
		for i, id := range tids {
			for _, j := range idx[id] {
				out[j] = nodes[i]
			}
		}
	}
	return out, nil
}
