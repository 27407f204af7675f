package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/siocli/sio/internal/output"
)

// ErrInterrupt is returned by a LineReader when the user pressed Ctrl-C.
var ErrInterrupt = errors.New("interrupted")

// LineReader is where the shell reads its lines.
type LineReader interface {
	// ReadLine shows prompt (when it shows prompts) and returns the next
	// line, io.EOF at the end, or ErrInterrupt with what had been typed.
	ReadLine(prompt string) (string, error)
}

// Run reads commands until exit, the end of input, or a second Ctrl-C on
// an empty line, and carries them out. A line whose JSON or quotes are
// still open continues on the next. Errors are reported on notes, one line
// each, and the shell goes on. It returns how many commands failed.
func Run(ctx context.Context, s *Session, in LineReader, notes io.Writer) (failed int) {
	var pending strings.Builder
	interrupted := false
	for {
		prompt := s.Prompt()
		if pending.Len() > 0 {
			prompt = strings.Repeat(" ", len(prompt)-4) + "... "
		}
		line, err := in.ReadLine(prompt)
		if errors.Is(err, ErrInterrupt) {
			// Ctrl-C clears the line; on an empty line right after
			// another Ctrl-C, it leaves.
			if pending.Len() == 0 && line == "" && interrupted {
				return failed
			}
			interrupted = true
			pending.Reset()
			continue
		}
		interrupted = false
		if err != nil {
			return failed // io.EOF: Ctrl-D or the end of the piped input
		}
		if pending.Len() > 0 {
			pending.WriteByte('\n')
		}
		pending.WriteString(line)
		words, err := Split(pending.String())
		if errors.Is(err, ErrIncomplete) {
			continue
		}
		text := pending.String()
		pending.Reset()
		var c *Command
		if err == nil {
			c, err = Parse(words)
		}
		if err != nil {
			fmt.Fprintf(notes, "error: %s\n", output.Describe(err))
			failed++
			continue
		}
		if c == nil {
			continue
		}
		s.Record(text)
		exit, err := s.Exec(ctx, c)
		if err != nil {
			fmt.Fprintf(notes, "error: %s\n", output.Describe(err))
			failed++
		}
		if exit {
			return failed
		}
	}
}

// PipeReader reads lines from a non-terminal, showing no prompt.
type PipeReader struct{ sc *bufio.Scanner }

// NewPipeReader returns a PipeReader on r.
func NewPipeReader(r io.Reader) *PipeReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	return &PipeReader{sc: sc}
}

// ReadLine returns the next line.
func (p *PipeReader) ReadLine(string) (string, error) {
	if p.sc.Scan() {
		return p.sc.Text(), nil
	}
	if err := p.sc.Err(); err != nil {
		return "", err
	}
	return "", io.EOF
}
