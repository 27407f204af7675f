package cliargs

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siocli/sio/pkg/codec"
)

// marshal runs Parse and codec.MarshalArgs, as an emit does.
func marshal(t *testing.T, args []string, o Options) (string, [][]byte) {
	t.Helper()
	vals, err := Parse(args, o)
	if err != nil {
		t.Fatal(err)
	}
	data, blobs, err := codec.MarshalArgs(vals...)
	if err != nil {
		t.Fatal(err)
	}
	return string(data), blobs
}

func TestParse(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.bin")
	os.WriteFile(file, []byte{0, 1, 2}, 0o600)
	tests := []struct {
		args  []string
		o     Options
		want  string
		blobs int
	}{
		{[]string{"42", `"42"`, "hello", "true", "null", `{"a": 1.50}`, "[1,2]"}, Options{}, `[42,"42","hello",true,null,{"a": 1.50},[1,2]]`, 0},
		{[]string{"42", "hello world", "{"}, Options{Strings: true}, `["42","hello world","{"]`, 0},
		{[]string{`\@home`, "@" + file}, Options{}, `["@home",{"_placeholder":true,"num":0}]`, 1},
		{[]string{"@-"}, Options{Stdin: strings.NewReader("in")}, `[{"_placeholder":true,"num":0}]`, 1},
		{[]string{`{"x":{"$binary":"AAEC"},"n":12345678901234567890}`}, Options{}, `[{"n":12345678901234567890,"x":{"_placeholder":true,"num":0}}]`, 1},
		{[]string{"", " ", "@"}, Options{}, `[""," ","@"]`, 0},
		{[]string{"[bot] hello", "{name} joined"}, Options{}, `["[bot] hello","{name} joined"]`, 0},
	}
	for _, tt := range tests {
		got, blobs := marshal(t, tt.args, tt.o)
		if got != tt.want || len(blobs) != tt.blobs {
			t.Errorf("%q: %s with %d blobs, want %s with %d", tt.args, got, len(blobs), tt.want, tt.blobs)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, args := range [][]string{
		{"ok", "@/no/such/file"},
		{`{"$binary":"not base64!"}`},
		{`{"$binary":42}`},
		{"@-", "@-"},
		{`{"a":`},
		{`[1,}`},
	} {
		_, err := Parse(args, Options{Stdin: strings.NewReader("")})
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v", args, err)
			continue
		}
		if !strings.HasPrefix(e.Error(), "argument ") {
			t.Errorf("%q: message %q", args, e.Error())
		}
	}
}

// TestParseBadJSON: an argument that opens an object or an array and does
// not parse is an error that says where, not a string sent in silence.
func TestParseBadJSON(t *testing.T) {
	for arg, want := range map[string]string{
		`{"a":`:        "it ends at byte 5 before its object is closed",
		`[1,}`:         "not valid JSON at byte 4",
		`{"a":1} junk`: "not valid JSON at byte 9",
	} {
		_, err := Parse([]string{arg}, Options{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--string") {
			t.Errorf("%q: %v, want %q", arg, err, want)
		}
	}
}

func TestParseArray(t *testing.T) {
	vals, err := ParseArray(`["a", {"$binary":"AQID"}, 3]`)
	if err != nil {
		t.Fatal(err)
	}
	data, blobs, _ := codec.MarshalArgs(vals...)
	if string(data) != `["a",{"_placeholder":true,"num":0},3]` || len(blobs) != 1 {
		t.Errorf("%s %v", data, blobs)
	}
	if _, err := ParseArray(`{"a":1}`); err == nil {
		t.Error("an object was taken for an array")
	}
}

// TestBinaryRoundTrip: what sio prints for binary reads back as the same
// bytes.
func TestBinaryRoundTrip(t *testing.T) {
	blob := []byte{0, 255, 7}
	printed := AppendBinary(nil, blob)
	v, err := FromJSON(printed)
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := v.([]byte); !ok || string(b) != string(blob) {
		t.Errorf("%s read back as %#v", printed, v)
	}
	var anyv any
	if json.Unmarshal(printed, &anyv) != nil {
		t.Error("not JSON")
	}
}

func TestReadAtMost(t *testing.T) {
	if b, err := readAtMost(strings.NewReader("0123456789"), "x", 10); err != nil || len(b) != 10 {
		t.Errorf("at the limit: %q %v", b, err)
	}
	if _, err := readAtMost(strings.NewReader("0123456789!"), "the file", 10); err == nil || err.Error() != "the file is larger than 10 bytes, the most sio reads" {
		t.Errorf("over the limit: %v", err)
	}
}
