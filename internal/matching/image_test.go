package matching

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seen is an entry as scoring sees it: its fields, and its skills as signed skill ids
// (negative: preferred), sorted; where the skills are stored is left out.
type seen struct {
	e      entry
	skills []int
}

// view returns every live entry of x by opening id.
func view(x *Index) map[int64]seen {
	x.mu.RLock()
	defer x.mu.RUnlock()
	bySkill := make([]int, len(x.skillBit))
	for id, bit := range x.skillBit {
		bySkill[bit] = id
	}
	out := map[int64]seen{}
	for i := range x.entries {
		e := x.entries[i]
		if !e.live {
			continue
		}
		var ids []int
		for _, v := range x.skillsOf(&e) {
			if v < 0 {
				ids = append(ids, -bySkill[-v-1])
			} else {
				ids = append(ids, bySkill[v-1])
			}
		}
		slices.Sort(ids)
		e.at = 0
		out[e.id] = seen{e: e, skills: ids}
	}
	return out
}

// small is an index of three openings over three skills, built by hand.
func small() *Index {
	x := &Index{skillBit: map[int]int{10: 0, 30: 1, 20: 2}, extra: map[int64]int{}, watermark: time.Unix(1_800_000_000, 123)}
	for i, e := range []entry{
		{id: 5, role: 1, company: 2, location: 3, salary: 2_400_000, mid: 2_000_000, expMin: 2, expMax: -1, currency: [3]byte{'I', 'N', 'R'}, mode: modeRemote},
		{id: 9, role: 0, company: 4, expMax: 5, mode: modeHybrid},
		{id: 700_000_000_000, role: 1, company: 2, location: 3, salary: 90_000, mid: 80_000, currency: [3]byte{'U', 'S', 'D'}},
	} {
		e.live = true
		x.entries = append(x.entries, e)
		x.skills = setSkills(x.skills, &x.entries[i], []byte([]string{"10,-20", "", "30,20,-10"}[i]), x.skillBit)
		x.live++
	}
	x.sorted = len(x.entries)
	return x
}

// TestDamagedImagesAreRefused: an image cut short anywhere, or with any byte changed, is an
// error, never a panic. With the checksum mended after the change (damage the checksum
// cannot see), decoding still never panics, and an image it accepts points nowhere outside
// itself.
func TestDamagedImagesAreRefused(t *testing.T) {
	data := small().encodeImage()
	img, err := decodeImage(data)
	require.NoError(t, err)
	require.Len(t, img.entries, 3)
	for n := range len(data) {
		_, err := decodeImage(data[:n])
		require.ErrorIs(t, err, errImage, "cut to %d bytes", n)
	}
	accepted := 0
	for i := range len(data) - 4 {
		for _, flip := range []byte{0x01, 0x40, 0x80, 0xff} {
			bad := slices.Clone(data)
			bad[i] ^= flip
			_, err := decodeImage(bad)
			require.ErrorIs(t, err, errImage, "byte %d changed: the checksum fails", i)

			binary.LittleEndian.PutUint32(bad[len(bad)-4:], crc32.ChecksumIEEE(bad[:len(bad)-4]))
			img, err := decodeImage(bad)
			if err != nil {
				require.ErrorIs(t, err, errImage)
				continue
			}
			accepted++
			for _, e := range img.entries {
				require.LessOrEqual(t, int(e.at)+int(e.n), len(img.skills), "byte %d ^ %#x", i, flip)
				for _, v := range img.skills[e.at : e.at+uint32(e.n)] {
					require.True(t, v != 0 && int(max(v, -v)) <= len(img.skillBit), "byte %d ^ %#x: skill %d", i, flip, v)
				}
			}
			require.True(t, slices.IsSortedFunc(img.entries, func(a, b entry) int { return int(a.id - b.id) }))
		}
	}
	// Changing a salary's or an id's digits makes another valid image: the check above ran.
	assert.Positive(t, accepted)
}

// TestImageOfSmallIndex: an index written and read back answers the same, entry for entry.
func TestImageOfSmallIndex(t *testing.T) {
	x := small()
	img, err := decodeImage(x.encodeImage())
	require.NoError(t, err)
	y := &Index{}
	y.install(img)
	assert.Equal(t, view(x), view(y))
	assert.Equal(t, x.watermark.UnixNano(), y.watermark.UnixNano())
	assert.Equal(t, map[int64]int{0: 1, 1: 2}, y.roleLive)
}

// large is an index the size of the benchmark's: 840,000 live openings of 8 to 9 skills each
// out of 2,700, with ids, companies and pay spread as generated data spreads them.
func large() *Index {
	const n, vocabulary = 840_000, 2_700
	x := &Index{skillBit: map[int]int{}, extra: map[int64]int{}, watermark: time.Now(), entries: make([]entry, n)}
	for i := range vocabulary {
		x.skillBit[38654705664+i] = i
	}
	x.skills = make([]int32, 0, n*9)
	for i := range x.entries {
		e := &x.entries[i]
		*e = entry{id: 17179869184 + int64(i*6/5), role: 21474836480 + int64(i%40), company: 4294967296 + int64(i*7%5000),
			location: 12884901888 + int64(i%300), salary: int64(600_000 + i%90*20_000), mid: int64(500_000 + i%90*15_000),
			expMin: int16(i % 6), expMax: int16(i%6 + 3), currency: [3]byte{'I', 'N', 'R'}, mode: workMode(i % 3), live: true}
		e.at, e.n = uint32(len(x.skills)), uint8(8+i%2)
		for k := range int(e.n) {
			s := int32((i*31+k*97)%vocabulary + 1)
			if k == 7 {
				s, e.pref = -s, 1
			}
			x.skills = append(x.skills, s)
		}
	}
	x.sorted, x.live = n, n
	return x
}

// BenchmarkImage writes and reads an image of 840,000 openings (scripts/bench.sh measures the
// whole start, database included). The encoding runs under the index's read lock.
func BenchmarkImage(b *testing.B) {
	x := large()
	data := x.encodeImage()
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			x.encodeImage()
		}
		b.ReportMetric(float64(len(data))/(1<<20), "MiB")
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeImage(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
