package engineio

import "strconv"

// The functions in this file expose the packet encodings for code that
// speaks Engine.IO from the other side, such as a server or a test's fake
// one. A Conn does all of this itself.

// AppendPacket appends p in its text form, as a polling record or a
// WebSocket text frame carries it: the type digit and the data, or for
// binary data "b" and base64 (with the type digit after the "b" in
// Engine.IO 3).
func AppendPacket(dst []byte, p Packet, v Version) []byte { return appendText(dst, p, v) }

// DecodePacket parses one packet in text form. The returned data aliases b
// unless it was base64.
func DecodePacket(b []byte, v Version) (Packet, error) { return decodeText(b, v) }

// AppendFrame appends the WebSocket frame that carries p and reports
// whether it is a binary frame: binary data raw (Engine.IO 4) or after the
// type byte (Engine.IO 3), unless base64 is set, which makes every frame
// text, as for a peer that asked with b64=1.
func AppendFrame(dst []byte, p Packet, v Version, base64 bool) ([]byte, bool) {
	if !p.Binary || base64 {
		return appendText(dst, p, v), false
	}
	if v == Version3 {
		dst = append(dst, byte(p.Type))
	}
	return append(dst, p.Data...), true
}

// DecodeFrame parses one WebSocket frame. The returned data aliases b
// unless it was base64.
func DecodeFrame(b []byte, binary bool, v Version) (Packet, error) {
	return decodeFrame(wsFrame{data: b, binary: binary}, v)
}

// EncodeBinaryPayload encodes packets as an Engine.IO 3 binary (XHR2)
// polling payload, which a server sends as application/octet-stream when a
// batch holds binary data and the client did not ask for base64: per packet
// a 0 (text) or 1 (binary) byte, the length one decimal digit a byte, 0xFF,
// then the packet.
func EncodeBinaryPayload(dst []byte, packets []Packet) []byte {
	var digits []byte
	for _, p := range packets {
		kind := byte(0)
		if p.Binary {
			kind = 1
		}
		dst = append(dst, kind)
		// The type byte or digit, then the data: a text packet's length
		// counts bytes here, not UTF-16 units.
		digits = strconv.AppendInt(digits[:0], int64(1+len(p.Data)), 10)
		for _, d := range digits {
			dst = append(dst, d-'0')
		}
		dst = append(dst, 0xFF)
		if p.Binary {
			dst = append(dst, byte(p.Type))
			dst = append(dst, p.Data...)
		} else {
			dst = appendText(dst, p, Version3)
		}
	}
	return dst
}

// ParseHandshake parses the data of an open packet.
func ParseHandshake(data []byte) (Handshake, error) { return parseOpen(data) }
