package cmdline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Value is what a variable stands for: JSON (a value kept by a script's
// set) or plain text (an environment variable).
type Value struct {
	JSON json.RawMessage // nil for text
	Text string
}

// text is the value as text: a JSON string's content, other JSON as it is.
func (v Value) text() string {
	if v.JSON == nil {
		return v.Text
	}
	var s string
	if json.Unmarshal(v.JSON, &s) == nil {
		return s
	}
	return string(v.JSON)
}

// raw is the value where it stands outside quotes: its JSON, or the text.
func (v Value) raw() string {
	if v.JSON == nil {
		return v.Text
	}
	return string(v.JSON)
}

// Expand replaces each ${NAME} of a line by what lookup gives for NAME.
// Outside quotes it puts in the value's JSON (emit x ${id} sends the value
// as it was kept); inside a "JSON string" its text, escaped for JSON
// ("user-${id}" is one string), and inside a 'quoted' word its text as it
// is. The line is walked as Split walks it, so a quote means what it means
// to the lexer. A ${ that names no variable stays as it is.
func Expand(line string, lookup func(name string) (Value, error)) (string, error) {
	if strings.HasPrefix(strings.TrimLeft(line, " \t\r\n"), "#") || !strings.Contains(line, "${") {
		return line, nil
	}
	e := &expander{src: line, lookup: lookup}
	for e.i < len(line) {
		switch c := line[e.i]; {
		case isBlank(c):
			e.out.WriteByte(c)
			e.i++
		case c == '\'':
			if err := e.quoted(); err != nil {
				return "", err
			}
		case c == '"' || c == '{' || c == '[':
			if err := e.json(); err != nil {
				return "", err
			}
		default:
			if err := e.bare(); err != nil {
				return "", err
			}
		}
	}
	return e.out.String(), nil
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

type expander struct {
	src    string
	i      int
	out    strings.Builder
	lookup func(string) (Value, error)
}

// variable returns the name of the ${NAME} at e.i and its length, or ""
// when there is none.
func (e *expander) variable() (string, int) {
	s := e.src[e.i:]
	if !strings.HasPrefix(s, "${") {
		return "", 0
	}
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", 0
	}
	name := s[2:end]
	if !IsName(strings.TrimPrefix(name, "ENV:")) {
		return "", 0
	}
	return name, end + 1
}

// IsName says whether s can name a variable: a letter or _, then letters,
// digits and _.
func IsName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// put writes the variable at e.i, if there is one, in the form f gives,
// and says whether it did.
func (e *expander) put(f func(Value) (string, error)) (bool, error) {
	name, n := e.variable()
	if n == 0 {
		return false, nil
	}
	v, err := e.lookup(name)
	if err != nil {
		return false, err
	}
	s, err := f(v)
	if err != nil {
		return false, err
	}
	e.out.WriteString(s)
	e.i += n
	return true, nil
}

func raw(v Value) (string, error) { return v.raw(), nil }

func jsonText(v Value) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v.text())
	s := strings.TrimSuffix(b.String(), "\n")
	return s[1 : len(s)-1], nil
}

// bare copies a bare word up to white space, values as JSON.
func (e *expander) bare() error {
	for e.i < len(e.src) && !isBlank(e.src[e.i]) {
		if ok, err := e.put(raw); err != nil {
			return err
		} else if ok {
			continue
		}
		e.out.WriteByte(e.src[e.i])
		e.i++
	}
	return nil
}

// quoted copies a 'quoted' word, values as their text.
func (e *expander) quoted() error {
	e.out.WriteByte('\'')
	e.i++
	for e.i < len(e.src) && e.src[e.i] != '\'' {
		name, n := e.variable()
		if n == 0 {
			e.out.WriteByte(e.src[e.i])
			e.i++
			continue
		}
		v, err := e.lookup(name)
		if err != nil {
			return err
		}
		t := v.text()
		if strings.Contains(t, "'") {
			return fmt.Errorf("${%s} holds a ' and cannot go inside 'quotes': write \"${%s}\"", name, name)
		}
		e.out.WriteString(t)
		e.i += n
	}
	if e.i < len(e.src) {
		e.out.WriteByte('\'')
		e.i++
	}
	return nil
}

// json copies a JSON word: values as JSON outside its strings, as escaped
// text inside them. It ends where the word's brackets close; what follows
// without a blank is copied as a bare word would be.
func (e *expander) json() error {
	depth := 0
	for e.i < len(e.src) {
		c := e.src[e.i]
		switch {
		case c == '"':
			if err := e.jsonString(); err != nil {
				return err
			}
			if depth == 0 {
				return e.bare()
			}
			continue
		case c == '$':
			if ok, err := e.put(raw); err != nil {
				return err
			} else if ok {
				continue
			}
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				e.out.WriteByte(c)
				e.i++
				return e.bare()
			}
		}
		e.out.WriteByte(c)
		e.i++
	}
	return nil
}

// jsonString copies the "string" at e.i, values as escaped text.
func (e *expander) jsonString() error {
	e.out.WriteByte('"')
	for e.i++; e.i < len(e.src); {
		c := e.src[e.i]
		switch c {
		case '\\':
			e.out.WriteByte(c)
			if e.i+1 < len(e.src) {
				e.out.WriteByte(e.src[e.i+1])
			}
			e.i += 2
			continue
		case '"':
			e.out.WriteByte(c)
			e.i++
			return nil
		case '$':
			if ok, err := e.put(jsonText); err != nil {
				return err
			} else if ok {
				continue
			}
		}
		e.out.WriteByte(c)
		e.i++
	}
	return nil
}
