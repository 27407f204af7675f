package cmdline

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
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

// BenchmarkLongContinuation is a JSON value of many lines piped into the
// loop: linear in its lines (scripts/ has no side-by-side for it; compare
// -benchtime runs of 10k and 100k lines).
func BenchmarkLongContinuation(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var in strings.Builder
			in.WriteString("emit x [\n")
			for i := range n {
				fmt.Fprintf(&in, "%d,\n", i)
			}
			in.WriteString("0]\n")
			for range b.N {
				var notes strings.Builder
				l := &Loop{Table: NewTable(Spec{Name: "emit", Args: []Arg{{Name: "EVENT"}, {Name: "ARG", Many: true}}, Run: func(context.Context, *Parsed) error { return nil }}),
					In: NewPipeReader(strings.NewReader(in.String())), Notes: &notes, Prompt: func() string { return "> " }}
				if failed, err := l.Run(context.Background()); failed != 0 || err != nil {
					b.Fatalf("%d failed, %v: %s", failed, err, notes.String())
				}
			}
		})
	}
}
