package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

var versions = []string{"2", "3", "4"}

// record is one NDJSON line of sio's output.
type record struct {
	Type    string            `json:"type"`
	NS      string            `json:"ns"`
	Event   string            `json:"event"`
	Args    []json.RawMessage `json:"args"`
	Reason  string            `json:"reason"`
	Message string            `json:"message"`
	Data    json.RawMessage   `json:"data"`
	Attempt int               `json:"attempt"`
}

// records parses NDJSON line by line, as jq would.
func records(t *testing.T, out string) []record {
	t.Helper()
	var rs []record
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, line)
		}
		rs = append(rs, r)
	}
	return rs
}

func argsOf(r record) string {
	b, _ := json.Marshal(r.Args)
	return string(b)
}

// adminCreds are the flags that give /admin its token on each version.
func adminCreds(v string) []string {
	if v == "2" {
		return []string{"-q", "token=ok"}
	}
	return []string{"-a", `{"token":"ok"}`}
}

func TestEmitAck(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v})
			r := sio(t, "", "emit", s.URL(), "echo", "hello", "42", `"42"`, `{"a":[1,true]}`, "--ack")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			rs := records(t, r.stdout)
			if len(rs) != 1 || rs[0].Type != "ack" || argsOf(rs[0]) != `["hello",42,"42",{"a":[1,true]}]` {
				t.Errorf("output %s", r.stdout)
			}
			args := append([]string{"emit", s.URL() + "/admin", "echo", "x", "--ack"}, adminCreds(v)...)
			if r := sio(t, "", args...); r.code != 0 || !strings.Contains(r.stdout, `"ns":"/admin"`) {
				t.Errorf("admin: exit %d %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

func TestEmitBinaryFromFile(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v})
			file := filepath.Join(t.TempDir(), "blob")
			os.WriteFile(file, []byte{0, 1, 2, 255}, 0o600)
			r := sio(t, "", "emit", s.URL(), "echo", "@"+file, "--ack")
			if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AAEC/w=="}]`) {
				t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
			}
			// What sio prints can be sent again.
			again := sio(t, "", "emit", s.URL(), "echo", `{"$binary":"AAEC/w=="}`, "--ack")
			if a, b := records(t, again.stdout), records(t, r.stdout); len(a) != 1 || argsOf(a[0]) != argsOf(b[0]) {
				t.Errorf("resent binary: %s", again.stdout)
			}
			stdin := sio(t, "bytes", "emit", s.URL(), "echo", "@-", "--ack")
			if !strings.Contains(stdin.stdout, `{"$binary":"Ynl0ZXM="}`) {
				t.Errorf("stdin: %s %s", stdin.stdout, stdin.stderr)
			}
		})
	}
}

func TestEmitExitCodes(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"refused", []string{"emit", s.URL() + "/admin", "echo", "-a", `{"token":"bad"}`}, 4, `the server refused /admin: Not authorized {"code":42}`},
		{"unreachable", []string{"emit", "127.0.0.1:1", "echo", "--connect-timeout", "2s"}, 3, "could not connect"},
		{"ack timeout", []string{"emit", s.URL(), "silence", "--ack", "--timeout", "300ms"}, 5, `no ack for "silence" on / within 300ms`},
		{"wait timeout", []string{"emit", s.URL(), "echo", "--wait", "never", "--timeout", "300ms"}, 5, `no "never" event within 300ms`},
		{"bad URL", []string{"emit", "ftp://x", "echo"}, 2, "scheme must be"},
		{"bad auth", []string{"emit", s.URL(), "echo", "-a", "{nope"}, 2, "--auth must be a JSON object"},
		{"bad header", []string{"emit", s.URL(), "echo", "-H", "nocolon"}, 2, `--header "nocolon"`},
		{"missing file", []string{"emit", s.URL(), "echo", "@/no/such"}, 2, "argument 1 (@/no/such)"},
		{"reserved name", []string{"emit", s.URL(), "disconnect"}, 2, "reserved event name"},
		{"bad flag", []string{"emit", s.URL(), "echo", "--nope"}, 2, "unknown flag"},
		{"missing event", []string{"emit", s.URL()}, 2, "missing EVENT"},
		{"bad JSON", []string{"emit", s.URL(), "echo", `{"a":`, "--ack"}, 2, `argument 1 ({"a":): not valid JSON: it ends at byte 5 before its object is closed`},
		{"empty event", []string{"emit", s.URL(), "", "--ack"}, 2, "the event name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sio(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

// TestEmitWait waits for a reply event; on a 2.x server, --auth is not
// sent, and sio says so.
func TestEmitWait(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "2"})
	r := sio(t, "", "emit", s.URL(), "echo", "x", "--wait", "echo-back", "-a", `{"token":"ok"}`)
	rs := records(t, r.stdout)
	if r.code != 0 || len(rs) != 1 || rs[0].Event != "echo-back" {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "no auth payload") {
		t.Errorf("no warning about --auth on a 2.x server: %q", r.stderr)
	}
	// A disconnect while waiting ends the wait at once, with its reason.
	start := time.Now()
	r = sio(t, "", "emit", s.URL(), "disconnect-me", "--wait", "never", "--timeout", "20s")
	if r.code != 1 || !strings.Contains(r.stderr, `disconnected from / before the "never" event came: io server disconnect`) || time.Since(start) > 5*time.Second {
		t.Errorf("disconnected while waiting: exit %d after %v: %s", r.code, time.Since(start), r.stderr)
	}
}

func TestEmitTransports(t *testing.T) {
	for _, v := range versions {
		for _, tr := range []string{"polling", "websocket"} {
			t.Run(fmt.Sprintf("socket.io %s over %s", v, tr), func(t *testing.T) {
				s := testserver.Start(t, testserver.Config{Version: v})
				r := sio(t, "", "emit", s.URL(), "echo", "x", "--ack", "--transport", tr)
				if r.code != 0 || !strings.Contains(r.stdout, `"args":["x"]`) {
					t.Errorf("exit %d: %s %s", r.code, r.stdout, r.stderr)
				}
			})
		}
	}
}

// TestEmitRefused: every version's refusal exits 4 with the server's
// message (2.x sends only the error's data).
func TestEmitRefused(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v})
			creds := []string{"-a", `{"token":"bad"}`}
			want := `the server refused /admin: Not authorized {"code":42}`
			if v == "2" {
				creds, want = []string{"-q", "token=bad"}, `the server refused /admin {"code":42}`
			}
			r := sio(t, "", append([]string{"emit", s.URL() + "/admin", "echo"}, creds...)...)
			if r.code != 4 || !strings.Contains(r.stderr, want) {
				t.Errorf("exit %d, stderr %q; want 4 and %q", r.code, r.stderr, want)
			}
		})
	}
}

// TestEmitTrace: --trace goes to stderr, with the auth value redacted;
// stdout keeps only the data.
func TestEmitTrace(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "", "emit", s.URL(), "echo", "x", "--ack", "--trace", "-a", `{"token":"s3cret"}`)
	if r.code != 0 || len(records(t, r.stdout)) != 1 {
		t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
	}
	for _, want := range []string{"> GET http://", "< HTTP 200", "ws text", `[redacted]`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("trace lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "s3cret") {
		t.Error("the trace shows the auth value")
	}
	// Wherever a secret travels, the trace knows it: a credential-named
	// query value (in every URL, and in a 2.x namespace CONNECT), the auth
	// payload in msgpack's binary frames, a credential header, a name the
	// user adds with --redact, and auth given in the shell and in scripts.
	s2 := testserver.Start(t, testserver.Config{Version: "2"})
	mp := testserver.Start(t, testserver.Config{Version: "4", Parser: "msgpack"})
	for name, args := range map[string][]string{
		"query":         {"emit", s.URL(), "echo", "x", "--ack", "--trace", "-q", "token=s3cret"},
		"2.x namespace": {"emit", s2.URL() + "/admin", "echo", "x", "--trace", "-q", "token=s3cret", "--eio", "3"},
		"URL query":     {"emit", s.URL() + "?access_token=s3cret", "echo", "x", "--ack", "--trace"},
		"msgpack auth":  {"emit", mp.URL(), "echo", "x", "--ack", "--trace", "--parser", "msgpack", "-a", `{"token":"s3cret"}`, "--transport", "websocket"},
		"polling only":  {"emit", s.URL(), "echo", "x", "--ack", "--trace", "--transport", "polling", "-a", `{"token":"s3cret"}`},
		"header":        {"emit", s.URL(), "echo", "x", "--ack", "--trace", "-H", "X-Api-Key: s3cret"},
		"--redact":      {"emit", s.URL(), "echo", "x", "--ack", "--trace", "-q", "room=s3cret", "--redact", "room"},
	} {
		r := sio(t, "", args...)
		shown := strings.Contains(r.stderr, "s3cret") || strings.Contains(r.stderr, "73 33 63 72 65 74")
		hidden := strings.Contains(r.stderr, "[redacted]") || strings.Contains(r.stderr, "5b 72 65 64 61 63 74 65 64 5d")
		if (r.code != 0 && name != "2.x namespace") || shown || !hidden {
			t.Errorf("%s: exit %d, the trace:\n%s", name, r.code, r.stderr)
		}
	}
	r = sio(t, "", "emit", s.URL(), "echo", "x", "--ack", "--trace", "-q", "token=s3cret", "--show-secrets")
	if !strings.Contains(r.stderr, "token=s3cret") {
		t.Errorf("--show-secrets hides the query:\n%s", r.stderr)
	}
	r = sio(t, "ns /admin --auth {\"token\":\"s3cret\"}\nexit\n", "repl", s.URL(), "--trace")
	if strings.Contains(r.stderr, "s3cret") || !strings.Contains(r.stderr, "[redacted]") {
		t.Errorf("ns --auth in the shell shows in the trace:\n%s", r.stderr)
	}
	r = sio(t, "connect -n /admin --auth {\"token\":\"s3cret\"}\nemit --ack echo 1\n", "run", "-", s.URL(), "--trace")
	if strings.Contains(r.stderr, "s3cret") || !strings.Contains(r.stderr, "[redacted]") {
		t.Errorf("connect --auth in a script shows in the trace:\n%s", r.stderr)
	}
}

// TestEmitThen emits several events in one run, in order, each acked.
func TestEmitThen(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "", "emit", s.URL(), "echo", "one", "--then", `echo two {"a": [1, 2]}`, "--then", "echo 'three four'", "--ack")
	var got []string
	for _, rec := range records(t, r.stdout) {
		got = append(got, argsOf(rec))
	}
	if r.code != 0 || strings.Join(got, " ") != `["one"] ["two",{"a":[1,2]}] ["three four"]` {
		t.Errorf("exit %d: %v %s", r.code, got, r.stderr)
	}
	if r := sio(t, "", "emit", s.URL(), "echo", "--then", "disconnect"); r.code != 2 {
		t.Errorf("a reserved name in --then: exit %d", r.code)
	}
	// One --then alone can ask for its ack, as emit does in the shell.
	r = sio(t, "", "emit", s.URL(), "echo", "one", "--then", "echo two --ack")
	got = nil
	for _, rec := range records(t, r.stdout) {
		got = append(got, rec.Type+" "+argsOf(rec))
	}
	if r.code != 0 || strings.Join(got, " ") != `ack ["two"]` {
		t.Errorf("--then with its own --ack: exit %d: %v %s", r.code, got, r.stderr)
	}
}

// TestEmitMsgpack talks to servers using socket.io-msgpack-parser.
func TestEmitMsgpack(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v, Parser: "msgpack"})
			r := sio(t, "", "emit", s.URL(), "echo", "x", "1.5", `{"$binary":"AQI="}`, "--ack", "--parser", "msgpack")
			if r.code != 0 || !strings.Contains(r.stdout, `"args":["x",1.5,{"$binary":"AQI="}]`) {
				t.Errorf("exit %d: %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestEmitInterrupt: Ctrl-C while emit waits for an ack ends it at once,
// disconnecting cleanly.
func TestEmitInterrupt(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	e := sioStart(t, "emit", s.URL(), "silence", "--ack", "--timeout", "30s", "--trace", "--transport", "websocket")
	if !e.stderr.await(15*time.Second, func(out string) bool { return strings.Contains(out, `silence`) }) {
		t.Fatalf("the emit did not leave: %s", e.stderr)
	}
	e.cmd.Process.Signal(os.Interrupt)
	if code := e.wait(t, 5*time.Second); code != 1 || !strings.Contains(e.stderr.String(), "sio: interrupted") {
		t.Fatalf("exit %d: %s", code, e.stderr)
	}
	if !strings.Contains(e.stderr.String(), "> ws text 2 bytes\n    41") {
		t.Errorf("no DISCONNECT was sent:\n%s", e.stderr)
	}
}

// TestAuthOnV4Warns: a 2.x server has no auth payload; -a is not sent, and
// sio says so once, pointing at -q, in emit, listen and the shell alike.
func TestAuthOnV4Warns(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "2"})
	for _, args := range [][]string{
		{"emit", s.URL(), "echo", "x", "--ack"},
		{"repl", s.URL()},
		{"listen", s.URL(), "--duration", "300ms"},
	} {
		r := sio(t, "exit\n", append(args, "-a", `{"token":"ok"}`)...)
		if strings.Count(r.stderr, "has no auth payload: --auth was not sent; pass credentials with -q") != 1 {
			t.Errorf("%s: exit %d, stderr %q", args[0], r.code, r.stderr)
		}
	}
}

// TestEmitPretty: emit takes --pretty as listen and the shell do.
func TestEmitPretty(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "", "emit", s.URL(), "echo", `{"a":[1,2]}`, "--ack", "--pretty", "-o", "text")
	if r.code != 0 || !strings.Contains(r.stdout, "ack of echo\n    {\n      \"a\": [\n") {
		t.Errorf("exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
}
