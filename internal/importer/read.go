package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Format is how a document holds its JobPostings.
type Format int

// The formats Read understands. FormatAuto sniffs the first bytes: "<" is HTML; a first line
// that is a whole JSON value followed by more lines is JSON Lines; anything else JSON.
const (
	FormatAuto Format = iota
	FormatJSON
	FormatJSONLines
	FormatHTML
)

// Item is one JobPosting found in a document, or the reason one could not be read.
type Item struct {
	// Position says where the item is ("line 3", "item 2", "script 1, item 2"), for rejects.
	Position string
	Raw      json.RawMessage
	Err      error
}

// maxItemBytes bounds one JSON value (a JSON Lines line, an array element, a script): a
// posting is a few kilobytes; a larger value is refused rather than buffered.
const maxItemBytes = 4 << 20

// Read streams the JobPostings of r to emit in document order. A malformed item is emitted
// with Err set and reading goes on where the format allows it (the next line, the next
// script); an error from emit, or a document that cannot be read further, ends it.
func Read(r io.Reader, f Format, emit func(Item) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if f == FormatAuto {
		var err error
		if f, err = sniff(br); err != nil {
			return err
		}
	}
	switch f {
	case FormatHTML:
		return readHTML(br, emit)
	case FormatJSONLines:
		return readLines(br, emit)
	default:
		return readJSON(br, emit)
	}
}

func sniff(br *bufio.Reader) (Format, error) {
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return 0, err
	}
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	t = bytes.TrimPrefix(t, []byte("\xef\xbb\xbf"))
	if len(t) == 0 {
		return FormatJSON, nil
	}
	if t[0] == '<' {
		return FormatHTML, nil
	}
	if t[0] == '{' {
		if nl := bytes.IndexByte(t, '\n'); nl > 0 && json.Valid(bytes.TrimSpace(t[:nl])) && len(bytes.TrimSpace(t[nl:])) > 0 {
			return FormatJSONLines, nil
		}
	}
	return FormatJSON, nil
}

// readLines reads JSON Lines: each non-blank line one value (a posting, an array or a graph).
func readLines(br *bufio.Reader, emit func(Item) error) error {
	for n := 1; ; n++ {
		line, err := readLine(br)
		if len(bytes.TrimSpace(line)) > 0 || errors.Is(err, errLineTooLong) {
			pos := fmt.Sprintf("line %d", n)
			if errors.Is(err, errLineTooLong) {
				if e := emit(Item{Position: pos, Err: fmt.Errorf("longer than %d bytes", maxItemBytes)}); e != nil {
					return e
				}
			} else if e := expand(pos, line, emit); e != nil {
				return e
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && !errors.Is(err, errLineTooLong) {
			return err
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line without its newline, at most maxItemBytes; a longer line is skipped
// to its end and reported as errLineTooLong.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > maxItemBytes {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLineTooLong
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), err
	}
}

// readJSON reads one JSON document: a posting, a graph, or an array, streamed element by
// element so that a large array is never held whole. A syntax error ends the document (JSON
// cannot be resynchronised); the items before it stand.
func readJSON(br *bufio.Reader, emit func(Item) error) error {
	dec := json.NewDecoder(br)
	first, err := peekByte(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return emit(Item{Position: "document", Err: errors.New("empty document")})
		}
		return err
	}
	if first != '[' {
		for n := 1; ; n++ {
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if errors.Is(err, io.EOF) {
				return nil
			}
			pos := "document"
			if n > 1 {
				pos = fmt.Sprintf("document %d", n)
			}
			if err != nil {
				return emit(Item{Position: pos, Err: fmt.Errorf("malformed JSON: %s", jsonReason(err))})
			}
			if err := expand(pos, raw, emit); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return emit(Item{Position: "document", Err: fmt.Errorf("malformed JSON: %s", jsonReason(err))})
	}
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		pos := fmt.Sprintf("item %d", n)
		if err := dec.Decode(&raw); err != nil {
			return emit(Item{Position: pos, Err: fmt.Errorf("malformed JSON: %s", jsonReason(err))})
		}
		if err := expandOne(pos, raw, emit); err != nil {
			return err
		}
	}
	return nil
}

func peekByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.ReadByte()
			continue
		case 0xef: // a UTF-8 byte order mark
			if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
				_, _ = br.Discard(3)
				continue
			}
		}
		return b[0], nil
	}
}

// readHTML reads every <script type="application/ld+json"> of a page, streamed through the
// tokenizer; other markup is skipped.
func readHTML(br *bufio.Reader, emit func(Item) error) error {
	z := html.NewTokenizer(br)
	z.SetMaxBuf(maxItemBytes)
	n := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return nil
			}
			if errors.Is(z.Err(), html.ErrBufferExceeded) {
				return emit(Item{Position: fmt.Sprintf("script %d", n+1), Err: fmt.Errorf("longer than %d bytes", maxItemBytes)})
			}
			return z.Err()
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			if atom.Lookup(name) != atom.Script || !hasAttr || !isLDJSON(z) {
				continue
			}
			n++
			var body []byte
			for tt := z.Next(); tt == html.TextToken; tt = z.Next() {
				body = append(body, z.Text()...)
			}
			pos := fmt.Sprintf("script %d", n)
			if err := expand(pos, body, emit); err != nil {
				return err
			}
		}
	}
}

func isLDJSON(z *html.Tokenizer) bool {
	for {
		k, v, more := z.TagAttr()
		if string(k) == "type" {
			t, _, _ := strings.Cut(strings.TrimSpace(strings.ToLower(string(v))), ";")
			return t == "application/ld+json"
		}
		if !more {
			return false
		}
	}
}

// expand emits the postings of one JSON value: a posting, an array of them, or a graph.
func expand(pos string, raw []byte, emit func(Item) error) error {
	raw = bytes.TrimSpace(raw)
	// No separate validity pass: json.Unmarshal checks the whole value before it decodes.
	if len(raw) > 0 && raw[0] == '[' {
		var xs []json.RawMessage
		if err := json.Unmarshal(raw, &xs); err != nil {
			return emit(Item{Position: pos, Err: fmt.Errorf("malformed JSON: %s", jsonReason(err))})
		}
		for i, x := range xs {
			if err := expandOne(fmt.Sprintf("%s, item %d", pos, i+1), x, emit); err != nil {
				return err
			}
		}
		return nil
	}
	return expandOne(pos, raw, emit)
}

// expandOne emits an object if it is a JobPosting, or the JobPostings of its @graph. Objects of
// other types (Organization, BreadcrumbList, …) are not postings and are passed over silently.
func expandOne(pos string, raw json.RawMessage, emit func(Item) error) error {
	var head struct {
		Type  json.RawMessage   `json:"@type"`
		Graph []json.RawMessage `json:"@graph"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		var se *json.SyntaxError
		malformed := errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF)
		if t := bytes.TrimSpace(raw); !malformed && len(t) > 0 && t[0] != '{' {
			return emit(Item{Position: pos, Err: errors.New("not a JSON object")})
		}
		return emit(Item{Position: pos, Err: fmt.Errorf("malformed JSON: %s", jsonReason(err))})
	}
	if head.Graph != nil {
		for i, x := range head.Graph {
			if err := expandOne(fmt.Sprintf("%s, @graph item %d", pos, i+1), x, emit); err != nil {
				return err
			}
		}
		return nil
	}
	if !isType(head.Type, "JobPosting") {
		return nil
	}
	return emit(Item{Position: pos, Raw: raw})
}

// isType reports whether an @type value (a string or a list) names t, with or without a
// schema.org prefix.
func isType(raw json.RawMessage, t string) bool {
	var one string
	var many []string
	if json.Unmarshal(raw, &one) == nil {
		many = []string{one}
	} else if json.Unmarshal(raw, &many) != nil {
		return false
	}
	for _, x := range many {
		x = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(x, "https://schema.org/"), "http://schema.org/"), "schema:")
		if x == t {
			return true
		}
	}
	return false
}

// jsonReason says what is wrong with a JSON value without quoting it.
func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	if err == nil {
		return "invalid"
	}
	return err.Error()
}
