package codec

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// MsgpackParser is the wire format of socket.io-msgpack-parser: each packet
// is one binary message holding a msgpack map {type, data, nsp, id}, binary
// values inline as msgpack bin. Packets keep this package's model: Data is
// the payload as JSON (rendered as JSON.stringify would render what the
// peer's decoder sees) and binary values are Attachments behind
// placeholders.
type MsgpackParser struct {
	// Version selects the rules of the peer's parser: V4
	// (socket.io-msgpack-parser 2.x, servers 2.x) or V5 (3.x, servers 3.x
	// and 4.x); 0 means V5.
	Version Version
}

var (
	errMsgpackTruncated = errors.New("truncated msgpack")
	errMsgpackKey       = errors.New("msgpack map key is not a string or a number")
)

// Encode returns the one binary message that carries p.
func (mp MsgpackParser) Encode(p *Packet) ([]Message, error) {
	if err := checkEncodable(p); err != nil {
		return nil, err
	}
	typ := p.Type
	if typ.IsBinary() {
		typ -= 3 // BINARY_EVENT -> EVENT, BINARY_ACK -> ACK: bin is inline
	}
	n := 2 // type and nsp
	if len(p.Data) > 0 {
		n++
	}
	if p.HasID {
		n++
	}
	buf := make([]byte, 0, 32+len(p.Data))
	buf = append(buf, 0x80|byte(n))
	buf = mpString(buf, "type")
	buf = mpInt(buf, int64(typ))
	if len(p.Data) > 0 {
		buf = mpString(buf, "data")
		var err error
		if buf, err = jsonToMsgpack(buf, p.Data, p.Attachments); err != nil {
			return nil, &EncodeError{Packet: fmt.Sprintf("%s packet for %s", p.Type, p.Nsp()), Err: err}
		}
	}
	buf = mpString(buf, "nsp")
	buf = mpString(buf, p.Nsp())
	if p.HasID {
		buf = mpString(buf, "id")
		buf = mpUint(buf, p.ID)
	}
	return []Message{{Data: buf, Binary: true}}, nil
}

// NewDecoder returns a decoder that applies mp's rules.
func (mp MsgpackParser) NewDecoder() Decoder { return msgpackDecoder{mp} }

type msgpackDecoder struct{ mp MsgpackParser }

func (msgpackDecoder) Reset() {}

func (d msgpackDecoder) Decode(m Message) (*Packet, error) {
	if !m.Binary {
		if d.mp.Version == V4 {
			return decodeJSONObjectPacket(m.Data)
		}
		return nil, newDecodeError(ErrInvalidPayload, m.Data, 0, "msgpack packets are binary messages")
	}
	r := &mpReader{b: m.Data}
	n, err := r.mapLen()
	if err != nil {
		return nil, newDecodeError(ErrInvalidPayload, m.Data, r.i, "a packet is a msgpack map: "+err.Error())
	}
	p := &Packet{}
	var haveType, haveNsp bool
	var dataKind byte // first byte of the JSON data, 0 when absent or undefined
	for k := 0; k < n; k++ {
		key, err := r.str()
		if err != nil {
			return nil, newDecodeError(ErrInvalidPayload, m.Data, r.i, err.Error())
		}
		at := r.i
		switch key {
		case "type":
			v, ok := r.integer()
			if !ok || v < 0 || v > int64(BinaryAck) || (d.mp.Version != V4 && v > int64(ConnectError)) {
				return nil, newDecodeError(ErrUnknownType, m.Data, at, "")
			}
			p.Type, haveType = Type(v), true
		case "nsp":
			s, err := r.str()
			if err != nil {
				return nil, newDecodeError(ErrInvalidPayload, m.Data, at, "nsp is not a string")
			}
			p.Namespace, haveNsp = s, true
		case "id":
			v, ok := r.integer()
			if !ok || v < 0 {
				return nil, newDecodeError(ErrIllegalID, m.Data, at, "")
			}
			p.ID, p.HasID = uint64(v), true
		case "data":
			w := jsonWriter{}
			undefined, err := r.value(&w, 0)
			if err != nil {
				return nil, newDecodeError(ErrInvalidPayload, m.Data, r.i, err.Error())
			}
			if !undefined {
				p.Data, p.Attachments = w.buf, w.blobs
				dataKind = w.buf[0]
			}
		default:
			if _, err := r.value(&jsonWriter{}, 0); err != nil { // such as a JS client's "options"
				return nil, newDecodeError(ErrInvalidPayload, m.Data, r.i, err.Error())
			}
		}
	}
	if !haveType {
		return nil, newDecodeError(ErrUnknownType, m.Data, 0, "no type")
	}
	if !haveNsp {
		return nil, newDecodeError(ErrInvalidPayload, m.Data, 0, "no nsp")
	}
	if !msgpackDataValid(p.Type, dataKind, d.mp.Version) {
		return nil, newDecodeError(ErrInvalidPayload, m.Data, 0, p.Type.String())
	}
	if p.Type == Event || p.Type == BinaryEvent {
		first, ok, _ := firstElement(p.Data)
		if !ok {
			return nil, newDecodeError(ErrInvalidPayload, m.Data, 0, "an event needs a name")
		}
		if name, reserved := reservedName(first); reserved {
			return nil, newDecodeError(ErrReservedEvent, m.Data, 0, strconv.Quote(name))
		}
	}
	if len(p.Attachments) == 0 {
		p.Attachments = nil
	}
	return p, nil
}

// decodeJSONObjectPacket reads a packet written as a JSON object, such as
// {"type":0,"nsp":"/"}: a socket.io 2.x server with the msgpack parser
// sends its piggybacked CONNECT so, because engine.io stringifies the
// encoded packet it was given at startup.
func decodeJSONObjectPacket(msg []byte) (*Packet, error) {
	var v struct {
		Type *int            `json:"type"`
		Nsp  string          `json:"nsp"`
		Data json.RawMessage `json:"data"`
		ID   *uint64         `json:"id"`
	}
	if err := json.Unmarshal(msg, &v); err != nil || v.Type == nil || !Type(*v.Type).Valid() || *v.Type < 0 {
		return nil, newDecodeError(ErrInvalidPayload, msg, 0, "msgpack packets are binary messages")
	}
	p := &Packet{Type: Type(*v.Type), Namespace: v.Nsp, Data: v.Data}
	if p.Namespace == "" {
		p.Namespace = RootNamespace
	}
	if v.ID != nil {
		p.ID, p.HasID = *v.ID, true
	}
	if !msgpackDataValid(p.Type, jsonKind(p.Data), V4) {
		return nil, newDecodeError(ErrInvalidPayload, msg, 0, p.Type.String())
	}
	return p, nil
}

// msgpackDataValid applies socket.io-msgpack-parser's payload rules.
func msgpackDataValid(t Type, kind byte, v Version) bool {
	switch t {
	case Connect:
		return kind == 0 || (kind == '{' && v != V4)
	case Disconnect:
		return kind == 0
	case ConnectError:
		return kind == '"' || (kind == '{' && v != V4)
	default:
		return kind == '['
	}
}

// jsonWriter collects the JSON rendering of msgpack data and its blobs.
type jsonWriter struct {
	buf   []byte
	blobs [][]byte
}

type mpReader struct {
	b []byte
	i int
}

func (r *mpReader) need(n int) ([]byte, error) {
	if n < 0 || len(r.b)-r.i < n {
		return nil, errMsgpackTruncated
	}
	s := r.b[r.i : r.i+n]
	r.i += n
	return s, nil
}

func (r *mpReader) byte() (byte, error) {
	b, err := r.need(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// uintN reads a big-endian unsigned integer of n bytes.
func (r *mpReader) uintN(n int) (uint64, error) {
	b, err := r.need(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// sized reads a length of lenBytes bytes, then that many bytes.
func (r *mpReader) sized(lenBytes int) ([]byte, error) {
	n, err := r.uintN(lenBytes)
	if err != nil {
		return nil, err
	}
	return r.need(int(n))
}

func (r *mpReader) mapLen() (int, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch {
	case c&0xf0 == 0x80:
		return int(c & 0x0f), nil
	case c == 0xde:
		n, err := r.uintN(2)
		return int(n), err
	case c == 0xdf:
		n, err := r.uintN(4)
		return int(n), err
	}
	return 0, fmt.Errorf("byte 0x%02x is not a map", c)
}

// str reads a string (or, as notepack allows for keys, a number).
func (r *mpReader) str() (string, error) {
	w := jsonWriter{}
	start := r.i
	if _, err := r.value(&w, maxDepth); err != nil {
		return "", err
	}
	c := r.b[start]
	if c&0xe0 == 0xa0 || c == 0xd9 || c == 0xda || c == 0xdb {
		r.i = start
		return r.rawString()
	}
	return "", errMsgpackKey
}

func (r *mpReader) rawString() (string, error) {
	c, err := r.byte()
	if err != nil {
		return "", err
	}
	var n uint64
	switch {
	case c&0xe0 == 0xa0:
		n = uint64(c & 0x1f)
	case c == 0xd9:
		n, err = r.uintN(1)
	case c == 0xda:
		n, err = r.uintN(2)
	case c == 0xdb:
		n, err = r.uintN(4)
	default:
		return "", errors.New("not a string")
	}
	if err != nil {
		return "", err
	}
	b, err := r.need(int(n))
	return string(b), err
}

// integer reads an integer, or a float with an integral value (JavaScript
// has one number type).
func (r *mpReader) integer() (int64, bool) {
	w := jsonWriter{}
	if undefined, err := r.value(&w, maxDepth); err != nil || undefined {
		return 0, false
	}
	v, err := strconv.ParseInt(string(w.buf), 10, 64)
	if err != nil {
		f, err := strconv.ParseFloat(string(w.buf), 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		return int64(f), true
	}
	return v, true
}

// value renders one msgpack value as JSON into w. It reports undefined
// (notepack's fixext 1 type 0), which renders as nothing.
func (r *mpReader) value(w *jsonWriter, depth int) (undefined bool, err error) {
	if depth > maxDepth {
		return false, errTooDeep
	}
	c, err := r.byte()
	if err != nil {
		return false, err
	}
	switch {
	case c <= 0x7f:
		w.buf = strconv.AppendUint(w.buf, uint64(c), 10)
	case c >= 0xe0:
		w.buf = strconv.AppendInt(w.buf, int64(int8(c)), 10)
	case c&0xf0 == 0x80:
		return false, r.object(w, int(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return false, r.array(w, int(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		b, err := r.need(int(c & 0x1f))
		if err != nil {
			return false, err
		}
		w.buf = appendJSONString(w.buf, b)
	case c == 0xc0:
		w.buf = append(w.buf, "null"...)
	case c == 0xc2:
		w.buf = append(w.buf, "false"...)
	case c == 0xc3:
		w.buf = append(w.buf, "true"...)
	case c == 0xc4 || c == 0xc5 || c == 0xc6:
		b, err := r.sized(1 << (c - 0xc4))
		if err != nil {
			return false, err
		}
		w.buf = AppendPlaceholder(w.buf, len(w.blobs))
		w.blobs = append(w.blobs, b)
	case c == 0xca:
		v, err := r.uintN(4)
		if err != nil {
			return false, err
		}
		w.buf = appendJSONFloat(w.buf, float64(math.Float32frombits(uint32(v))))
	case c == 0xcb:
		v, err := r.uintN(8)
		if err != nil {
			return false, err
		}
		w.buf = appendJSONFloat(w.buf, math.Float64frombits(v))
	case c >= 0xcc && c <= 0xcf:
		v, err := r.uintN(1 << (c - 0xcc))
		if err != nil {
			return false, err
		}
		w.buf = strconv.AppendUint(w.buf, v, 10)
	case c >= 0xd0 && c <= 0xd3:
		size := 1 << (c - 0xd0)
		v, err := r.uintN(size)
		if err != nil {
			return false, err
		}
		shift := 64 - 8*size
		w.buf = strconv.AppendInt(w.buf, int64(v<<shift)>>shift, 10)
	case c == 0xd9 || c == 0xda || c == 0xdb:
		b, err := r.sized(1 << (c - 0xd9))
		if err != nil {
			return false, err
		}
		w.buf = appendJSONString(w.buf, b)
	case c == 0xdc || c == 0xdd:
		n, err := r.uintN(2 << (c - 0xdc))
		if err != nil {
			return false, err
		}
		return false, r.array(w, int(n), depth)
	case c == 0xde || c == 0xdf:
		n, err := r.uintN(2 << (c - 0xde))
		if err != nil {
			return false, err
		}
		return false, r.object(w, int(n), depth)
	case c >= 0xd4 && c <= 0xd8, c >= 0xc7 && c <= 0xc9:
		return r.ext(w, c)
	default:
		return false, fmt.Errorf("msgpack byte 0x%02x is not a value", c)
	}
	return false, nil
}

// ext renders notepack's extensions: undefined and Date.
func (r *mpReader) ext(w *jsonWriter, c byte) (bool, error) {
	var n uint64
	var err error
	switch {
	case c >= 0xd4 && c <= 0xd8:
		n = 1 << (c - 0xd4)
	default:
		n, err = r.uintN(1 << (c - 0xc7))
	}
	if err != nil {
		return false, err
	}
	typ, err := r.byte()
	if err != nil {
		return false, err
	}
	data, err := r.need(int(n))
	if err != nil {
		return false, err
	}
	switch {
	case typ == 0 && n == 1:
		return true, nil
	case typ == 0 && n == 8:
		ms := int64(int32(binary.BigEndian.Uint32(data)))<<32 | int64(binary.BigEndian.Uint32(data[4:]))
		t := time.UnixMilli(ms).UTC()
		w.buf = append(w.buf, '"')
		w.buf = t.AppendFormat(w.buf, "2006-01-02T15:04:05.000Z")
		w.buf = append(w.buf, '"')
		return false, nil
	}
	return false, fmt.Errorf("unsupported msgpack extension type %d", int8(typ))
}

func (r *mpReader) array(w *jsonWriter, n, depth int) error {
	if n > len(r.b)-r.i {
		return errMsgpackTruncated // each element takes a byte at least
	}
	w.buf = append(w.buf, '[')
	for k := 0; k < n; k++ {
		if k > 0 {
			w.buf = append(w.buf, ',')
		}
		undefined, err := r.value(w, depth+1)
		if err != nil {
			return err
		}
		if undefined {
			w.buf = append(w.buf, "null"...)
		}
	}
	w.buf = append(w.buf, ']')
	return nil
}

func (r *mpReader) object(w *jsonWriter, n, depth int) error {
	if n > len(r.b)-r.i {
		return errMsgpackTruncated
	}
	w.buf = append(w.buf, '{')
	first := true
	for k := 0; k < n; k++ {
		mark := len(w.buf)
		if !first {
			w.buf = append(w.buf, ',')
		}
		keyStart := r.i
		kw := jsonWriter{}
		if _, err := r.value(&kw, depth+1); err != nil {
			return err
		}
		switch c := r.b[keyStart]; {
		case c&0xe0 == 0xa0 || c == 0xd9 || c == 0xda || c == 0xdb:
			w.buf = append(w.buf, kw.buf...)
		case len(kw.buf) > 0 && (kw.buf[0] == '-' || (kw.buf[0] >= '0' && kw.buf[0] <= '9')):
			w.buf = appendJSONString(w.buf, kw.buf) // a number key, as JavaScript names it
		default:
			return errMsgpackKey
		}
		w.buf = append(w.buf, ':')
		undefined, err := r.value(w, depth+1)
		if err != nil {
			return err
		}
		if undefined {
			w.buf = w.buf[:mark] // JSON.stringify leaves the key out
			continue
		}
		first = false
	}
	w.buf = append(w.buf, '}')
	return nil
}

// AppendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD, written as the character, as JSON.stringify writes it.
func AppendJSONString(dst []byte, s string) []byte {
	// A read-only view of the string's bytes: nothing is copied.
	return appendJSONString(dst, unsafe.Slice(unsafe.StringData(s), len(s)))
}

func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// appendJSONFloat renders f as JavaScript's JSON.stringify does: no
// exponent between 1e-6 and 1e21, null for NaN and the infinities.
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 -> 1e-7, as JavaScript writes it
		n := len(dst)
		if n-start >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// jsonToMsgpack appends the msgpack form of valid JSON data, placeholder
// objects replaced by the bin of the attachment they name.
func jsonToMsgpack(dst, data []byte, attachments [][]byte) ([]byte, error) {
	phs, err := findPlaceholders(nil, data)
	if err != nil {
		return nil, err
	}
	at := make(map[int]int, len(phs))
	for _, ph := range phs {
		if ph.num < 0 || ph.num >= len(attachments) {
			return nil, fmt.Errorf("%w: %s", ErrPlaceholder, data[ph.start:ph.end])
		}
		at[ph.start] = ph.num
	}
	t := transcoder{data: data, at: at, blobs: attachments, out: dst}
	if _, err := t.value(skipSpace(data, 0)); err != nil {
		return nil, err
	}
	return t.out, nil
}

type transcoder struct {
	data  []byte
	at    map[int]int // placeholder start -> attachment
	blobs [][]byte
	out   []byte
}

func (t *transcoder) value(i int) (int, error) {
	b := t.data
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, ErrTruncated
	}
	if num, ok := t.at[i]; ok {
		t.out = mpBin(t.out, t.blobs[num])
		return skipValue(b, i)
	}
	switch c := b[i]; c {
	case '{', '[':
		// Count the elements first: msgpack writes the length up front.
		n := 0
		j := skipSpace(b, i+1)
		close := byte(']')
		if c == '{' {
			close = '}'
		}
		for j < len(b) && b[j] != close {
			end, err := skipValue(b, j)
			if err != nil {
				return 0, err
			}
			if c == '{' {
				j = skipSpace(b, end)
				if j >= len(b) || b[j] != ':' {
					return 0, ErrTruncated
				}
				if end, err = skipValue(b, j+1); err != nil {
					return 0, err
				}
			}
			n++
			j = skipSpace(b, end)
			if j < len(b) && b[j] == ',' {
				j = skipSpace(b, j+1)
			}
		}
		if c == '{' {
			t.out = mpMapHeader(t.out, n)
		} else {
			t.out = mpArrayHeader(t.out, n)
		}
		j = skipSpace(b, i+1)
		for k := 0; k < n; k++ {
			var err error
			if c == '{' {
				if j, err = t.value(j); err != nil { // the key
					return 0, err
				}
				j = skipSpace(b, j) + 1 // ':'
			}
			if j, err = t.value(j); err != nil {
				return 0, err
			}
			j = skipSpace(b, j)
			if j < len(b) && b[j] == ',' {
				j++
			}
		}
		j = skipSpace(b, j)
		return j + 1, nil
	case '"':
		end, err := skipString(b, i)
		if err != nil {
			return 0, err
		}
		t.out = mpString(t.out, keyName(b[i:end]))
		return end, nil
	case 't':
		t.out = append(t.out, 0xc3)
		return i + 4, nil
	case 'f':
		t.out = append(t.out, 0xc2)
		return i + 5, nil
	case 'n':
		t.out = append(t.out, 0xc0)
		return i + 4, nil
	default:
		end, err := skipValue(b, i)
		if err != nil {
			return 0, err
		}
		t.out = mpNumber(t.out, string(b[i:end]))
		return end, nil
	}
}

// mpNumber writes a JSON number as notepack would write the JavaScript
// number: an integer when it is one, else a float64.
func mpNumber(dst []byte, lit string) []byte {
	if v, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return mpInt(dst, v)
	}
	if v, err := strconv.ParseUint(lit, 10, 64); err == nil {
		return mpUint(dst, v)
	}
	f, _ := strconv.ParseFloat(lit, 64)
	if f == math.Trunc(f) {
		switch {
		case f >= math.MinInt64 && f < math.MaxInt64:
			return mpInt(dst, int64(f))
		case f >= 0 && f < math.MaxUint64:
			return mpUint(dst, uint64(f))
		}
	}
	dst = append(dst, 0xcb)
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(f))
}

func mpInt(dst []byte, v int64) []byte {
	if v >= 0 {
		return mpUint(dst, uint64(v))
	}
	switch {
	case v >= -32:
		return append(dst, byte(v))
	case v >= math.MinInt8:
		return append(dst, 0xd0, byte(v))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(dst, 0xd1), uint16(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, 0xd2), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(v))
}

func mpUint(dst []byte, v uint64) []byte {
	switch {
	case v <= 0x7f:
		return append(dst, byte(v))
	case v <= math.MaxUint8:
		return append(dst, 0xcc, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xcd), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0xce), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcf), v)
}

func mpString(dst []byte, s string) []byte {
	switch n := len(s); {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n <= math.MaxUint8:
		dst = append(dst, 0xd9, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xda), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xdb), uint32(n))
	}
	return append(dst, s...)
}

func mpBin(dst, b []byte) []byte {
	switch n := len(b); {
	case n <= math.MaxUint8:
		dst = append(dst, 0xc4, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xc5), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xc6), uint32(n))
	}
	return append(dst, b...)
}

func mpArrayHeader(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x90|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xdc), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdd), uint32(n))
}

func mpMapHeader(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x80|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xde), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdf), uint32(n))
}
