// Package script runs sio's scripts: the shell's commands, one a line,
// with expectations about what the server does.
package script

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Match reports whether got contains want: an object matches when each of
// its keys matches in got (got may have more), an array when each of its
// elements matches got's element at the same position (got may have more),
// numbers by value, anything else by equality. When it does not match, the
// reason names the first place that differs.
func Match(want, got json.RawMessage) (bool, string) {
	var w, g any
	if err := decode(want, &w); err != nil {
		return false, "the expectation is not JSON: " + err.Error()
	}
	if err := decode(got, &g); err != nil {
		return false, "what arrived is not JSON: " + err.Error()
	}
	if _, isArray := g.([]any); isArray {
		if _, wantArray := w.([]any); !wantArray {
			// expect tick 5: the event's arguments are a list
			return false, fmt.Sprintf("the arguments are a list, %s: write the MATCH as a list too, such as [%s]", bytes.TrimSpace(got), bytes.TrimSpace(want))
		}
	}
	return match(w, g, "")
}

func decode(data []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(v)
}

func match(want, got any, at string) (bool, string) {
	where := at
	if where == "" {
		where = "the value"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false, fmt.Sprintf("%s is not an object", where)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return false, fmt.Sprintf("%s has no key %q", where, k)
			}
			if ok, why := match(wv, gv, at+"."+k); !ok {
				return false, why
			}
		}
		return true, ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return false, fmt.Sprintf("%s is not an array", where)
		}
		if len(g) < len(w) {
			return false, fmt.Sprintf("%s has %d elements, not %d", where, len(g), len(w))
		}
		for i, wv := range w {
			if ok, why := match(wv, g[i], at+"["+strconv.Itoa(i)+"]"); !ok {
				return false, why
			}
		}
		return true, ""
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return false, fmt.Sprintf("%s is not a number", where)
		}
		wf, _ := w.Float64()
		gf, _ := g.Float64()
		if wf != gf {
			return false, fmt.Sprintf("%s is %s, not %s", where, g, w)
		}
		return true, ""
	default:
		if want != got {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			return false, fmt.Sprintf("%s is %s, not %s", where, gj, wj)
		}
		return true, ""
	}
}

// Lookup returns the value at a path such as args[0].id or [1].name in
// JSON data.
func Lookup(data json.RawMessage, path string) (json.RawMessage, error) {
	var v any
	if err := decode(data, &v); err != nil {
		return nil, err
	}
	rest := path
	for rest != "" {
		switch {
		case rest[0] == '.':
			rest = rest[1:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: no closing ]", path)
			}
			i, err := strconv.Atoi(rest[1:end])
			arr, ok := v.([]any)
			if err != nil || !ok || i < 0 || i >= len(arr) {
				return nil, fmt.Errorf("path %q: no element %s", path, rest[:end+1])
			}
			v, rest = arr[i], rest[end+1:]
			continue
		}
		end := strings.IndexAny(rest, ".[")
		if end < 0 {
			end = len(rest)
		}
		key := rest[:end]
		obj, ok := v.(map[string]any)
		if key == "" || !ok {
			return nil, fmt.Errorf("path %q: no key %q", path, key)
		}
		if v, ok = obj[key]; !ok {
			return nil, fmt.Errorf("path %q: no key %q", path, key)
		}
		rest = rest[end:]
	}
	return json.Marshal(v)
}
