package cmd

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"

	"github.com/siocli/sio/internal/output"
)

// IOStreams are the streams a command reads and writes. Data goes to Out;
// status and diagnostics go to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InTTY, OutTTY and ErrTTY say whether In, Out and ErrOut are
	// terminals.
	InTTY, OutTTY, ErrTTY bool
	// NoColor is set when the NO_COLOR environment variable is.
	NoColor bool
	// Dumb is set when TERM is "dumb": such a terminal edits no line and
	// answers no cursor query, so the shell reads it a line at a time.
	Dumb bool
}

// LineEditing says whether the shell and sio serve's prompt may edit lines
// on In: it is a terminal, and not a dumb one.
func (s *IOStreams) LineEditing() bool { return s.InTTY && !s.Dumb }

// System returns the process's standard streams.
func System() *IOStreams {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY:   isatty.IsTerminal(os.Stdin.Fd()) || isatty.IsCygwinTerminal(os.Stdin.Fd()),
		OutTTY:  isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd()),
		ErrTTY:  isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
		NoColor: noColor,
		Dumb:    os.Getenv("TERM") == "dumb",
	}
}

// ColorEnabled says whether what goes to Out may be coloured: Out is a
// terminal and NO_COLOR is not set. Every command decides by it.
func (s *IOStreams) ColorEnabled() bool { return s.OutTTY && !s.NoColor }

// printer returns the printer for data on Out in the given -o format:
// "auto" is text on a terminal and JSON lines otherwise.
func (s *IOStreams) printer(format string) (*output.Printer, error) {
	f, err := outputFormat(format, s.OutTTY)
	if err != nil {
		return nil, err
	}
	return output.New(s.Out, f, s.ColorEnabled()), nil
}

func outputFormat(format string, tty bool) (output.Format, error) {
	switch format {
	case "auto":
		if tty {
			return output.Text, nil
		}
		return output.JSON, nil
	case "text":
		return output.Text, nil
	case "json":
		return output.JSON, nil
	}
	return 0, usagef("-o %q: want auto, text or json", format)
}
