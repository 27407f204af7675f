package script

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		want, got string
		ok        bool
		why       string
	}{
		{`[{"ok":true}]`, `[{"ok":true,"id":7},"extra"]`, true, ""},
		{`[1]`, `[1.0]`, true, ""},
		{`{"a":{"b":[1,{"c":"x"}]}}`, `{"a":{"b":[1,{"c":"x","d":2}]},"z":0}`, true, ""},
		{`[{"ok":true}]`, `[{"ok":false}]`, false, `[0].ok is false, not true`},
		{`[1,2]`, `[1]`, false, `has 1 elements, not 2`},
		{`{"a":1}`, `[1]`, false, `such as [{"a":1}]`},
		{`{"a":1}`, `"x"`, false, `is not an object`},
		{`{"a":1}`, `{"b":1}`, false, `has no key "a"`},
		{`"x"`, `"y"`, false, `is "y", not "x"`},
		{`null`, `null`, true, ""},
		{`[2]`, `["2"]`, false, `is not a number`},
		{`5`, `[5]`, false, `the arguments are a list, [5]: write the MATCH as a list too, such as [5]`},
	}
	for _, tt := range tests {
		ok, why := Match(json.RawMessage(tt.want), json.RawMessage(tt.got))
		if ok != tt.ok || !strings.Contains(why, tt.why) {
			t.Errorf("Match(%s, %s) = %v %q, want %v %q", tt.want, tt.got, ok, why, tt.ok, tt.why)
		}
	}
}

func TestLookup(t *testing.T) {
	data := json.RawMessage(`{"args":[{"id":"u1","tags":["a","b"]},2]}`)
	for path, want := range map[string]string{
		"args[0].id":      `"u1"`,
		"args[0].tags[1]": `"b"`,
		"args[1]":         `2`,
		"args":            `[{"id":"u1","tags":["a","b"]},2]`,
	} {
		got, err := Lookup(data, path)
		if err != nil || string(got) != want {
			t.Errorf("Lookup(%s) = %s, %v; want %s", path, got, err, want)
		}
	}
	for _, bad := range []string{"args[5]", "nope", "args[0].x", "args[0", "args.x"} {
		if _, err := Lookup(data, bad); err == nil {
			t.Errorf("Lookup(%s) found something", bad)
		}
	}
}
