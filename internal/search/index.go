package search

// The full-text index ent's schema cannot express is created by a hand-written migration,
// migrations/<dialect>/*_search_index.sql: on PostgreSQL a tsvector column (generated at first;
// since *_search_vector_written.sql kept by a trigger, or sent by a bulk writer: Vector) over
// openings.search_text with a GIN index; on SQLite an external-content FTS5 table kept in step
// with openings by triggers.
//
// Besides the document's words, the PostgreSQL vector carries the opening's status, location
// and role as tokens, so that a search with those filters narrows in the GIN index alone
// instead of and-ing it with large b-tree bitmaps; and its id's block (Block), so that a
// search can ask the index for the newest openings' matches only (window.go). The trigger's migration and Vector spell these
// tokens out; a change here needs both changed, and a migration that rebuilds the column.

// Tokens the PostgreSQL search vector carries besides the document's words; they cannot clash
// with a word of a document, which never starts with "zzcg".
const (
	tokenStatus   = "zzcgstatus"
	tokenLocation = "zzcgloc"
	tokenRole     = "zzcgrole"
	tokenBlock    = "zzcgblk"
)

// BlockBits is the size of an id block: ids i and j share a block when i>>BlockBits equals
// j>>BlockBits, so a block holds 131,072 consecutive ids. The migration that added the block
// token (*_search_vector_block.sql) spells this number out; a change needs a migration that
// rewrites every vector. TestVectorMatchesTheTrigger fails when the two disagree.
const BlockBits = 17

// Block is the block of opening id, whose token (zzcgblk<Block>) its search vector carries.
func Block(id int64) int64 { return id >> BlockBits }
