package repl

import (
	"context"
	"io"

	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/output"
)

// Run reads commands from in until exit, the end of input, or a second
// Ctrl-C on an empty line, and carries them out on s (see cmdline.Loop).
// It returns how many commands failed, and the error that ended the input
// early, if one did.
func Run(ctx context.Context, s *Session, in cmdline.LineReader, notes io.Writer) (int, error) {
	l := &cmdline.Loop{Table: s.table, In: in, Notes: notes, Prompt: s.Prompt, Record: s.Record, Error: output.Describe}
	return l.Run(ctx)
}

// Completer completes the shell's commands, the event names seen or
// emitted, and the namespaces.
func (s *Session) Completer() *cmdline.Completer {
	return &cmdline.Completer{Table: s.table, Sources: map[string]func() []string{
		"events":     s.Seen,
		"namespaces": s.Namespaces,
	}}
}
