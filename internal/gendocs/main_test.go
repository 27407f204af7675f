package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestManPagesFresh fails when docs/man differs from the pages the
// commands make now.
func TestManPagesFresh(t *testing.T) {
	dir := t.TempDir()
	if err := writeManPages(dir); err != nil {
		t.Fatal(err)
	}
	made, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	kept, _ := filepath.Glob(filepath.Join("..", "..", "docs", "man", "*.1"))
	if len(made) == 0 || len(made) != len(kept) {
		t.Fatalf("%d pages made, %d in docs/man: run scripts/gen-man.sh", len(made), len(kept))
	}
	for _, m := range made {
		want, err := os.ReadFile(filepath.Join("..", "..", "docs", "man", filepath.Base(m)))
		got, _ := os.ReadFile(m)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/man/%s is stale: run scripts/gen-man.sh", filepath.Base(m))
		}
	}
}
