package cmdline

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/siocli/sio/internal/cliargs"
)

// TextOf returns a word as a plain string: a JSON word must be a string.
func TextOf(w Word) (string, error) {
	if w.Kind != JSON {
		return w.Text, nil
	}
	var s string
	if err := json.Unmarshal([]byte(w.Text), &s); err != nil {
		return "", errors.New("must be a string")
	}
	return s, nil
}

// Values turns argument words into emit values: a 'quoted' word is a
// string, a JSON word its JSON, a bare word follows sio emit's rules.
func Values(words []Word) ([]any, error) {
	out := make([]any, 0, len(words))
	for i, w := range words {
		var v any
		var err error
		switch w.Kind {
		case Quoted:
			v = w.Text
		case JSON:
			if !json.Valid([]byte(w.Text)) {
				return nil, fmt.Errorf("argument %d (%.40s): invalid JSON", i+1, w.Text)
			}
			v, err = cliargs.FromJSON([]byte(w.Text))
		default:
			if w.Text == "@-" {
				return nil, fmt.Errorf("argument %d: @- (standard input) is not available in the shell or a script", i+1)
			}
			var vs []any
			vs, err = cliargs.Parse([]string{w.Text}, cliargs.Options{})
			if err == nil {
				v = vs[0]
			}
		}
		if err != nil {
			var ce *cliargs.Error
			if errors.As(err, &ce) {
				err = ce.Err
			}
			return nil, fmt.Errorf("argument %d (%.40s): %v", i+1, w.Text, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// ArgHelp explains how arguments are written, for help.
const ArgHelp = `Arguments: 42 is a number, "42" and 'it is' are strings, hello is a
string, {"a":[1,2]} is JSON (it may span lines), @path is a file's bytes
as binary, {"$binary":"<base64>"} is binary inside JSON. Options go
anywhere on the line; -- ends them.
`
