package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// MarshalArgs encodes args as the JSON array an EVENT or ACK carries,
// taking binary values out as attachments and leaving placeholders in their
// place, as the reference client does.
//
// Each argument is, by its Go type:
//   - []byte: a binary attachment;
//   - json.RawMessage: JSON written as it is (it must be valid; it is not
//     searched for binary);
//   - []any and map[string]any: walked, so binary may sit at any depth (map
//     keys are written sorted);
//   - anything else: encoded with encoding/json, HTML characters unescaped.
func MarshalArgs(args ...any) (json.RawMessage, [][]byte, error) {
	m := argMarshaler{buf: make([]byte, 0, 64)}
	m.buf = append(m.buf, '[')
	for i, a := range args {
		if i > 0 {
			m.buf = append(m.buf, ',')
		}
		if err := m.value(a, 0); err != nil {
			return nil, nil, fmt.Errorf("codec: argument %d: %w", i+1, err)
		}
	}
	m.buf = append(m.buf, ']')
	return m.buf, m.blobs, nil
}

// MarshalEvent encodes the JSON array of an EVENT: the event's name, then
// args as MarshalArgs encodes them (an error numbers them from 1, after the
// name).
func MarshalEvent(name string, args ...any) (json.RawMessage, [][]byte, error) {
	m := argMarshaler{buf: make([]byte, 0, 64)}
	m.buf = append(m.buf, '[')
	m.buf = AppendJSONString(m.buf, name)
	for i, a := range args {
		m.buf = append(m.buf, ',')
		if err := m.value(a, 0); err != nil {
			return nil, nil, fmt.Errorf("codec: argument %d: %w", i+1, err)
		}
	}
	m.buf = append(m.buf, ']')
	return m.buf, m.blobs, nil
}

type argMarshaler struct {
	buf   []byte
	blobs [][]byte
	enc   *json.Encoder
	tmp   bytes.Buffer
}

// AppendPlaceholder appends the placeholder object for attachment num.
func AppendPlaceholder(dst []byte, num int) []byte {
	dst = append(dst, `{"_placeholder":true,"num":`...)
	dst = strconv.AppendInt(dst, int64(num), 10)
	return append(dst, '}')
}

func (m *argMarshaler) value(v any, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	switch v := v.(type) {
	case nil:
		m.buf = append(m.buf, "null"...)
	case []byte:
		m.buf = AppendPlaceholder(m.buf, len(m.blobs))
		m.blobs = append(m.blobs, v)
	case json.RawMessage:
		if !json.Valid(v) {
			return ErrInvalidJSON
		}
		m.buf = append(m.buf, bytes.TrimSpace(v)...)
	case string:
		m.buf = AppendJSONString(m.buf, v)
	case bool:
		m.buf = strconv.AppendBool(m.buf, v)
	case int:
		m.buf = strconv.AppendInt(m.buf, int64(v), 10)
	case int64:
		m.buf = strconv.AppendInt(m.buf, v, 10)
	case []any:
		m.buf = append(m.buf, '[')
		for i, e := range v {
			if i > 0 {
				m.buf = append(m.buf, ',')
			}
			if err := m.value(e, depth+1); err != nil {
				return err
			}
		}
		m.buf = append(m.buf, ']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		m.buf = append(m.buf, '{')
		for i, k := range keys {
			if i > 0 {
				m.buf = append(m.buf, ',')
			}
			m.buf = AppendJSONString(m.buf, k)
			m.buf = append(m.buf, ':')
			if err := m.value(v[k], depth+1); err != nil {
				return err
			}
		}
		m.buf = append(m.buf, '}')
	default:
		return m.marshal(v)
	}
	return nil
}

func (m *argMarshaler) marshal(v any) error {
	if m.enc == nil {
		m.enc = json.NewEncoder(&m.tmp)
		m.enc.SetEscapeHTML(false)
	}
	m.tmp.Reset()
	if err := m.enc.Encode(v); err != nil {
		return err
	}
	m.buf = append(m.buf, bytes.TrimSuffix(m.tmp.Bytes(), []byte{'\n'})...)
	return nil
}

// ReplacePlaceholders returns data with each placeholder object replaced by
// what replace appends for the attachment it names, all other bytes kept as
// they are. It fails when a placeholder names a missing attachment.
func ReplacePlaceholders(data []byte, attachments [][]byte, replace func(dst, blob []byte) []byte) ([]byte, error) {
	phs, err := findPlaceholders(nil, data)
	if err != nil {
		return nil, err
	}
	if len(phs) == 0 {
		return data, nil
	}
	out := make([]byte, 0, len(data))
	last := 0
	for _, ph := range phs {
		if ph.num < 0 || ph.num >= len(attachments) {
			return nil, fmt.Errorf("%w: %s with %d attachments", ErrPlaceholder, data[ph.start:ph.end], len(attachments))
		}
		out = append(out, data[last:ph.start]...)
		out = replace(out, attachments[ph.num])
		last = ph.end
	}
	return append(out, data[last:]...), nil
}
