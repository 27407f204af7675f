package wire

import (
	"errors"
	"unicode/utf8"
)

// engine.io 1.x (socket.io 1.x) UTF-8 encodes the text of each packet in a
// polling payload once more before sending the payload as UTF-8: every
// byte of the packet's UTF-8 becomes a character of its own, so that "€"
// (e2 82 ac) travels as "â\u0082¬" (c3 a2 c2 82 c2 ac). Over WebSocket it
// does not. EncodeUTF8Twice and DecodeUTF8Twice do and undo that step, for
// Engine.IO 3 sessions with such a server.

// ErrNotUTF8Twice is returned by DecodeUTF8Twice for text that holds a
// character above U+00FF: text engine.io 1.x did not encode twice.
var ErrNotUTF8Twice = errors.New("text not UTF-8 encoded twice, as engine.io 1.x sends it")

// EncodeUTF8Twice returns data with each byte as a character: what
// engine.io 1.x sends, and expects, in a polling payload.
func EncodeUTF8Twice(data []byte) []byte {
	n := 0
	for _, b := range data {
		if b >= utf8.RuneSelf {
			n++
		}
	}
	if n == 0 {
		return data
	}
	out := make([]byte, 0, len(data)+n)
	for _, b := range data {
		out = utf8.AppendRune(out, rune(b))
	}
	return out
}

// DecodeUTF8Twice undoes EncodeUTF8Twice: each character, which must be
// U+00FF or below, becomes the byte of that value.
func DecodeUTF8Twice(data []byte) ([]byte, error) {
	ascii := true
	for _, b := range data {
		if b >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return data, nil
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r > 0xff || r == utf8.RuneError && size == 1 {
			return nil, ErrNotUTF8Twice
		}
		out = append(out, byte(r))
		i += size
	}
	return out, nil
}
