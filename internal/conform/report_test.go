package conform

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

var sample = &Report{
	Summary: Summary{Type: "summary", Suite: EngineIO, URL: "http://127.0.0.1:3000", EIO: 4, Passed: 1, Failed: 1, Skipped: 1},
	Records: []Record{
		{Type: "check", Suite: EngineIO, Name: "handshake/polling/opens", Result: Pass, MS: 3.2, Note: "no maxPayload"},
		{Type: "check", Suite: EngineIO, Name: "message/polling/text", Result: Fail, MS: 12, Sent: "POST /engine.io/?EIO=4&transport=polling 4hello", Got: "200 4hel\x1elo", Why: "the GET: want 4hello"},
		{Type: "check", Suite: EngineIO, Name: "heartbeat/websocket/ping-pong", Result: Skip, Why: "not checked: it waits up to 1.5s"},
	},
	Started: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	Took:    1500 * time.Millisecond,
}

func TestPrinterText(t *testing.T) {
	var b bytes.Buffer
	p := NewPrinter(&b, false, false)
	p.Start(sample.Summary)
	for _, r := range sample.Records {
		p.Check(r)
	}
	p.Summary(sample.Summary)
	want := `sio conform http://127.0.0.1:3000: the engine.io suite, Engine.IO 4

✓ handshake/polling/opens                  3 ms
    no maxPayload
✗ message/polling/text                     12 ms
    sent POST /engine.io/?EIO=4&transport=polling 4hello
    got  200 4hel\x1elo
    why  the GET: want 4hello
- heartbeat/websocket/ping-pong            not checked: it waits up to 1.5s

1 passed, 1 failed, 1 skipped
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPrinterJSON(t *testing.T) {
	var b bytes.Buffer
	p := NewPrinter(&b, true, true)
	p.Start(sample.Summary)
	for _, r := range sample.Records {
		p.Check(r)
	}
	p.Summary(sample.Summary)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want a record a check and the summary:\n%s", len(lines), b.String())
	}
	var fail Record
	if err := json.Unmarshal([]byte(lines[1]), &fail); err != nil {
		t.Fatal(err)
	}
	if fail != sample.Records[1] {
		t.Errorf("round trip: %+v", fail)
	}
	var m map[string]any
	json.Unmarshal([]byte(lines[0]), &m)
	for _, k := range []string{"sent", "got", "why"} {
		if _, ok := m[k]; ok {
			t.Errorf("a passed check's record has %s: %s", k, lines[0])
		}
	}
	if !strings.Contains(lines[3], `"type":"summary"`) || !strings.Contains(lines[3], `"failed":1`) {
		t.Errorf("summary: %s", lines[3])
	}
}

func TestJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, sample); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	if doc.Tests != 3 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 3 {
		t.Fatalf("counts: %+v", doc)
	}
	s := doc.Suites[0]
	if s.Time != "1.500" || s.Timestamp != "2025-01-02T03:04:05" {
		t.Errorf("time %s, timestamp %s", s.Time, s.Timestamp)
	}
	c := s.Cases[1]
	if c.Failure == nil || c.Failure.Message != "the GET: want 4hello" || !strings.Contains(c.Failure.Text, "sent: POST /engine.io/") {
		t.Errorf("failure: %+v", c.Failure)
	}
	// XML cannot hold the record separator: it is replaced, not left to
	// break the file.
	if strings.Contains(b.String(), "\x1e") {
		t.Error("a control character in the XML")
	}
	if s.Cases[2].Skipped == nil || s.Cases[0].Failure != nil || s.Cases[0].Out != "no maxPayload" {
		t.Errorf("cases: %+v", s.Cases)
	}
}
