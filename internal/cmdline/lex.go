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

// openScanner follows, a chunk at a time, whether a command line is still
// open as Split sees it: inside a quoted word, a JSON string or a JSON
// value whose brackets are not closed. The loop feeds it each line of a
// multi-line command and splits the command once it closes, so that a
// long one takes linear time rather than a Split per line. Split stays
// the judge: the scanner only says when calling it is worth it.
type openScanner struct {
	state   byte // ' ' between words, 'b' bare, 'q' single-quoted, 's' JSON string, 'j' JSON value, 'a' after a value, 'e' an error Split will name
	depth   int  // of the JSON value's brackets
	inStr   bool // in a string inside the JSON value
	esc     bool // after a backslash in a string
	started bool // past the leading white space
	comment bool
}

func (o *openScanner) reset() { *o = openScanner{} }

// open reports whether the text fed so far leaves a word open.
func (o *openScanner) open() bool {
	return !o.comment && (o.state == 'q' || o.state == 's' || o.state == 'j')
}

func (o *openScanner) feed(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ws := c == ' ' || c == '\t' || c == '\r' || c == '\n'
		if !o.started {
			if ws {
				continue
			}
			o.started, o.state = true, ' '
			if c == '#' {
				o.comment = true
			}
		}
		if o.comment {
			return
		}
		switch o.state {
		case ' ':
			switch {
			case ws:
			case c == '{' || c == '[':
				o.state, o.depth = 'j', 1
			case c == '"':
				o.state = 's'
			case c == '\'':
				o.state = 'q'
			default:
				o.state = 'b'
			}
		case 'b':
			if ws {
				o.state = ' '
			}
		case 'q':
			if c == '\'' {
				o.state = 'a'
			}
		case 's':
			switch {
			case o.esc:
				o.esc = false
			case c == '\\':
				o.esc = true
			case c == '"':
				o.state = 'a'
			}
		case 'j':
			switch {
			case o.inStr && o.esc:
				o.esc = false
			case o.inStr && c == '\\':
				o.esc = true
			case o.inStr && c == '"':
				o.inStr = false
			case o.inStr:
			case c == '"':
				o.inStr = true
			case c == '{' || c == '[':
				o.depth++
			case c == '}' || c == ']':
				if o.depth--; o.depth == 0 {
					o.state = 'a'
				}
			}
		case 'a':
			if ws {
				o.state = ' '
			} else {
				o.state = 'e'
			}
		}
	}
}
