//go:build !unix

package repl

// ttyModes is readline's own handling of the terminal here.
type ttyModes struct{}

func newTTYModes() *ttyModes { return nil }

func (*ttyModes) makeRaw() error      { return nil }
func (*ttyModes) betweenLines() error { return nil }
func (*ttyModes) restore() error      { return nil }
