package e2e

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/siocli/sio/internal/testserver"
)

// TestHostileServer points the binary at a server that misbehaves in one
// way per case (internal/testserver/hostile.go): each ends with its exit
// code, within its timeout plus a second, naming the cause; what came
// over the wire reaches a terminal with its control characters made
// visible and JSON lines as valid UTF-8. Peak memory is measured by
// scripts/bench-hostile.sh, not here.
func TestHostileServer(t *testing.T) {
	t.Parallel()
	emit := []string{"emit", "echo", "1", "--ack", "--timeout", "3s", "--connect-timeout", "3s", "--transport", "polling"}
	listen := []string{"listen", "--no-reconnect", "--duration", "2s", "--connect-timeout", "3s"}
	tests := []struct {
		mode string
		args []string
		code int
		want string // in stderr, or in stdout when it starts with "out:"
		max  time.Duration
	}{
		{"garbage-handshake", emit, 3, "unknown packet type 'h'", 0},
		{"html-handshake", emit, 3, "HTTP 502 Bad Gateway", 0},
		{"endless-handshake", emit, 3, "more than any handshake takes", 0},
		{"trickle-handshake", append(emit[:len(emit):len(emit)], "--connect-timeout", "1s"), 3, "the answer was still coming", 2 * time.Second},
		{"huge-handshake", emit, 3, "the response announces 10000000000", 0},
		{"absurd-heartbeat", emit, 3, "pingInterval 9.999999999999e+12 ms is outside", 0},
		{"garbage-after", emit, 1, "parse error", 0},
		{"tiny-flood", emit, 0, `out:"type":"ack"`, 10 * time.Second}, // five million packets a poll, under -race: a bound, not a speed
		{"endless-poll", emit, 1, "exceeds the read limit (104857600 bytes)", 0},
		{"trickle-poll", emit, 1, "ping timeout: no heartbeat from the server within 600ms", 2 * time.Second},
		{"stall", emit, 1, "ping timeout: no heartbeat from the server within 600ms", 2 * time.Second},
		{"deep-json", listen, 3, "exceeded max depth", 0},
		{"huge-attachments", listen, 3, "too many attachments (1000000000, limit 10)", 0},
		{"escapes", append(listen[:len(listen):len(listen)], "-o", "text"), 0, `out:\x1b]0;pwned\x07\x1b[2Jevil  "\u001b[31mred\u001b[0m"`, 0},
		{"escapes", append(listen[:len(listen):len(listen)], "-o", "json"), 0, `out:"event":"\u001b]0;pwned\u0007\u001b[2Jevil"`, 0},
		{"escape-refusal", emit, 4, `refused /: \x1b[2J\x1b]0;pwned\x07\rsio: forged`, 0},
		{"invalid-utf8", append(listen[:len(listen):len(listen)], "-o", "text"), 0, `out:bad  "caf\xff\xfe"`, 0},
		{"invalid-utf8", append(listen[:len(listen):len(listen)], "-o", "json"), 0, `out:"invalid_utf8":true`, 0},
		{"websocket-garbage", []string{"emit", "echo", "1", "--ack", "--transport", "websocket"}, 3, "bad opcode", 0},
		{"websocket-garbage", []string{"emit", "echo", "1", "--ack"}, 0, `out:"type":"ack"`, 0}, // the upgrade fails, polling goes on
		{"websocket-oversized", []string{"emit", "echo", "1", "--ack", "--transport", "websocket"}, 3, "exceeds the read limit", 0},
	}
	for _, tt := range tests {
		name := tt.mode + " " + strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := testserver.StartHostile(t, tt.mode)
			args := append([]string{tt.args[0], h.URL()}, tt.args[1:]...)
			if !strings.Contains(strings.Join(args, " "), " -o ") {
				args = append(args, "-o", "json")
			}
			limit := tt.max
			if limit == 0 {
				limit = 4 * time.Second // the 3 s timeouts above, and a second
			}
			start := time.Now()
			r := sio(t, "", args...)
			took := time.Since(start)
			out, want := r.stderr, tt.want
			if s, ok := strings.CutPrefix(want, "out:"); ok {
				out, want = r.stdout, s
			}
			if r.code != tt.code || !strings.Contains(out, want) || took > limit {
				t.Errorf("exit %d after %v, want %d within %v and %q in\n%s\n%s", r.code, took.Round(time.Millisecond), tt.code, limit, want, r.stdout, r.stderr)
			}
			if strings.ContainsAny(r.stdout+r.stderr, "\x1b\r\x07") {
				t.Errorf("a control character reached the output:\n%q\n%q", r.stdout, r.stderr)
			}
			if !utf8.ValidString(r.stdout) && strings.Contains(strings.Join(args, " "), "-o json") {
				t.Errorf("the JSON lines are not valid UTF-8: %q", r.stdout)
			}
		})
	}
}
