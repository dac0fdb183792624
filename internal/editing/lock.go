package editing

import (
	"context"
	"slices"
	"time"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/role"
)

// LockRole takes the role's aggregate lock and bumps its version, as the first write of every
// change to the role's ordered items, ranked core skills or the role as a whole: creating,
// moving, deleting or reordering items and core skills, and deleting the role.
//
// The lock is the role row itself: "UPDATE roles SET version = version + 1 WHERE id = $1"
// (with "AND version = $2" when the client sent the role's version, see Expect). Concurrent
// writers of one role queue on that row and then, statement by statement (READ COMMITTED),
// see each other's committed positions, so the renumbering that keeps positions dense never
// meets rows in a different order in another transaction, which is what deadlocked before.
//
// Chosen over SELECT … FOR UPDATE and pg_advisory_xact_lock because it is one ent statement
// that behaves alike on both databases, with no dialect seam: SQLite has no FOR UPDATE (ent's
// builder would still write it) and no advisory locks, and its mutation transactions already
// begin as the single writer (_txlock=immediate). The order's change must bump the role's
// version anyway. And on PostgreSQL an UPDATE that leaves the key alone takes a FOR NO KEY
// UPDATE row lock, which does not block inserts elsewhere that merely reference the role (an
// opening's foreign-key check takes FOR KEY SHARE).
//
// A role that does not exist is ent's not-found error; a stale version is CONFLICT with the
// current version.
func LockRole(ctx context.Context, c *ent.Client, roleID int) error {
	return c.Role.UpdateOneID(roleID).AddVersion(1).Exec(ctx)
}

// TouchRoles moves the updated_at of roles whose cluster lost a part: a deleted opening,
// salary record, interview question or career route leaves no row whose updated_at could say
// so, and Role.clusterUpdatedAt (internal/cluster.UpdatedAt) reads the latest updated_at of
// the role and its parts. It writes only updated_at, which neither bumps the role's version
// (editing.VersionHook) nor makes an audit entry (internal/audit: a derived field). Called
// before the delete, as the delete's first write, so that writers of one role meet its row
// in the same order as under LockRole. A role id of 0 is skipped.
func TouchRoles(ctx context.Context, c *ent.Client, roleIDs ...int) error {
	var ids []int
	for _, id := range roleIDs {
		if id != 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids) // two roles are always locked in the same order
	return c.Role.Update().Where(role.IDIn(ids...)).SetUpdatedAt(time.Now()).Exec(ctx)
}
