package cmdline

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/siocli/sio/pkg/codec"
)

// Kind is how a word was written, which decides what value it stands for.
type Kind int

const (
	// Bare is a word written as it is: an emit argument by sio's rules
	// (JSON if it parses, else a string; @file is binary).
	Bare Kind = iota
	// JSON is an object, array or "string" written as JSON, which may span
	// lines while its brackets are open.
	JSON
	// Quoted is a 'single-quoted' string, taken literally.
	Quoted
)

// Word is one word of a command line.
type Word struct {
	Text string // for Quoted, without the quotes
	Kind Kind
}

// ErrIncomplete says the input ends inside a quote or an open bracket: the
// line continues on the next one.
var ErrIncomplete = errors.New("incomplete input")

// Split cuts a command line into words. A line that starts with # is a
// comment and has none.
func Split(line string) ([]Word, error) {
	var words []Word
	s := strings.TrimLeft(line, " \t\r\n")
	if strings.HasPrefix(s, "#") {
		return nil, nil
	}
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
			continue
		case c == '{' || c == '[':
			end, err := valueEnd(line, i)
			if err != nil {
				return nil, err
			}
			if !json.Valid([]byte(line[i:end])) {
				// Not JSON after all, such as the pattern [a-z]*: a bare word.
				end = i
				for end < len(line) && !strings.ContainsRune(" \t\r\n", rune(line[end])) {
					end++
				}
				words = append(words, Word{Text: line[i:end], Kind: Bare})
				i = end
				continue
			}
			words = append(words, Word{Text: line[i:end], Kind: JSON})
			i = end
		case c == '"':
			end, err := valueEnd(line, i)
			if err != nil {
				return nil, err
			}
			words = append(words, Word{Text: line[i:end], Kind: JSON})
			i = end
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, ErrIncomplete
			}
			words = append(words, Word{Text: line[i+1 : i+1+end], Kind: Quoted})
			i += end + 2
		default:
			end := i
			for end < len(line) && !strings.ContainsRune(" \t\r\n", rune(line[end])) {
				end++
			}
			words = append(words, Word{Text: line[i:end], Kind: Bare})
			i = end
			continue
		}
		if i < len(line) && !strings.ContainsRune(" \t\r\n", rune(line[i])) {
			return nil, fmt.Errorf("unexpected %q after %s", line[i], words[len(words)-1].Text)
		}
	}
	return words, nil
}

// valueEnd returns the index just past the JSON object, array or string
// opening at s[i], or ErrIncomplete when the line ends inside it.
func valueEnd(s string, i int) (int, error) {
	end, err := codec.ValueEnd([]byte(s), i)
	if errors.Is(err, codec.ErrTruncated) {
		return 0, ErrIncomplete
	}
	return end, err
}

// Source returns the word as it would be written on a line.
func (w Word) Source() string {
	if w.Kind == Quoted {
		return "'" + w.Text + "'"
	}
	return w.Text
}
