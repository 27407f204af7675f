package output

import "github.com/siocli/sio/pkg/codec"

func splitArgs(args []byte) ([][]byte, error) {
	elems, err := codec.SplitArray(args)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(elems))
	for i, e := range elems {
		out[i] = e
	}
	return out, nil
}

// appendJSON writes valid JSON with its tokens coloured: keys, strings,
// numbers and literals. Without colour it writes the JSON as it is.
func (p palette) appendJSON(b, js []byte) []byte {
	if !p.on {
		return append(b, js...)
	}
	// A key is a string followed, after white space, by ':'.
	for i := 0; i < len(js); {
		c := js[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(js) && js[j] != '"' {
				if js[j] == '\\' {
					j++
				}
				j++
			}
			j++
			if j > len(js) {
				j = len(js)
			}
			k := j
			for k < len(js) && (js[k] == ' ' || js[k] == '\t' || js[k] == '\n' || js[k] == '\r') {
				k++
			}
			col := p.str
			if k < len(js) && js[k] == ':' {
				col = p.key
			}
			b = p.paint(b, col, string(js[i:j]))
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(js) && (js[j] == '-' || js[j] == '+' || js[j] == '.' || js[j] == 'e' || js[j] == 'E' || (js[j] >= '0' && js[j] <= '9')) {
				j++
			}
			b = p.paint(b, p.num, string(js[i:j]))
			i = j
		case c == 't' || c == 'f' || c == 'n':
			j := i
			for j < len(js) && js[j] >= 'a' && js[j] <= 'z' {
				j++
			}
			b = p.paint(b, p.lit, string(js[i:j]))
			i = j
		default:
			b = append(b, c)
			i++
		}
	}
	return b
}
