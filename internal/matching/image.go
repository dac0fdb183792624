package matching

import (
	"cmp"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"time"
)

// An image is the index written out: its live entries, their skills and the skill numbering,
// as of its watermark. A replica that starts reads the newest image another replica stored
// (about 30 MB at a million openings, against 1.6 GB of table and 8.7 million skill links a
// build reads) and catches up from its watermark like any read does. See images.go for where
// images are kept and when they are used.
//
// The layout, every number a varint (encoding/binary) unless its size is given:
//
//	"cgmi" imageFormat(1 byte)
//	watermark (Unix nanoseconds)
//	skills: count, then each bit's skill id as the difference from the previous bit's
//	currencies: count, then 3 bytes each
//	entries: count, their skills' count, then each entry: id as the difference from the
//	  previous (ids ascend),
//	  role, company, location, salary, mid, expMin, expMax, currency's number, mode (1 byte),
//	  skill count (1 byte), and its skills (Index.skills' values)
//	CRC-32 (IEEE) of everything before it (4 bytes, little-endian)
//
// A format change takes a new imageFormat: replicas of a rolling deploy read only images of
// their own format, and build from the database when there is none. So does a change in what
// an entry's numbers mean (the columns behind cols, pay's annualisation, the skills' signs), or
// a starting replica would read an old image's numbers as new ones until its next rebuild.
const imageFormat = 1

var imageMagic = []byte("cgmi")

// errImage is any image that cannot be read: cut short, corrupted or of another format. The
// index then builds from the database.
var errImage = errors.New("match index image: unreadable")

// imageData is a decoded image.
type imageData struct {
	watermark time.Time
	entries   []entry // live, ascending id
	skills    []int32
	skillBit  map[int]int
}

// encodeImage writes the live entries of x (whose mu the caller holds) as an image.
func (x *Index) encodeImage() []byte {
	live := make([]int32, 0, x.live)
	links := 0
	for i := range x.entries {
		if x.entries[i].live {
			live = append(live, int32(i))
			links += int(x.entries[i].n)
		}
	}
	slices.SortFunc(live, func(a, b int32) int { return cmp.Compare(x.entries[a].id, x.entries[b].id) })
	bySkill := make([]int, len(x.skillBit))
	for id, bit := range x.skillBit {
		bySkill[bit] = id
	}
	// Sized to hold what the benchmark's openings take (40 bytes each, 1 to 2 a skill), so
	// that growing by appending leaves no copies behind.
	b := make([]byte, 0, 64+len(bySkill)*5+len(live)*32+links*2)
	b = append(b, imageMagic...)
	b = append(b, imageFormat)
	b = binary.AppendVarint(b, x.watermark.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(bySkill)))
	prev := 0
	for _, id := range bySkill {
		b = binary.AppendVarint(b, int64(id-prev))
		prev = id
	}
	currencies := map[[3]byte]uint64{}
	var curList [][3]byte
	for _, i := range live {
		c := x.entries[i].currency
		if _, ok := currencies[c]; !ok {
			currencies[c] = uint64(len(curList))
			curList = append(curList, c)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(curList)))
	for _, c := range curList {
		b = append(b, c[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(live)))
	b = binary.AppendUvarint(b, uint64(links))
	var prevID int64
	for _, i := range live {
		e := &x.entries[i]
		b = binary.AppendUvarint(b, uint64(e.id-prevID))
		prevID = e.id
		b = binary.AppendVarint(b, e.role)
		b = binary.AppendVarint(b, e.company)
		b = binary.AppendVarint(b, e.location)
		b = binary.AppendVarint(b, e.salary)
		b = binary.AppendVarint(b, e.mid)
		b = binary.AppendVarint(b, int64(e.expMin))
		b = binary.AppendVarint(b, int64(e.expMax))
		b = binary.AppendUvarint(b, currencies[e.currency])
		b = append(b, byte(e.mode), e.n)
		for _, s := range x.skillsOf(e) {
			b = binary.AppendVarint(b, int64(s))
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// imageReader reads an image's numbers; the first failure sticks.
type imageReader struct {
	b   []byte
	off int
	bad bool
}

func (r *imageReader) varint() int64 {
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.bad, n = true, 0
	}
	r.off += n
	return v
}

func (r *imageReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.bad, n = true, 0
	}
	r.off += n
	return v
}

func (r *imageReader) byte() byte {
	if r.off >= len(r.b) {
		r.bad = true
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

// count reads a count of items of at least min bytes each, failing when the rest of the image
// cannot hold that many (so a corrupted count allocates nothing).
func (r *imageReader) count(min int) int {
	n := r.uvarint()
	if n > uint64((len(r.b)-r.off)/min) {
		r.bad = true
		return 0
	}
	return int(n)
}

// decodeImage reads an image written by encodeImage. It checks the checksum and every bound,
// so a damaged image is an error, never a panic or an index that points outside itself.
func decodeImage(b []byte) (*imageData, error) {
	if len(b) < len(imageMagic)+1+4 || string(b[:len(imageMagic)]) != string(imageMagic) || b[len(imageMagic)] != imageFormat {
		return nil, errImage
	}
	body := b[:len(b)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, errImage
	}
	r := &imageReader{b: body, off: len(imageMagic) + 1}
	img := &imageData{watermark: time.Unix(0, r.varint())}
	nskills := r.count(1)
	img.skillBit = make(map[int]int, nskills)
	id := int64(0)
	for bit := range nskills {
		id += r.varint()
		img.skillBit[int(id)] = bit
	}
	if len(img.skillBit) != nskills {
		return nil, errImage // one skill numbered twice
	}
	curList := make([][3]byte, r.count(3))
	for i := range curList {
		copy(curList[i][:], r.b[r.off:r.off+3])
		r.off += 3
	}
	// An entry takes at least 11 bytes: ten numbers of one byte or more and its mode.
	n := r.count(11)
	links := r.count(1)
	img.entries = make([]entry, n)
	img.skills = make([]int32, 0, skillRoom(links))
	var prev int64
	for i := range img.entries {
		e := &img.entries[i]
		step := r.uvarint()
		if step == 0 || step > uint64(1<<62) {
			return nil, errImage // ids ascend
		}
		e.id = prev + int64(step)
		prev = e.id
		e.role, e.company, e.location = r.varint(), r.varint(), r.varint()
		e.salary, e.mid = r.varint(), r.varint()
		e.expMin, e.expMax = int16(r.varint()), int16(r.varint())
		c := r.uvarint()
		if c >= uint64(len(curList)) {
			return nil, errImage
		}
		e.currency = curList[c]
		e.mode, e.n = workMode(r.byte()), r.byte()
		e.live = true
		e.at = uint32(len(img.skills))
		if len(img.skills)+int(e.n) > links {
			return nil, errImage
		}
		for range e.n {
			s := r.varint()
			if s == 0 || s > int64(nskills) || s < -int64(nskills) {
				return nil, errImage
			}
			if s < 0 {
				e.pref++
			}
			img.skills = append(img.skills, int32(s))
		}
		if r.bad {
			return nil, errImage
		}
	}
	if r.bad || r.off != len(body) || len(img.skills) != links {
		return nil, errImage
	}
	return img, nil
}
