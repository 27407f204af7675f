package wire

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// RecordSeparator joins the records of an Engine.IO 4 polling payload.
const RecordSeparator = 0x1e

var errEmptyPacket = errors.New("empty packet")

// EncodePayload encodes packets as the body of a polling POST: records joined
// by 0x1e in Engine.IO 4; in Engine.IO 3, each record prefixed by its length
// in UTF-16 code units and a colon, binary as base64.
func EncodePayload(dst []byte, packets []Packet, v Version) []byte {
	for i, p := range packets {
		if v == Version3 {
			dst = strconv.AppendInt(dst, int64(UTF16Len(p, v)), 10)
			dst = append(dst, ':')
		} else if i > 0 {
			dst = append(dst, RecordSeparator)
		}
		dst = AppendText(dst, p, v)
	}
	if v == Version3 && len(packets) == 0 {
		dst = append(dst, "0:"...)
	}
	return dst
}

// UTF16Len is the length of p's text form as JavaScript counts it, which
// an Engine.IO 3 payload's length prefixes use.
func UTF16Len(p Packet, v Version) int {
	if p.Binary {
		return TextLen(p, v)
	}
	return 1 + utf16Count(p.Data)
}

// utf16Count counts the UTF-16 code units of UTF-8 text; a byte that is not
// valid UTF-8 counts as one unit, as its replacement character would.
func utf16Count(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// DecodePayload decodes the body of a polling GET. binary says that the
// response was application/octet-stream: an Engine.IO 3 XHR2 payload.
func DecodePayload(body []byte, v Version, binary bool) ([]Packet, error) {
	var packets []Packet
	if err := EachPacket(body, v, binary, func(p Packet) { packets = append(packets, p) }); err != nil {
		return nil, err
	}
	return packets, nil
}

// EachPacket calls f with each packet of the body of a polling GET, in
// order, once the whole payload has been found well formed (so that f sees
// none of a payload that is not). It keeps no list of them: a payload of
// millions of tiny packets takes no more memory than its body. The
// packets' Data are slices of body.
func EachPacket(body []byte, v Version, binary bool, f func(Packet)) error {
	check := func(Packet) error { return nil }
	emit := func(p Packet) error { f(p); return nil }
	switch {
	case binary:
		if err := decodeXHR2Payload(body, check); err != nil {
			return err
		}
		return decodeXHR2Payload(body, emit)
	case v == Version3:
		return decodeEIO3Payload(body, emit) // it checks first itself
	default:
		if err := decodeEIO4Payload(body, check); err != nil {
			return err
		}
		return decodeEIO4Payload(body, emit)
	}
}

// PayloadError says where a polling payload is malformed.
type PayloadError struct {
	Offset int
	Err    error
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("malformed payload at byte %d: %v", e.Offset, e.Err)
}

func (e *PayloadError) Unwrap() error { return e.Err }

func decodeEIO4Payload(body []byte, emit func(Packet) error) error {
	off := 0
	for {
		end := bytes.IndexByte(body[off:], RecordSeparator)
		rec := body[off:]
		if end >= 0 {
			rec = body[off : off+end]
		}
		p, err := DecodeText(rec, Version4)
		if err != nil {
			return &PayloadError{Offset: off, Err: err}
		}
		if err := emit(p); err != nil {
			return err
		}
		if end < 0 {
			return nil
		}
		off += end + 1
	}
}

func decodeEIO3Payload(body []byte, emit func(Packet) error) error {
	check := func(Packet) error { return nil }
	skip := skipUTF16
	if err := decodeEIO3Lengths(body, skipUTF16, check); err != nil {
		// Some servers (googollee/go-socket.io) count the lengths in
		// bytes: a payload that reads whole that way is taken.
		if decodeEIO3Lengths(body, skipBytes, check) != nil {
			return err
		}
		skip = skipBytes
	}
	return decodeEIO3Lengths(body, skip, emit)
}

// skipBytes returns the byte index n bytes after start, and false when the
// body ends first.
func skipBytes(b []byte, start, n int) (int, bool) {
	if start+n > len(b) {
		return 0, false
	}
	return start + n, true
}

// decodeEIO3Lengths decodes an Engine.IO 3 text payload whose length
// prefixes skip measures.
func decodeEIO3Lengths(body []byte, skip func([]byte, int, int) (int, bool), emit func(Packet) error) error {
	if string(body) == "0:" {
		return nil
	}
	for off := 0; off < len(body); {
		colon := bytes.IndexByte(body[off:], ':')
		if colon <= 0 || colon > 10 {
			return &PayloadError{Offset: off, Err: errors.New("no length prefix")}
		}
		n, err := strconv.Atoi(string(body[off : off+colon]))
		if err != nil || n <= 0 {
			return &PayloadError{Offset: off, Err: fmt.Errorf("bad length %q", body[off:off+colon])}
		}
		start := off + colon + 1
		end, ok := skip(body, start, n)
		if !ok {
			return &PayloadError{Offset: off, Err: fmt.Errorf("length %d runs past the end", n)}
		}
		p, err := DecodeText(body[start:end], Version3)
		if err != nil {
			return &PayloadError{Offset: start, Err: err}
		}
		if err := emit(p); err != nil {
			return err
		}
		off = end
	}
	return nil
}

// skipUTF16 returns the byte index n UTF-16 code units after start, and false
// when the text ends first or n splits a surrogate pair.
func skipUTF16(b []byte, start, n int) (int, bool) {
	i := start
	for n > 0 {
		if i >= len(b) {
			return 0, false
		}
		if b[i] < utf8.RuneSelf {
			i++
			n--
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		units := 1
		if r >= 0x10000 {
			units = 2
		}
		if units > n {
			return 0, false
		}
		n -= units
		i += size
	}
	return i, true
}

// decodeXHR2Payload decodes an Engine.IO 3 binary payload: per packet a
// 0 (text) or 1 (binary) byte, the decimal length one digit per byte, 0xFF,
// then the packet; text packets are UTF-8 with their length in bytes, binary
// packets begin with their raw type byte.
func decodeXHR2Payload(body []byte, emit func(Packet) error) error {
	for off := 0; off < len(body); {
		kind := body[off]
		if kind > 1 {
			return &PayloadError{Offset: off, Err: fmt.Errorf("bad packet kind byte 0x%02x", kind)}
		}
		i := off + 1
		n := 0
		digits := 0
		for ; i < len(body) && body[i] != 0xFF; i++ {
			if body[i] > 9 || digits == 10 {
				return &PayloadError{Offset: i, Err: errors.New("bad length digit")}
			}
			n = n*10 + int(body[i])
			digits++
		}
		if i >= len(body) || digits == 0 {
			return &PayloadError{Offset: off, Err: errors.New("truncated length")}
		}
		i++
		if n == 0 || n > len(body)-i {
			return &PayloadError{Offset: off, Err: fmt.Errorf("length %d runs past the end", n)}
		}
		rec := body[i : i+n]
		var p Packet
		var err error
		if kind == 0 {
			p, err = DecodeText(rec, Version3)
		} else {
			p, err = DecodeBinaryFrame(rec, Version3)
		}
		if err != nil {
			return &PayloadError{Offset: i, Err: err}
		}
		if err := emit(p); err != nil {
			return err
		}
		off = i + n
	}
	return nil
}
