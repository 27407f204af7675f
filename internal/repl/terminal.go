package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/ergochat/readline"

	"github.com/siocli/sio/internal/cmdline"
)

// Terminal reads lines with editing, history and completion. It answers
// readline's cursor position query itself when the terminal does not
// (cprGate), and keeps the terminal raw between lines too, so that keys
// typed while a command runs reach the next prompt as typed (ttyModes).
type Terminal struct {
	rl    *readline.Instance
	comp  *completer
	gate  *cprGate
	modes *ttyModes // nil: readline's own raw mode
	close sync.Once
	typed atomic.Int64 // runes on the line being edited, for Ctrl-C

	// printMu keeps prints above the prompt out of the keys that end or
	// clear a line (Enter, Ctrl-C, Ctrl-D): readline resets its line
	// buffer for them without its lock. held says the key loop has it.
	printMu sync.Mutex
	held    atomic.Bool
}

// hold is called by the key loop before a key that may end the line. A
// key the completion menu takes gets no release until the next one, so a
// hold already there stays as it is.
func (t *Terminal) hold() {
	if t.held.Load() {
		return
	}
	t.printMu.Lock()
	t.held.Store(true)
}

// release ends a hold, once the key was handled or the line returned.
func (t *Terminal) release() {
	if t.held.CompareAndSwap(true, false) {
		t.printMu.Unlock()
	}
}

// printer is a writer whose writes wait out a hold.
type printer struct {
	t *Terminal
	w io.Writer
}

func (p *printer) Write(b []byte) (int, error) {
	p.t.printMu.Lock()
	defer p.t.printMu.Unlock()
	return p.w.Write(b)
}

// TerminalConfig configures a Terminal.
type TerminalConfig struct {
	Stdin          io.ReadCloser
	Stdout, Stderr io.Writer
	// HistoryFile keeps the history between sessions; "" keeps none.
	HistoryFile string
}

// NewTerminal opens a Terminal. Close it when done.
func NewTerminal(cfg TerminalConfig) (*Terminal, error) {
	if cfg.HistoryFile != "" {
		if err := prepareHistory(cfg.HistoryFile); err != nil {
			fmt.Fprintf(cfg.Stderr, "sio: no history this time: %v\n", err)
			cfg.HistoryFile = ""
		}
	}
	comp := &completer{}
	t := &Terminal{comp: comp, gate: newCPRGate(cfg.Stdin, cfg.Stdout, cprWait), modes: newTTYModes()}
	rc := &readline.Config{
		Listener: func(line []rune, pos int, key rune) ([]rune, int, bool) {
			t.typed.Store(int64(len(line)))
			t.release() // the key did not end the line
			return nil, 0, false
		},
		FuncFilterInputRune: func(r rune) (rune, bool) {
			switch r {
			case '\r', '\n', readline.CharInterrupt, readline.CharEOT:
				t.hold()
			}
			return r, true
		},
		Prompt:                 "sio> ",
		HistoryFile:            cfg.HistoryFile,
		DisableAutoSaveHistory: true,
		AutoComplete:           comp,
		InterruptPrompt:        "^C",
		EOFPrompt:              "exit",
		Stdin:                  t.gate, // for the cursor position query
		Stdout:                 t.gate,
		Stderr:                 cfg.Stderr,
	}
	if t.modes != nil {
		rc.FuncMakeRaw, rc.FuncExitRaw = t.modes.makeRaw, t.modes.betweenLines
	}
	rl, err := readline.NewFromConfig(rc)
	if err != nil {
		t.gate.Close()
		return nil, err
	}
	t.rl = rl
	return t, nil
}

// SetCompleter sets what completes the words typed (Tab).
func (t *Terminal) SetCompleter(c *cmdline.Completer) { t.comp.c.Store(c) }

// prepareHistory creates the history file readable by its owner only,
// before readline, which would create it readable by others, opens it.
func prepareHistory(path string) error {
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (a link?); sio does not follow it", path)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY|noFollow, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	return os.Chmod(path, 0o600)
}

// Stdout is a writer that prints above the prompt without garbling what is
// being typed: readline serialises it with its own drawing, and the hold
// with the keys that end a line.
func (t *Terminal) Stdout() io.Writer { return &printer{t, t.rl.Stdout()} }

// Stderr is Stdout's counterpart for notes.
func (t *Terminal) Stderr() io.Writer { return &printer{t, t.rl.Stderr()} }

// ReadLine reads a line. On Ctrl-C it returns cmdline.ErrInterrupt, and a
// line that is not empty when something had been typed.
func (t *Terminal) ReadLine(prompt string) (string, error) {
	t.rl.SetPrompt(prompt)
	t.typed.Store(0)
	line, err := t.rl.ReadLine()
	t.release()
	if errors.Is(err, readline.ErrInterrupt) {
		if t.typed.Load() > 0 {
			line = "^C" // what was typed is dropped; only its being there counts
		}
		return line, cmdline.ErrInterrupt
	}
	return line, err
}

// SaveHistory keeps a command, already redacted, in the history.
func (t *Terminal) SaveHistory(command string) { t.rl.SaveToHistory(command) }

// Close restores the terminal and ends a ReadLine under way. It may be
// called more than once.
func (t *Terminal) Close() error {
	var err error
	t.close.Do(func() {
		err = t.rl.Close()
		t.gate.Close()
		if t.modes != nil {
			err = errors.Join(err, t.modes.restore())
		}
	})
	return err
}

// HistoryPath returns the history file in the user's state directory
// ($XDG_STATE_HOME/sio/history, else ~/.local/state/sio/history), creating
// its directory; "" when there is none.
func HistoryPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "sio")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return filepath.Join(dir, "history")
}

// completer hands completion to the Completer set last.
type completer struct {
	c atomic.Pointer[cmdline.Completer]
}

func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	if x := c.c.Load(); x != nil {
		return x.Do(line, pos)
	}
	return nil, 0
}
