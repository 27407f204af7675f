package wire

import "strconv"

// AppendFrame appends the WebSocket frame that carries p and reports
// whether it is a binary frame: binary data raw (Engine.IO 4) or after the
// type byte (Engine.IO 3), unless base64 is set, which makes every frame
// text, as for a peer that asked with b64=1.
func AppendFrame(dst []byte, p Packet, v Version, base64 bool) ([]byte, bool) {
	if !p.Binary || base64 {
		return AppendText(dst, p, v), false
	}
	if v == Version3 {
		dst = append(dst, byte(p.Type))
	}
	return append(dst, p.Data...), true
}

// DecodeFrame parses one WebSocket frame. The returned data aliases b
// unless it was base64.
func DecodeFrame(b []byte, binary bool, v Version) (Packet, error) {
	if binary {
		return DecodeBinaryFrame(b, v)
	}
	return DecodeText(b, v)
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
			dst = AppendText(dst, p, Version3)
		}
	}
	return dst
}
