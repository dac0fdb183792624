package skills_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestCacheFollowsEveryChange: the vocabulary cache answers from memory while the skills are
// unchanged (one statement: the version check), and reads the vocabulary again after every
// kind of change, made through another client as another replica would: a synonym edited, a
// skill created, a group's members changed, a skill deleted.
func TestCacheFollowsEveryChange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		cache := skills.NewCache()
		load := func() (*skills.Vocabulary, int) {
			t.Helper()
			env.Statements.Reset()
			v, err := cache.Load(ctx, c)
			require.NoError(t, err)
			return v, env.Statements.Count()
		}
		v1, n := load()
		assert.Greater(t, n, 1, "the first load reads the vocabulary")
		v2, n := load()
		assert.Same(t, v1, v2, "unchanged: the cached vocabulary")
		assert.Equal(t, 1, n, "unchanged: only the version check:\n%s", env.Statements.Statements())

		// Another replica's edit: a new synonym.
		other := env.DB.Client
		goSkill := other.Skill.Query().Where(skill.Name("Go")).OnlyX(ctx)
		require.Nil(t, v2.Find("gophertongue"))
		other.Skill.UpdateOne(goSkill).AppendSynonyms([]string{"gophertongue"}).ExecX(ctx)
		v3, _ := load()
		assert.NotSame(t, v2, v3, "a synonym edited")
		require.NotNil(t, v3.Find("gophertongue"))
		assert.Equal(t, goSkill.ID, v3.Find("gophertongue").ID)

		// A skill created.
		created := other.Skill.Create().SetName("Zig Lang").SetSlug("zig-lang").SetCategory(goSkill.Category).SaveX(ctx)
		v4, _ := load()
		assert.NotSame(t, v3, v4, "a skill created")
		assert.NotNil(t, v4.Find("zig lang"))

		// A group's members changed.
		group := other.Skill.Query().Where(skill.HasMembers()).FirstX(ctx)
		members := len(v4.Members(group.ID))
		require.Positive(t, members)
		other.Skill.UpdateOne(group).AddMemberIDs(created.ID).ExecX(ctx)
		v5, _ := load()
		assert.NotSame(t, v4, v5, "members changed")
		assert.Len(t, v5.Members(group.ID), members+1)

		// A membership written by hand (psql, a script): no skill row changes, the triggers on
		// skill_members alone move the version.
		del := fmt.Sprintf("DELETE FROM %s WHERE %s = %d AND %s = %d", skill.MembersTable,
			skill.MembersPrimaryKey[0], group.ID, skill.MembersPrimaryKey[1], created.ID)
		_, err := env.DB.SQL.ExecContext(ctx, del)
		require.NoError(t, err)
		v51, _ := load()
		assert.NotSame(t, v5, v51, "a membership deleted by hand")
		assert.Len(t, v51.Members(group.ID), members)
		_, err = env.DB.SQL.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES (%d, %d)", skill.MembersTable,
			skill.MembersPrimaryKey[0], skill.MembersPrimaryKey[1], group.ID, created.ID))
		require.NoError(t, err)
		v52, _ := load()
		assert.Len(t, v52.Members(group.ID), members+1, "a membership inserted by hand")

		// A skill deleted (its memberships go with it).
		other.Skill.UpdateOne(group).RemoveMemberIDs(created.ID).ExecX(ctx)
		v6, _ := load()
		other.Skill.DeleteOneID(created.ID).ExecX(ctx)
		v7, _ := load()
		assert.NotSame(t, v6, v7, "a skill deleted")
		assert.Nil(t, v7.Find("zig lang"))
		v8, n := load()
		assert.Same(t, v7, v8)
		assert.Equal(t, 1, n)
	})
}

// TestCacheReadsAChangeOnce: when a change shows, the requests that see it share one read of
// the vocabulary instead of each reading it (sixteen at once here, while the first read is
// held up); all get the same vocabulary, and the next request reads none.
func TestCacheReadsAChangeOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		cache := skills.NewCache()
		before, err := cache.Load(ctx, env.DB.Client)
		require.NoError(t, err)
		// The change: a skill created, as another replica's editor would.
		env.DB.Client.Skill.Create().SetName("Zig Lang").SetSlug("zig-lang").SetCategory(skill.CategoryLANGUAGE).SaveX(ctx)
		var reads atomic.Int32
		release := make(chan struct{})
		skills.SetLoader(cache, func(ctx context.Context, c *ent.Client) (*skills.Vocabulary, error) {
			reads.Add(1)
			<-release
			return skills.Load(ctx, c)
		})
		const n = 16
		got := make([]*skills.Vocabulary, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := cache.Load(ctx, env.DB.Client)
				assert.NoError(t, err)
				got[i] = v
			}()
		}
		// Without the shared read every caller reaches the loader; give them the time to.
		deadline := time.Now().Add(500 * time.Millisecond)
		for reads.Load() < n && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		close(release)
		wg.Wait()
		assert.Equal(t, int32(1), reads.Load(), "reads of the vocabulary")
		for i, v := range got {
			assert.True(t, v == got[0], "caller %d got a vocabulary of its own", i)
		}
		require.NotNil(t, got[0])
		assert.False(t, got[0] == before, "the change was read")
		assert.NotNil(t, got[0].Find("zig lang"))
		v, err := cache.Load(ctx, env.DB.Client)
		require.NoError(t, err)
		assert.True(t, v == got[0], "unchanged since: from memory")
		assert.Equal(t, int32(1), reads.Load())
	})
}

// TestVocabularyVersionAddsNoDeadlock: the version row is raised at commit (deferred triggers),
// so two transactions that write skills do not wait for each other on it while they run. T1
// writes skill A, T2 skill B, then T1 skill B (waiting for T2, which commits): all three writes
// land and the version rises by three. With the triggers made immediate (SET CONSTRAINTS ALL
// IMMEDIATE, the contrast case), T2's first write already waits for T1's lock on the version
// row, and T1's write of B would then deadlock. PostgreSQL only: SQLite has one writer.
func TestVocabularyVersionAddsNoDeadlock(t *testing.T) {
	if !slices.Contains(testenv.Backends(t), testenv.Postgres) {
		t.Skip("PostgreSQL only (TEST_DATABASE_URL unset)")
	}
	t.Run("postgres", func(t *testing.T) {
		env := testenv.Seeded(t, testenv.Postgres)
		ctx := context.Background()
		ids := env.DB.Client.Skill.Query().Limit(2).IDsX(ctx)
		require.Len(t, ids, 2)
		version := func() int64 {
			var v int64
			require.NoError(t, env.DB.SQL.QueryRowContext(ctx, "SELECT version FROM "+skills.VersionTable).Scan(&v))
			return v
		}
		const touch = "UPDATE skills SET name = name WHERE id = $1"
		async := func(tx *sql.Tx, id int) chan error {
			done := make(chan error, 1)
			go func() { _, err := tx.ExecContext(ctx, touch, id); done <- err }()
			return done
		}
		begin := func(immediate bool) *sql.Tx {
			tx, err := env.DB.SQL.BeginTx(ctx, nil)
			require.NoError(t, err)
			if immediate {
				_, err = tx.ExecContext(ctx, "SET CONSTRAINTS ALL IMMEDIATE")
				require.NoError(t, err)
			}
			return tx
		}

		// The contrast: immediate triggers make T2 wait for T1.
		t1, t2 := begin(true), begin(true)
		_, err := t1.ExecContext(ctx, touch, ids[0])
		require.NoError(t, err)
		blocked := async(t2, ids[1])
		select {
		case err := <-blocked:
			t.Fatalf("with immediate triggers T2 did not wait for T1 (err %v): the test cannot tell", err)
		case <-time.After(300 * time.Millisecond):
		}
		require.NoError(t, t1.Rollback())
		require.NoError(t, <-blocked)
		require.NoError(t, t2.Rollback())

		// As migrated: deferred.
		before := version()
		t1, t2 = begin(false), begin(false)
		_, err = t1.ExecContext(ctx, touch, ids[0])
		require.NoError(t, err)
		select {
		case err := <-async(t2, ids[1]):
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("T2 waits for T1 on the version row")
		}
		t1b := async(t1, ids[1]) // waits for T2's lock on skill B
		require.NoError(t, t2.Commit())
		require.NoError(t, <-t1b)
		require.NoError(t, t1.Commit())
		assert.Equal(t, before+3, version())
	})
}
