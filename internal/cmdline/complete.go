package cmdline

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Completer completes a Table's commands, their options, the values of
// arguments with choices or a completion source, and file paths after @.
// Its Do method is readline's AutoCompleter.
type Completer struct {
	Table *Table
	// Sources give the candidates of an Arg's Complete name ("events",
	// "namespaces"); "commands" is the table's own names.
	Sources map[string]func() []string
}

// Do returns the completions of the word before pos, as suffixes, and
// the length of that word.
func (c *Completer) Do(line []rune, pos int) ([][]rune, int) {
	text := string(line[:pos])
	start := strings.LastIndexAny(text, " \t") + 1
	word := text[start:]
	before := strings.Fields(text[:start])
	var cands []string
	switch {
	case len(before) == 0:
		cands = c.Table.Names()
	case strings.HasPrefix(word, "@"):
		cands = paths(word[1:])
		for i := range cands {
			cands[i] = "@" + cands[i]
		}
	default:
		s, ok := c.Table.Lookup(before[0])
		if !ok {
			break
		}
		if strings.HasPrefix(word, "-") {
			for _, f := range s.Flags {
				cands = append(cands, "--"+f.Name)
			}
			break
		}
		cands = c.argCandidates(s, before[1:])
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

// argCandidates returns what may stand as the next positional argument
// after the words already typed.
func (c *Completer) argCandidates(s *Spec, typed []string) []string {
	n := 0
	for i := 0; i < len(typed); i++ {
		if f, _, hasVal, ok := s.flag(typed[i]); ok {
			if f.Type != Bool && !hasVal {
				i++ // its value
			}
			continue
		}
		n++
	}
	var a *Arg
	for i := range s.Args {
		if i == n || s.Args[i].Many && i <= n {
			a = &s.Args[i]
			break
		}
	}
	if a == nil {
		return nil
	}
	if len(a.Choices) > 0 {
		return a.Choices
	}
	if a.Complete == "commands" {
		return c.Table.Names()
	}
	if f := c.Sources[a.Complete]; f != nil {
		return slices.Clone(f())
	}
	return nil
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
	slices.Sort(out)
	return out
}
