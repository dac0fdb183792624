// Package cv reads the profile a pasted CV implies: the skills it names (internal/extract,
// the same extractor the importer uses), its years of experience, and its city. A CV is
// personal data: this package keeps nothing, logs nothing, and puts none of the text into
// errors.
package cv

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/extract"
	"github.com/careergraph/careergraph/internal/importer"
)

// MaxBytes bounds a CV's text: a long CV is some 20 KB of text.
const MaxBytes = 64 << 10

// Profile is what a CV says.
type Profile struct {
	// Skills the CV names, in order of first mention.
	Skills []*ent.Skill
	// ExperienceYears is the largest "N years (of experience)" the CV states, else the span of
	// its date ranges ("2019 – present"); nil when it says neither.
	ExperienceYears *int
	// City is the first known city the CV names, preferring a line that starts with
	// "Location", "Address", "Based in" or "Current location"; nil when none.
	City *ent.Location
}

// Read checks text's size (an error naming field) and reads its profile, with two statements
// (skills and locations).
func Read(ctx context.Context, client *ent.Client, text, field string, now time.Time) (*Profile, error) {
	if len(text) > MaxBytes {
		return nil, apperr.BadInput(field, "%s is %d bytes; send at most %d (the CV's text, not a file)", field, len(text), MaxBytes)
	}
	all, err := client.Skill.Query().WithMembers(func(q *ent.SkillQuery) { q.Select(skill.FieldID) }).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("cv: read skills: %w", err)
	}
	locs, err := client.Location.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("cv: read locations: %w", err)
	}
	return &Profile{
		Skills:          extract.New(all).Skills(text),
		ExperienceYears: Years(text, now),
		City:            city(text, locs),
	}, nil
}

var (
	statedYears = regexp.MustCompile(`(?i)(\d{1,2})(?:\.\d+)?\s*\+?\s*(?:years?|yrs?)\b`)
	sentences   = regexp.MustCompile(`[.;!?]\s+|\n`)
	dateRange   = regexp.MustCompile(`(?i)\b((?:19|20)\d\d)\s*(?:-|–|—|to|till|until)\s*((?:19|20)\d\d|present|current|now|today|date)\b`)
)

// Years reads the experience a CV states: the largest "N years" in a sentence that mentions
// experience; else the span from the earliest start to the latest end of its date ranges
// ("2016 - 2019", "2019 – present"); nil when neither. At most 50.
func Years(text string, now time.Time) *int {
	best := -1
	for _, sentence := range sentences.Split(text, -1) {
		low := strings.ToLower(sentence)
		if !strings.Contains(low, "experience") && !strings.Contains(low, "exp ") && !strings.Contains(low, "exp:") {
			continue
		}
		for _, m := range statedYears.FindAllStringSubmatch(sentence, -1) {
			if n, err := strconv.Atoi(m[1]); err == nil && n > best && n <= 50 {
				best = n
			}
		}
	}
	if best >= 0 {
		return &best
	}
	first, last := 0, 0
	for _, m := range dateRange.FindAllStringSubmatch(text, -1) {
		from, _ := strconv.Atoi(m[1])
		to, err := strconv.Atoi(m[2])
		if err != nil {
			to = now.Year()
		}
		if to < from || to > now.Year() {
			continue
		}
		if first == 0 || from < first {
			first = from
		}
		last = max(last, to)
	}
	if first == 0 {
		return nil
	}
	n := min(last-first, 50)
	return &n
}

var locationLine = regexp.MustCompile(`(?i)^\s*(?:current\s+)?(?:location|address|based in|city)\b`)

// city finds the first known city the text names (by its name or an alias such as
// Bangalore), preferring a line that says where the candidate is.
func city(text string, locs []*ent.Location) *ent.Location {
	byName := map[string]*ent.Location{}
	for _, l := range locs {
		byName[strings.ToLower(l.City)] = l
	}
	find := func(s string) *ent.Location {
		words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
		for i := range words {
			for n := 2; n >= 1; n-- {
				if i+n > len(words) {
					continue
				}
				if l := byName[strings.ToLower(importer.City(strings.Join(words[i:i+n], " ")))]; l != nil {
					return l
				}
			}
		}
		return nil
	}
	for _, line := range strings.Split(text, "\n") {
		if locationLine.MatchString(line) {
			if l := find(line); l != nil {
				return l
			}
		}
	}
	return find(text)
}
