package cmdline

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestExpand(t *testing.T) {
	vars := map[string]Value{
		"id":      {JSON: json.RawMessage(`"u1"`)},
		"n":       {JSON: json.RawMessage(`5`)},
		"q":       {JSON: json.RawMessage(`"it's"`)},
		"ENV:DIR": {Text: "/tmp/a b"},
	}
	lookup := func(name string) (Value, error) {
		if v, ok := vars[name]; ok {
			return v, nil
		}
		return Value{}, errors.New(name + " was not set")
	}
	for in, want := range map[string]string{
		`emit x ${id} ${n}`:                   `emit x "u1" 5`,
		`emit x "${id}" "${n}"`:               `emit x "u1" "5"`,
		`emit x "a \"${id}\" b"`:              `emit x "a \"u1\" b"`,
		`emit x 'a ${id}'`:                    `emit x 'a u1'`,
		`emit x [${n}, "${n}", {"k": ${id}}]`: `emit x [5, "5", {"k": "u1"}]`,
		`emit x @${ENV:DIR}/f "${ENV:DIR}"`:   `emit x @/tmp/a b/f "/tmp/a b"`,
		`emit x "${q}"`:                       `emit x "it's"`,
		`emit x ${1x} ${} $id`:                `emit x ${1x} ${} $id`,
		`print it's ${n}`:                     `print it's 5`,
	} {
		got, err := Expand(in, lookup)
		if err != nil || got != want {
			t.Errorf("%s: got %s (%v), want %s", in, got, err, want)
		}
	}
	if _, err := Expand(`emit x ${nope}`, lookup); err == nil || err.Error() != "nope was not set" {
		t.Errorf("unset: %v", err)
	}
	if _, err := Expand(`emit x '${q}'`, lookup); err == nil {
		t.Error("a ' went inside 'quotes'")
	}
}
