package cliargs

import (
	"fmt"
	"io"
	"os"
)

// MaxInput is the most sio reads from one file or from standard input for
// an argument, an auth payload, a certificate or a script.
const MaxInput = 100 << 20

// ReadFile reads a file of at most MaxInput bytes; a larger one is an
// error naming it and the limit, read no further than that.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path)
}

// ReadAll is ReadFile for a reader, name saying what it is.
func ReadAll(r io.Reader, name string) ([]byte, error) { return readAtMost(r, name, MaxInput) }

func readAtMost(r io.Reader, name string, limit int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%s is larger than %s, the most sio reads", name, size(limit))
	}
	return b, nil
}

func size(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
