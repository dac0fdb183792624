package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportCommand runs `careergraph import` on the fixtures into a fresh SQLite file, twice:
// the second run finds everything unchanged.
func TestImportCommand(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "file:" + filepath.Join(t.TempDir(), "cg.db"), "LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	args := []string{"--source", "fixtures", "--full", "internal/importer/testdata/array.json", "internal/importer/testdata/broken.jsonl"}
	var out, errOut bytes.Buffer
	require.NoError(t, runImport(args, getenv, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "source import:fixtures\n")
	assert.Contains(t, out.String(), "read 13, created 5, updated 0, unchanged 0, closed 0, rejected 8 (unclassified 0)")
	assert.Contains(t, out.String(), "rejected internal/importer/testdata/broken.jsonl, line 3: title: missing")
	assert.Contains(t, errOut.String(), "import: internal/importer/testdata/array.json: 3 read, 3 created")

	out.Reset()
	require.NoError(t, runImport(args, getenv, &out, &errOut))
	assert.Contains(t, out.String(), "read 13, created 0, updated 0, unchanged 5, closed 0, rejected 8")

	out.Reset()
	err := runImport([]string{"--full", "internal/importer/testdata/array.json", "internal/importer/testdata/missing.json"}, getenv, &out, &errOut)
	require.Error(t, err)
	assert.Contains(t, out.String(), "source import:array\n", "the source defaults to the first file's name")
	assert.Contains(t, out.String(), "nothing was closed")

	// --max-bytes bounds a document: a feed over it is refused as incomplete, closing nothing.
	out.Reset()
	err = runImport([]string{"--source", "fixtures", "--full", "--max-bytes", "100", "internal/importer/testdata/array.json"}, getenv, &out, &errOut)
	require.Error(t, err)
	assert.Contains(t, err.Error()+out.String(), "larger than")
	assert.Contains(t, out.String(), "nothing was closed")

	assert.Equal(t, "jobs.example.com", sourceName("https://www.jobs.example.com/feed.json?page=1"))
	assert.Equal(t, "my-feed", sourceName("/tmp/My Feed.jsonl"))
}
