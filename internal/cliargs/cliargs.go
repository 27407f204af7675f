// Package cliargs turns command-line arguments into the arguments of an
// emit, by sio's rules:
//
//   - an argument that parses as JSON is that JSON (42 is a number, true a
//     boolean, '"42"' a string), kept as it was typed;
//   - anything else is a string (hello);
//   - @path is the bytes of a file, sent as binary; @- reads standard input;
//     \@ starts an argument with a literal @;
//   - inside JSON, an object {"$binary":"<base64>"} is binary: the form in
//     which sio prints binary, so a logged event can be sent again.
package cliargs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/siocli/sio/pkg/codec"
)

// Options change how arguments are read.
type Options struct {
	// Strings takes every argument as a string, JSON or not.
	Strings bool
	// Stdin is read for @-; nil means os.Stdin.
	Stdin io.Reader
}

// Error names the argument that could not be read.
type Error struct {
	Index int // 1-based, counting the arguments after the event name
	Arg   string
	Err   error
}

func (e *Error) Error() string {
	arg := e.Arg
	if len(arg) > 40 {
		arg = arg[:40] + "…"
	}
	return fmt.Sprintf("argument %d (%s): %v", e.Index, arg, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Parse returns the values for codec.MarshalArgs: json.RawMessage, string,
// []byte, or the []any and map[string]any of JSON that holds binary.
func Parse(args []string, o Options) ([]any, error) {
	stdinUsed := false
	out := make([]any, 0, len(args))
	for i, a := range args {
		v, err := parseOne(a, o, &stdinUsed)
		if err != nil {
			return nil, &Error{Index: i + 1, Arg: a, Err: err}
		}
		out = append(out, v)
	}
	return out, nil
}

func parseOne(a string, o Options, stdinUsed *bool) (any, error) {
	switch {
	case strings.HasPrefix(a, `\@`):
		return a[1:], nil
	case a == "@-":
		if *stdinUsed {
			return nil, fmt.Errorf("standard input can be read once")
		}
		*stdinUsed = true
		in := o.Stdin
		if in == nil {
			in = os.Stdin
		}
		b, err := ReadAll(in, "standard input")
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return b, nil
	case strings.HasPrefix(a, "@") && len(a) > 1:
		b, err := ReadFile(a[1:])
		if err != nil {
			return nil, err
		}
		return b, nil
	case o.Strings:
		return a, nil
	}
	raw := []byte(strings.TrimSpace(a))
	if len(raw) == 0 {
		return a, nil
	}
	if err := json.Unmarshal(raw, new(json.RawMessage)); err != nil {
		if meantAsJSON(raw) {
			// Sending it as a string would hide the mistake.
			return nil, fmt.Errorf("%s; to send it as text, quote it as a JSON string or give --string", jsonMistake(raw, err))
		}
		return a, nil
	}
	return FromJSON(raw)
}

// meantAsJSON says whether text that does not parse was most likely
// meant as JSON: it opens an object or an array, and what follows the
// bracket starts a JSON value, a key or the bracket's end ({"a":,
// [1,}), where "[bot] hello" and "{name} joined" read as text.
func meantAsJSON(raw []byte) bool {
	if raw[0] != '{' && raw[0] != '[' {
		return false
	}
	rest := bytes.TrimLeft(raw[1:], " \t\r\n")
	if len(rest) == 0 {
		return true
	}
	if raw[0] == '{' {
		return rest[0] == '"' || rest[0] == '}'
	}
	switch c := rest[0]; {
	case c == '"' || c == '{' || c == '[' || c == ']' || c == '-' || c >= '0' && c <= '9':
		return true
	}
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(rest, []byte(lit)) {
			return true
		}
	}
	return false
}

// jsonMistake says where JSON that does not parse goes wrong.
func jsonMistake(raw []byte, err error) string {
	var se *json.SyntaxError
	switch {
	case strings.Contains(err.Error(), "unexpected end"):
		return fmt.Sprintf("not valid JSON: it ends at byte %d before its %s is closed", len(raw), map[byte]string{'{': "object", '[': "array"}[raw[0]])
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, strings.TrimPrefix(se.Error(), "invalid character "))
	}
	return "not valid JSON: " + err.Error()
}

// FromJSON returns valid JSON as an emit argument: as it is, unless it
// holds {"$binary":…} objects, which become []byte (the objects around them
// are then rewritten with their keys sorted).
func FromJSON(raw []byte) (any, error) {
	if !bytes.Contains(raw, []byte(`"$binary"`)) {
		return json.RawMessage(raw), nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return unbinary(v)
}

// ParseArray reads a JSON array of arguments, as --args-json gives them.
func ParseArray(raw string) ([]any, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &elems); err != nil {
		return nil, fmt.Errorf("--args-json must be a JSON array: %w", err)
	}
	out := make([]any, len(elems))
	for i, e := range elems {
		v, err := FromJSON(e)
		if err != nil {
			return nil, &Error{Index: i + 1, Arg: string(e), Err: err}
		}
		out[i] = v
	}
	return out, nil
}

// unbinary replaces {"$binary":"<base64>"} objects by their bytes, and
// numbers by their JSON text, so nothing is rounded.
func unbinary(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if b, ok := v["$binary"]; ok && len(v) == 1 {
			s, ok := b.(string)
			if !ok {
				return nil, fmt.Errorf(`"$binary" wants a base64 string`)
			}
			data, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf(`"$binary": %w`, err)
			}
			return data, nil
		}
		for k, e := range v {
			u, err := unbinary(e)
			if err != nil {
				return nil, err
			}
			v[k] = u
		}
		return v, nil
	case []any:
		for i, e := range v {
			u, err := unbinary(e)
			if err != nil {
				return nil, err
			}
			v[i] = u
		}
		return v, nil
	case json.Number:
		return json.RawMessage(v), nil
	default:
		return v, nil
	}
}

// AppendBinary appends the form in which sio shows binary:
// {"$binary":"<base64>"}.
func AppendBinary(dst, blob []byte) []byte {
	dst = append(dst, `{"$binary":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, blob)
	return append(dst, `"}`...)
}

// CheckEvent refuses an event name that sio should not send: an empty
// one, most likely an empty shell variable, and a reserved one such as
// "connect", which the server would take for its own.
func CheckEvent(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("the event name is empty")
	case codec.IsReservedEvent(name):
		return fmt.Errorf("%q is a reserved event name", name)
	}
	return nil
}
