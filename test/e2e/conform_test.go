package e2e

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// conformRecord is a line of sio conform -o json.
type conformRecord struct {
	Type, Suite, Name, Result, Sent, Got, Why, Note string
	EIO                                             int
	Passed, Failed, Skipped                         int
}

// conform runs sio conform -o json and returns its records, the summary
// last, checking that every line is one.
func conform(t *testing.T, args ...string) ([]conformRecord, result) {
	t.Helper()
	r := sio(t, "", append([]string{"conform", "-o", "json"}, args...)...)
	var recs []conformRecord
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var rec conformRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("sio conform %v: exit %d, a line that is not JSON (%v): %s\n%s", args, r.code, err, line, r.stderr)
		}
		recs = append(recs, rec)
	}
	return recs, r
}

// failures lists the checks that did not pass.
func failures(recs []conformRecord) []conformRecord {
	var bad []conformRecord
	for _, r := range recs {
		if r.Type == "check" && r.Result == "fail" {
			bad = append(bad, r)
		}
	}
	return bad
}

// TestConformSuites runs the official suites' checks against the test
// servers the protocol documents describe: every check passes.
func TestConformSuites(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   testserver.Config
		args  []string
		eio   int
		count int
	}{
		{"engine.io EIO4", testserver.Config{Conformance: "engine.io"}, []string{"--suite", "engine.io"}, 4, 25},
		{"engine.io EIO3 allowEIO3", testserver.Config{Conformance: "engine.io", AllowEIO3: true}, []string{"--suite", "engine.io", "--eio", "3"}, 3, 23},
		{"engine.io 3.6", testserver.Config{Conformance: "engine.io", Version: "2"}, []string{"--suite", "engine.io"}, 3, 23},
		{"socket.io", testserver.Config{Conformance: "socket.io"}, []string{"--suite", "socket.io"}, 4, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := testserver.Start(t, tc.cfg)
			url := s.URL()
			if tc.cfg.Conformance == "engine.io" {
				url += "/engine.io" // the URL's path is the Engine.IO path
			}
			recs, r := conform(t, append([]string{url}, tc.args...)...)
			if r.code != 0 || len(failures(recs)) > 0 {
				t.Errorf("exit %d, failed: %+v\n%s", r.code, failures(recs), r.stderr)
			}
			sum := recs[len(recs)-1]
			if sum.Type != "summary" || sum.EIO != tc.eio || sum.Passed != tc.count || len(recs) != tc.count+1 {
				t.Errorf("summary %+v, %d records, want %d checks of Engine.IO %d", sum, len(recs)-1, tc.count, tc.eio)
			}
		})
	}
}

// TestConformProtocol runs the protocol checks against socket.io 4.8:
// every check passes or needs an application; the text output and the
// JUnit report say the same.
func TestConformProtocol(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4", PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond})
	recs, r := conform(t, s.URL())
	if r.code != 0 || len(failures(recs)) > 0 {
		t.Fatalf("exit %d, failed: %+v\n%s", r.code, failures(recs), r.stderr)
	}
	for _, rec := range recs {
		if rec.Result == "skip" && rec.Name != "event/echo-and-ack" {
			t.Errorf("skipped: %+v", rec)
		}
	}
	junit := filepath.Join(t.TempDir(), "conform.xml")
	r = sio(t, "", "conform", s.URL(), "-o", "text", "--junit", junit)
	if r.code != 0 || !strings.Contains(r.stdout, "✓ upgrade") || !strings.Contains(r.stdout, fmt.Sprintf("%d passed, 0 failed, 1 skipped", len(recs)-2)) {
		t.Errorf("text: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil || doc.Tests != len(recs)-1 || doc.Failures != 0 {
		t.Errorf("junit: %+v %v\n%s", doc, err, data)
	}
}

// TestConformOtherServers runs the protocol checks against servers of
// other versions: each gets a verdict per check, and the exit code says
// whether one failed.
func TestConformOtherServers(t *testing.T) {
	for _, tc := range []struct {
		version string
		eio     int
	}{{"2", 3}, {"3", 4}} {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			s := testserver.Start(t, testserver.Config{Version: tc.version, PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond})
			recs, r := conform(t, s.URL(), "--timeout", "2s")
			sum := recs[len(recs)-1]
			want := map[bool]int{false: 0, true: 6}[sum.Failed > 0]
			if sum.Type != "summary" || sum.EIO != tc.eio || r.code != want || sum.Passed+sum.Failed+sum.Skipped != len(recs)-1 || r.stderr != "" {
				t.Fatalf("exit %d, summary %+v\n%s\n%s", r.code, sum, r.stdout, r.stderr)
			}
			for _, rec := range recs[:len(recs)-1] {
				if rec.Result == "fail" && (rec.Why == "" || rec.Sent == "" || rec.Got == "") {
					t.Errorf("a failure that does not say what was sent and what came back: %+v", rec)
				}
			}
		})
	}
}

// TestConformUnreachable: no server is exit code 3.
func TestConformUnreachable(t *testing.T) {
	t.Parallel()
	r := sio(t, "", "conform", "http://127.0.0.1:1", "--connect-timeout", "2s")
	if r.code != 3 || !strings.Contains(r.stderr, "could not connect") {
		t.Errorf("exit %d, %s", r.code, r.stderr)
	}
}
