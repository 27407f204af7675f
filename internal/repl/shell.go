package repl

import (
	"context"
	"io"

	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/output"
)

// Run reads commands from in until exit, the end of input, or a second
// Ctrl-C on an empty line, and carries them out (see cmdline.Loop). It
// returns how many commands failed, and the error that ended the input
// early, if one did.
func (sh *Shell) Run(ctx context.Context, in cmdline.LineReader, notes io.Writer) (int, error) {
	l := &cmdline.Loop{Table: sh.table, In: in, Notes: notes, Prompt: sh.Prompt, Record: sh.Record, Error: func(err error) string { return output.Visible(output.Describe(err)) }}
	_, l.CancelOnInterrupt = in.(*Terminal) // Ctrl-C stops the command that waits, not the shell
	sh.piped.Store(!l.CancelOnInterrupt)
	return l.Run(ctx)
}

// Completer completes the shell's commands, the event names seen or
// emitted, and the namespaces.
func (sh *Shell) Completer() *cmdline.Completer {
	return &cmdline.Completer{Table: sh.table, Sources: map[string]func() []string{
		"events":     sh.s.Seen,
		"namespaces": sh.s.Namespaces,
	}}
}
