package codec

import (
	"encoding/json"
	"errors"
	"strconv"
)

// maxDepth bounds the nesting this package walks, as encoding/json does, so
// that hostile input cannot exhaust the stack.
const maxDepth = 10000

var (
	errNotArray = errors.New("not a JSON array")
	errTooDeep  = errors.New("JSON nested too deeply")
	// ErrTruncated says that JSON ends before a value it opened is closed.
	ErrTruncated = errors.New("truncated JSON")
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the string that opens at b[i].
func skipString(b []byte, i int) (int, error) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, ErrTruncated
}

// skipValue returns the index just past the JSON value that starts at b[i]
// (after any white space). b must already be known to be valid JSON; the
// checks here only keep malformed input from causing a panic.
func skipValue(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, ErrTruncated
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, ErrTruncated
	default:
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i, nil
			}
		}
		return i, nil
	}
}

// ValueEnd returns the index just past the JSON value that starts at b[i]
// (after any white space). Strings, objects and arrays are scanned for
// their closing quote or bracket only, so b need not be checked first;
// ErrTruncated says b ends before that.
func ValueEnd(b []byte, i int) (int, error) { return skipValue(b, i) }

// SplitArray returns the elements of the JSON array data without decoding
// them. data must be valid JSON.
func SplitArray(data []byte) ([]json.RawMessage, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, errNotArray
	}
	var out []json.RawMessage
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return out, nil
	}
	for i < len(data) {
		start := skipSpace(data, i)
		end, err := skipValue(data, start)
		if err != nil {
			return nil, err
		}
		out = append(out, json.RawMessage(data[start:end:end]))
		i = skipSpace(data, end)
		if i >= len(data) {
			break
		}
		if data[i] == ']' {
			return out, nil
		}
		i++ // ','
	}
	return nil, ErrTruncated
}

// CutFirst splits a JSON array (valid JSON) after its first element: first
// is that element, and "[" followed by rest is the array of the others
// (rest ends with the closing bracket). It allocates nothing.
func CutFirst(array []byte) (first, rest []byte, err error) {
	i := skipSpace(array, 0)
	if i >= len(array) || array[i] != '[' {
		return nil, nil, errNotArray
	}
	i = skipSpace(array, i+1)
	if i >= len(array) || array[i] == ']' {
		return nil, nil, ErrTruncated
	}
	end, err := skipValue(array, i)
	if err != nil {
		return nil, nil, err
	}
	first = array[i:end]
	j := skipSpace(array, end)
	if j < len(array) && array[j] == ',' {
		j++
	}
	return first, array[j:], nil
}

// firstElement returns the first element of the JSON array data, and the
// count of elements seen so far being at least one.
func firstElement(data []byte) (json.RawMessage, bool, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, false, errNotArray
	}
	i = skipSpace(data, i+1)
	if i >= len(data) {
		return nil, false, ErrTruncated
	}
	if data[i] == ']' {
		return nil, false, nil
	}
	end, err := skipValue(data, i)
	if err != nil {
		return nil, false, err
	}
	return json.RawMessage(data[i:end]), true, nil
}

// placeholder is one placeholder object found in a payload: its byte span
// and the attachment index it names (-1 when num is not a usable index).
type placeholder struct {
	start, end int
	num        int
}

// findPlaceholders appends to dst every object in data (valid JSON) that has
// "_placeholder": true, in document order, as the reference parser finds them.
// Placeholders are not looked for inside a placeholder object.
func findPlaceholders(dst []placeholder, data []byte) ([]placeholder, error) {
	var w placeholderWalker
	w.data = data
	w.out = dst
	_, err := w.value(skipSpace(data, 0), 0)
	return w.out, err
}

type placeholderWalker struct {
	data []byte
	out  []placeholder
}

func (w *placeholderWalker) value(i, depth int) (int, error) {
	b := w.data
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, ErrTruncated
	}
	if depth > maxDepth {
		return 0, errTooDeep
	}
	switch b[i] {
	case '[':
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		for i < len(b) {
			end, err := w.value(i, depth+1)
			if err != nil {
				return 0, err
			}
			i = skipSpace(b, end)
			if i >= len(b) {
				break
			}
			if b[i] == ']' {
				return i + 1, nil
			}
			i++
		}
		return 0, ErrTruncated
	case '{':
		return w.object(i, depth)
	default:
		return skipValue(b, i)
	}
}

func (w *placeholderWalker) object(start, depth int) (int, error) {
	b := w.data
	isPlaceholder := false
	num := -1
	mark := len(w.out)
	i := skipSpace(b, start+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for i < len(b) {
		i = skipSpace(b, i)
		keyEnd, err := skipString(b, i)
		if err != nil {
			return 0, err
		}
		key := b[i:keyEnd]
		i = skipSpace(b, keyEnd)
		if i >= len(b) || b[i] != ':' {
			return 0, ErrTruncated
		}
		vstart := skipSpace(b, i+1)
		vend, err := w.value(vstart, depth+1)
		if err != nil {
			return 0, err
		}
		switch keyName(key) {
		case "_placeholder":
			isPlaceholder = string(b[vstart:vend]) == "true"
		case "num":
			num = placeholderIndex(b[vstart:vend])
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			break
		}
		if b[i] == '}' {
			if isPlaceholder {
				// The reference replaces the whole object; anything found
				// inside it is gone with it.
				w.out = append(w.out[:mark], placeholder{start, i + 1, num})
			}
			return i + 1, nil
		}
		i++
	}
	return 0, ErrTruncated
}

// keyName returns an object key's text, unescaping only when needed.
func keyName(quoted []byte) string {
	for _, c := range quoted {
		if c == '\\' {
			var s string
			if json.Unmarshal(quoted, &s) == nil {
				return s
			}
			return ""
		}
	}
	return string(quoted[1 : len(quoted)-1])
}

// placeholderIndex returns the attachment index a "num" value names, or -1
// when it is not a non-negative integer (JSON numbers such as 1.0 and 1e0
// name index 1, as they do in JavaScript).
func placeholderIndex(v []byte) int {
	if n, err := strconv.Atoi(string(v)); err == nil {
		if n < 0 {
			return -1
		}
		return n
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f < 0 || f != float64(int(f)) || f > 1<<31 {
		return -1
	}
	return int(f)
}
