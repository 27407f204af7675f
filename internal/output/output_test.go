package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/sioclient"
)

var at = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

func TestJSONRecords(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, JSON, false)
	pk := &codec.Packet{Type: codec.BinaryEvent, Namespace: "/a", Data: json.RawMessage(`["file",{"n":1.50,"b":{"_placeholder":true,"num":0}},"é"]`), Attachments: [][]byte{{1, 2}}}
	p.Event(&sioclient.Event{Time: at, Namespace: "/a", Name: "file", Packet: pk})
	p.Lifecycle(sioclient.Lifecycle{Time: at, Type: sioclient.LifecycleDisconnect, Namespace: "/a", Reason: "transport close"})
	p.Lifecycle(sioclient.Lifecycle{Time: at, Type: sioclient.LifecycleConnectError, Namespace: "/a", Err: &sioclient.ConnectError{Message: "no", Data: json.RawMessage(`{"code":1}`)}})
	p.Lifecycle(sioclient.Lifecycle{Time: at, Type: sioclient.LifecycleError, Err: errors.New(`dial "x"`)})
	p.Flush()
	want := `{"time":"2026-01-02T03:04:05.000006Z","type":"event","ns":"/a","event":"file","args":[{"n":1.50,"b":{"$binary":"AQI="}},"é"]}
{"time":"2026-01-02T03:04:05.000006Z","type":"disconnect","ns":"/a","reason":"transport close"}
{"time":"2026-01-02T03:04:05.000006Z","type":"connect_error","ns":"/a","message":"no","data":{"code":1}}
{"time":"2026-01-02T03:04:05.000006Z","type":"error","error":"dial \"x\""}
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("not JSON: %s", line)
		}
	}
}

func TestTextLines(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, Text, false)
	pk := &codec.Packet{Type: codec.Event, Namespace: "/", ID: 3, HasID: true, Data: json.RawMessage(`["q","x",{"k":[1]}]`)}
	p.Event(&sioclient.Event{Time: at, Namespace: "/", Name: "q", Packet: pk, Ack: &sioclient.AckRequest{ID: 3}})
	p.Ack("/", "echo", &sioclient.Ack{Packet: &codec.Packet{Type: codec.Ack, Data: json.RawMessage(`["ok"]`)}, RTT: 1500 * time.Microsecond})
	p.Ack("/", "echo", &sioclient.Ack{Packet: &codec.Packet{Type: codec.Ack, Data: json.RawMessage(`["ok"]`)}, RTT: 800 * time.Microsecond, Held: 97 * time.Millisecond})
	p.Lifecycle(sioclient.Lifecycle{Time: at, Type: sioclient.LifecycleReconnectAttempt, Attempt: 2})
	p.Flush()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	wantParts := []string{
		`/      q (wants ack 3)  "x"  {"k":[1]}`,
		`/      ack of echo  "ok"  (1.5ms)`,
		`/      ack of echo  "ok"  (800µs; sio held the emit 97ms first)`,
		`*      ● reconnect_attempt  attempt 2`,
	}
	for i, w := range wantParts {
		if i >= len(lines) || !strings.HasSuffix(lines[i], w) {
			t.Errorf("line %d %q, want it to end with %q", i+1, lines[i], w)
		}
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		`x["a",1]`:               `x["a",1]`,
		`x["a", 1]`:              `x["a", 1]`,
		"x[\"a\",\n 1]\n":        `x["a",1]`,
		"x[\"a\",\r\n{\"b\": 2}": `x["a",  {"b": 2}`, // not JSON: breaks become spaces
	} {
		if got := string(oneLine([]byte(in), 1)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestRecordSchema holds the fast encoder to the schema Record's tags
// write down.
func TestRecordSchema(t *testing.T) {
	id, msg, yes := uint64(7), "Not authorized", true
	for _, r := range []Record{
		{Time: time.Unix(1, 5).UTC(), Type: "event", NS: "/", Event: "chat", Args: json.RawMessage(`["hi",{"a":1}]`), AckID: &id},
		{Time: time.Unix(2, 0).UTC(), Type: "connect", Client: "c1", NS: "/admin", SocketID: "s1", Recovered: &yes, Auth: json.RawMessage(`{"k":1}`)},
		{Time: time.Unix(3, 0).UTC(), Type: "connect_error", NS: "/admin", Message: &msg, Data: json.RawMessage(`{"code":42}`)},
		{Time: time.Unix(4, 0).UTC(), Type: "disconnect", NS: "/", Reason: "transport close", Error: "EOF"},
		{Time: time.Unix(5, 0).UTC(), Type: "reconnect_attempt", Attempt: 2},
		{Time: time.Unix(6, 0).UTC(), Type: "upgrade", From: "polling", To: "websocket"},
		{Time: time.Unix(7, 0).UTC(), Type: "connection", Client: "c1", Transport: "polling", EIO: 4, Remote: "127.0.0.1:5"},
		{Time: time.Unix(8, 0).UTC(), Type: "emit", Dir: "out", NS: "/", Event: "chat", Args: json.RawMessage(`[1]`), AckID: &id},
	} {
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONRecord(nil, &r); string(got) != string(want) {
			t.Errorf("\n got %s\nwant %s", got, want)
		}
	}
}

func TestVisible(t *testing.T) {
	for in, want := range map[string]string{
		"chat":                  "chat",
		"héllo €":               "héllo €",
		"\x1b[2J\x1b]0;pwned\a": `\x1b[2J\x1b]0;pwned\x07`,
		"a\nsio: forged":        `a\nsio: forged`,
		"\u009b31m \u202edoc":   `\u009b31m \u202edoc`,
		"bad \xff byte":         `bad \xff byte`,
	} {
		if got := Visible(in); got != want {
			t.Errorf("Visible(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTextShowsControls: a server's event names, namespaces, reasons and
// messages reach the terminal with their control characters made visible.
func TestTextShowsControls(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, Text, false)
	msg := "no\x1b[2J"
	p.Lifecycle(sioclient.Lifecycle{Type: sioclient.LifecycleConnectError, Namespace: "/\x1b]0;x\a", Err: &sioclient.ConnectError{Namespace: "/", Message: msg}})
	p.Lifecycle(sioclient.Lifecycle{Type: sioclient.LifecycleDisconnect, Namespace: "/", Reason: "bye\r\nsio: forged"})
	p.Event(&sioclient.Event{Namespace: "/", Name: "evil\x1b[H", Packet: &codec.Packet{Type: codec.Event, Data: json.RawMessage(`["evil\u001b[H",1]`)}})
	// Inside JSON strings: bytes that are not UTF-8, a C1 control, a
	// bidirectional override.
	p.Event(&sioclient.Event{Namespace: "/", Name: "raw", Packet: &codec.Packet{Type: codec.Event, Data: json.RawMessage("[\"raw\",\"caf\xff\xfe \u009b2J \u202eabc\"]")}})
	p.Flush()
	if strings.ContainsAny(b.String(), "\x1b\a\r\u009b\u202e") || strings.Count(b.String(), "\n") != 4 || !utf8.ValidString(b.String()) || !strings.Contains(b.String(), `"caf\xff\xfe \u009b2J \u202eabc"`) {
		t.Errorf("raw controls reach the terminal: %q", b.String())
	}
}

// TestInvalidUTF8: every JSON line is valid UTF-8, and says when bytes
// had to be replaced.
func TestInvalidUTF8(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, JSON, false)
	p.Event(&sioclient.Event{Namespace: "/", Name: "e\xff", Packet: &codec.Packet{Type: codec.Event, Data: json.RawMessage("[\"e\xff\",\"a\xc3\"]")}})
	p.Event(&sioclient.Event{Namespace: "/", Name: "ok", Packet: &codec.Packet{Type: codec.Event, Data: json.RawMessage(`["ok","é"]`)}})
	p.Flush()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !utf8.ValidString(b.String()) || !strings.Contains(lines[0], `"invalid_utf8":true`) || strings.Contains(lines[1], "invalid_utf8") {
		t.Errorf("%q", b.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Errorf("not JSON: %v", err)
	}
}

// TestPretty prints args over several lines, keys in their order, long
// strings and binary shortened unless full; JSON output stays one line.
func TestPretty(t *testing.T) {
	long := strings.Repeat("x", 300)
	args := json.RawMessage(`[{"z":1,"a":{"$binary":"AQIDBA=="},"s":"` + long + `"},[true,null]]`)
	var buf bytes.Buffer
	p := New(&buf, Text, false)
	p.SetPretty(true, false)
	p.write(&Record{Time: time.Unix(0, 0), Type: "event", NS: "/", Event: "e", Args: args})
	p.Flush()
	got := buf.String()
	for _, want := range []string{"e\n    {\n      \"z\": 1,\n      \"a\": {\n        \"$binary\": \"<4 bytes>\"\n      },", "… (200 more characters)\"", "    [\n      true,\n      null\n    ]"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	buf.Reset()
	p.SetPretty(true, true)
	p.write(&Record{Time: time.Unix(0, 0), Type: "event", NS: "/", Event: "e", Args: args})
	p.Flush()
	if !strings.Contains(buf.String(), long) || !strings.Contains(buf.String(), `"AQIDBA=="`) {
		t.Errorf("full:\n%s", buf.String())
	}
	buf.Reset()
	j := New(&buf, JSON, false)
	j.SetPretty(true, false)
	j.write(&Record{Time: time.Unix(0, 0), Type: "event", NS: "/", Event: "e", Args: args})
	j.Flush()
	if strings.Count(buf.String(), "\n") != 1 || !strings.Contains(buf.String(), long) {
		t.Errorf("JSON output changed:\n%s", buf.String())
	}
}

// TestAckHeldJSON: an ack's record says how long sio held the emit, apart
// from the round trip, and only when that hold counts.
func TestAckHeldJSON(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, JSON, false)
	pk := &codec.Packet{Type: codec.Ack, ID: 4, HasID: true, Data: json.RawMessage(`["ok"]`)}
	p.Ack("/", "echo", &sioclient.Ack{Packet: pk, RTT: 800 * time.Microsecond, Held: 97250 * time.Microsecond})
	p.Ack("/", "echo", &sioclient.Ack{Packet: pk, RTT: 800 * time.Microsecond, Held: 20 * time.Microsecond})
	p.Flush()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], `"ack_id":4,"rtt_ms":0.8,"held_ms":97.25}`) || !strings.HasSuffix(lines[1], `"ack_id":4,"rtt_ms":0.8}`) {
		t.Errorf("got\n%s", b.String())
	}
}
