package skills_test

import (
	"context"
	"fmt"
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
