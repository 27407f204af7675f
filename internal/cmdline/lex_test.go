package cmdline

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []Word
	}{
		{`emit chat hello 42`, []Word{{"emit", Bare}, {"chat", Bare}, {"hello", Bare}, {"42", Bare}}},
		{`emit chat {"a": 1, "b": [1, 2]} "x y" 'a b'`, []Word{{"emit", Bare}, {"chat", Bare}, {`{"a": 1, "b": [1, 2]}`, JSON}, {`"x y"`, JSON}, {"a b", Quoted}}},
		{"emit x {\n  \"k\": \"}\"\n}", []Word{{"emit", Bare}, {"x", Bare}, {"{\n  \"k\": \"}\"\n}", JSON}}},
		{`emit x "say \"hi\""`, []Word{{"emit", Bare}, {"x", Bare}, {`"say \"hi\""`, JSON}}},
		{`emit x \@home @file`, []Word{{"emit", Bare}, {"x", Bare}, {`\@home`, Bare}, {"@file", Bare}}},
		{"  # a comment {", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := Split(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestSplitIncomplete(t *testing.T) {
	for _, in := range []string{`emit x {"a": [1,`, `emit x "open`, `emit x 'open`, `emit x [[]`} {
		if _, err := Split(in); !errors.Is(err, ErrIncomplete) {
			t.Errorf("%q: %v, want ErrIncomplete", in, err)
		}
	}
	for _, in := range []string{`emit x {"a":1}junk`, `emit x 'it''s'`, `emit x "a"b`} {
		if _, err := Split(in); err == nil || errors.Is(err, ErrIncomplete) {
			t.Errorf("%q: %v, want an error for words run together", in, err)
		}
	}
}
