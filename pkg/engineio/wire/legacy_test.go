package wire

import (
	"errors"
	"testing"
)

func TestUTF8Twice(t *testing.T) {
	for _, s := range []string{"", "ascii", "€", "café 日本 🎉", "\x00\x7f"} {
		twice := EncodeUTF8Twice([]byte(s))
		back, err := DecodeUTF8Twice(twice)
		if err != nil || string(back) != s {
			t.Errorf("%q: twice %q, back %q, %v", s, twice, back, err)
		}
	}
	// What socket.io 1.7 sends for "€", captured.
	if got := EncodeUTF8Twice([]byte("€")); string(got) != "\xc3\xa2\xc2\x82\xc2\xac" {
		t.Errorf("€ twice: %q", got)
	}
	if _, err := DecodeUTF8Twice([]byte("€")); !errors.Is(err, ErrNotUTF8Twice) {
		t.Errorf("text encoded once: %v", err)
	}
}

func FuzzUTF8Twice(f *testing.F) {
	f.Add([]byte("\xc3\xa2\xc2\x82\xc2\xac"))
	f.Add([]byte("plain"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if back, err := DecodeUTF8Twice(EncodeUTF8Twice(b)); err != nil || string(back) != string(b) {
			t.Fatalf("%q: %q, %v", b, back, err)
		}
		DecodeUTF8Twice(b)
	})
}
