// Package pgseq reserves ids from PostgreSQL sequences for writers that COPY rows with their ids
// (the importer, `careergraph gen`).
package pgseq

import (
	"context"
	"database/sql"
	"fmt"
)

// ReserveIDs takes n values from the id sequence of table (PostgreSQL) in one statement, for
// rows a writer is about to COPY with their ids (so that rows of other tables, written in the
// same COPY run, can name them). The values are the sequence's, so they stay in the table's
// global id range (ent/internal/globalid.go) and no other writer gets them.
func ReserveIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserved %d %s ids, want %d", len(ids), table, n)
	}
	return ids, nil
}
