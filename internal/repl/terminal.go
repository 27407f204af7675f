package repl

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/chzyer/readline"
)

// Terminal reads lines with editing, history and completion.
type Terminal struct {
	rl   *readline.Instance
	comp *completer
}

// TerminalConfig configures a Terminal.
type TerminalConfig struct {
	Stdin          io.ReadCloser
	Stdout, Stderr io.Writer
	// HistoryFile keeps the history between sessions; "" keeps none.
	HistoryFile string
	// Complete replaces the shell's completion of commands, events and
	// namespaces (see SetSession).
	Complete readline.AutoCompleter
}

// NewTerminal opens a Terminal. Close it when done.
func NewTerminal(cfg TerminalConfig) (*Terminal, error) {
	if cfg.HistoryFile != "" {
		prepareHistory(cfg.HistoryFile)
	}
	comp := &completer{}
	var auto readline.AutoCompleter = comp
	if cfg.Complete != nil {
		auto = cfg.Complete
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 "sio> ",
		HistoryFile:            cfg.HistoryFile,
		DisableAutoSaveHistory: true,
		AutoComplete:           auto,
		InterruptPrompt:        "^C",
		EOFPrompt:              "exit",
		Stdin:                  cfg.Stdin,
		Stdout:                 cfg.Stdout,
		Stderr:                 cfg.Stderr,
	})
	if err != nil {
		return nil, err
	}
	return &Terminal{rl: rl, comp: comp}, nil
}

// SetSession gives the completion its event names and namespaces. It must
// be called before the first ReadLine.
func (t *Terminal) SetSession(s *Session) { t.comp.s = s }

// prepareHistory creates the history file readable by its owner only,
// before readline, which would create it readable by others, opens it.
func prepareHistory(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	return os.Chmod(path, 0o600)
}

// Stdout is a writer that prints above the prompt without garbling what is
// being typed.
func (t *Terminal) Stdout() io.Writer { return t.rl.Stdout() }

// Stderr is Stdout's counterpart for notes.
func (t *Terminal) Stderr() io.Writer { return t.rl.Stderr() }

// ReadLine reads a line and keeps it in the history, auth values removed.
func (t *Terminal) ReadLine(prompt string) (string, error) {
	t.rl.SetPrompt(prompt)
	line, err := t.rl.Readline()
	switch {
	case errors.Is(err, readline.ErrInterrupt):
		return line, ErrInterrupt
	case err != nil:
		return line, err
	}
	if strings.TrimSpace(line) != "" {
		t.rl.SaveHistory(StripAuth(line))
	}
	return line, nil
}

// Close restores the terminal.
func (t *Terminal) Close() error { return t.rl.Close() }

var authValue = regexp.MustCompile(`(--auth(?:=|\s+))(\{[^\n]*\}|\S+)`)

// StripAuth removes the values of --auth from a line kept in the history.
func StripAuth(line string) string {
	return authValue.ReplaceAllString(line, "${1}{}")
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

// completer completes commands, options, event names, namespaces and file
// paths after @.
type completer struct{ s *Session }

var options = map[string][]string{"emit": {"--ack", "--timeout"}, "ns": {"--auth"}, "trace": {"on", "off"}}

// Do returns the completions of the word before pos, as suffixes.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	text := string(line[:pos])
	start := strings.LastIndexAny(text, " \t") + 1
	word := text[start:]
	before := strings.Fields(text[:start])
	var cands []string
	switch {
	case len(before) == 0:
		cands = Names()
	case strings.HasPrefix(word, "@"):
		cands = paths(word[1:])
		for i := range cands {
			cands[i] = "@" + cands[i]
		}
	case strings.HasPrefix(word, "-"):
		cands = options[before[0]]
	case before[0] == "ns" || before[0] == "use":
		if len(before) == 1 && c.s != nil {
			cands = c.s.Namespaces()
		}
	case before[0] == "emit":
		if c.s != nil && (len(before) == 1 || strings.HasPrefix(before[len(before)-1], "--")) {
			cands = append(cands, c.s.Seen()...)
		}
		cands = append(cands, options["emit"]...)
	case before[0] == "on" || before[0] == "off":
		if c.s != nil {
			cands = c.s.Seen()
		}
	case before[0] == "help" || before[0] == "?":
		cands = Names()
	default:
		cands = options[before[0]]
	}
	var out [][]rune
	for _, cand := range cands {
		if strings.HasPrefix(cand, word) && cand != word {
			end := " "
			if strings.HasSuffix(cand, "/") {
				end = "" // a folder: the path goes on
			}
			out = append(out, []rune(cand[len(word):]+end))
		}
	}
	return out, len([]rune(word))
}

// paths lists the files and folders that complete a path prefix.
func paths(prefix string) []string {
	dir, base := filepath.Split(prefix)
	look := dir
	if look == "" {
		look = "."
	}
	entries, err := os.ReadDir(look)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), base) && (base != "" || !strings.HasPrefix(e.Name(), ".")) {
			name := dir + e.Name()
			if e.IsDir() {
				name += "/"
			}
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
