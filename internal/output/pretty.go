package output

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// prettyStringMax is the longest string --pretty prints whole without
// --full; a longer one is cut, with how much was left out.
const prettyStringMax = 120

// appendPretty writes each argument on lines of its own, indented, its
// keys in the order they came.
func (p palette) appendPretty(b []byte, elems [][]byte) []byte {
	for _, e := range elems {
		v := e
		if !p.full {
			if short, err := shorten(e); err == nil {
				v = short
			}
		}
		var ind bytes.Buffer
		if err := json.Indent(&ind, v, "    ", "  "); err != nil {
			ind.Reset()
			ind.Write(v)
		}
		b = append(b, "\n    "...)
		b = p.appendJSON(b, ind.Bytes())
	}
	return b
}

// shorten rewrites a JSON value with strings over prettyStringMax runes
// cut and {"$binary":…} replaced by its size, keys in their order.
func shorten(js []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var out bytes.Buffer
	if err := shortenValue(dec, &out, ""); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func shortenValue(dec *json.Decoder, out *bytes.Buffer, key string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		closing := map[json.Delim]byte{'{': '}', '[': ']'}[t]
		out.WriteByte(byte(t))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			k := ""
			if t == '{' {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ = kt.(string)
				writeJSON(out, k)
				out.WriteByte(':')
			}
			if err := shortenValue(dec, out, k); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil && err != io.EOF {
			return err
		}
		out.WriteByte(closing)
	case string:
		if key == "$binary" {
			n := len(t)
			if raw, err := base64.StdEncoding.DecodeString(t); err == nil {
				n = len(raw)
			}
			writeJSON(out, fmt.Sprintf("<%d bytes>", n))
			return nil
		}
		if n := utf8.RuneCountInString(t); n > prettyStringMax {
			cut := []rune(t)[:prettyStringMax-20]
			writeJSON(out, fmt.Sprintf("%s… (%d more characters)", string(cut), n-len(cut)))
			return nil
		}
		writeJSON(out, t)
	case json.Number:
		out.WriteString(t.String())
	case bool:
		fmt.Fprint(out, t)
	case nil:
		out.WriteString("null")
	}
	return nil
}

func writeJSON(out *bytes.Buffer, s string) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	out.Truncate(out.Len() - 1) // the encoder's newline
}
