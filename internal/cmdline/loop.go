package cmdline

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

// ErrInterrupt is returned by a LineReader when the user pressed Ctrl-C.
var ErrInterrupt = errors.New("interrupted")

// LineReader is where a loop reads its lines.
type LineReader interface {
	// ReadLine shows prompt (when it shows prompts) and returns the next
	// line, io.EOF at the end, or ErrInterrupt with what had been typed.
	ReadLine(prompt string) (string, error)
}

// Historian is a LineReader that keeps a history: the loop gives it each
// whole command, its secrets redacted, once its last line is read.
type Historian interface {
	SaveHistory(command string)
}

// Loop is the interactive loop of the shell and of sio serve's prompt.
type Loop struct {
	Table  *Table
	In     LineReader
	Notes  io.Writer           // where errors go, one line each
	Prompt func() string       // the prompt for the next command
	Record func(text string)   // called with each command before it runs; may be nil
	Error  func(error) string  // the line that describes an error; nil: its text
	Before func(*Parsed) error // called before each command runs; may be nil
	// CancelOnInterrupt makes Ctrl-C (SIGINT) while a command runs cancel
	// that command, not the program: for a terminal, where the reader
	// takes Ctrl-C itself between commands.
	CancelOnInterrupt bool
}

// Run reads commands until exit, the end of input, or a second Ctrl-C on
// an empty line, and runs them. A line whose JSON or quotes are still open
// continues on the next. Errors are reported on Notes and the loop goes
// on. It returns how many commands failed and the reader's error, if it
// was not the end of input.
func (l *Loop) Run(ctx context.Context) (failed int, err error) {
	var pending strings.Builder
	var scan openScanner
	interrupted := false
	for {
		prompt := l.Prompt()
		if pending.Len() > 0 {
			prompt = strings.Repeat(" ", max(len(prompt)-4, 0)) + "... "
		}
		line, err := l.In.ReadLine(prompt)
		if errors.Is(err, ErrInterrupt) {
			// Ctrl-C clears the line; on an empty line right after
			// another Ctrl-C, it leaves.
			empty := pending.Len() == 0 && line == ""
			if empty && interrupted {
				return failed, nil
			}
			if empty {
				fmt.Fprintln(l.Notes, "(Ctrl-C again or Ctrl-D to leave)")
			}
			interrupted = true
			pending.Reset()
			scan.reset()
			continue
		}
		interrupted = false
		if errors.Is(err, io.EOF) {
			// Ctrl-D or the end of the piped input; a command left
			// unfinished is said, not dropped.
			if text := strings.TrimSpace(pending.String()); text != "" {
				first, _, _ := strings.Cut(l.Table.Redact(text), "\n")
				fmt.Fprintf(l.Notes, "error: the input ended inside a command whose JSON or quotes are still open, so it was not run: %s\n", first)
				failed++
			}
			return failed, nil
		}
		if err != nil {
			return failed, err
		}
		if pending.Len() > 0 {
			pending.WriteByte('\n')
			scan.feed("\n")
		}
		pending.WriteString(line)
		if scan.feed(line); scan.open() {
			continue // still open: no Split until it may close
		}
		words, err := Split(pending.String())
		if errors.Is(err, ErrIncomplete) {
			continue
		}
		text := pending.String()
		pending.Reset()
		scan.reset()
		if h, ok := l.In.(Historian); ok && strings.TrimSpace(text) != "" {
			h.SaveHistory(l.Table.Redact(text))
		}
		var p *Parsed
		if err == nil {
			p, err = l.Table.Parse(words)
		}
		if err == nil && p != nil {
			if l.Record != nil {
				l.Record(text)
			}
			if l.Before != nil {
				err = l.Before(p)
			}
			if err == nil {
				err = l.run(ctx, p)
			}
		}
		if errors.Is(err, ErrExit) {
			return failed, nil
		}
		if err != nil {
			fmt.Fprintf(l.Notes, "error: %s\n", l.describe(err))
			failed++
		}
	}
}

// run carries out one command, cancelled by Ctrl-C with CancelOnInterrupt.
func (l *Loop) run(ctx context.Context, p *Parsed) error {
	if !l.CancelOnInterrupt {
		return p.Spec.Run(ctx, p)
	}
	cctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	err := p.Spec.Run(cctx, p)
	if err != nil && cctx.Err() != nil && ctx.Err() == nil {
		return errInterrupted
	}
	return err
}

// errInterrupted is a command that Ctrl-C cancelled.
var errInterrupted = errors.New("interrupted (Ctrl-C)")

func (l *Loop) describe(err error) string {
	if l.Error != nil {
		return l.Error(err)
	}
	return err.Error()
}

// maxPipeLine is the longest line a PipeReader takes.
const maxPipeLine = 16 << 20

// PipeReader reads lines from a non-terminal, showing no prompt.
type PipeReader struct {
	sc   *bufio.Scanner
	line int
}

// NewPipeReader returns a PipeReader on r.
func NewPipeReader(r io.Reader) *PipeReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxPipeLine)
	return &PipeReader{sc: sc}
}

// ReadLine returns the next line.
func (p *PipeReader) ReadLine(string) (string, error) {
	if p.sc.Scan() {
		p.line++
		return p.sc.Text(), nil
	}
	if err := p.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return "", fmt.Errorf("input line %d is longer than %d MiB", p.line+1, maxPipeLine>>20)
		}
		return "", fmt.Errorf("input line %d: %w", p.line+1, err)
	}
	return "", io.EOF
}
