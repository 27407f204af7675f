package e2e

import (
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

// TestLegacyServers puts socket.io 1.7 and 2.0, from the lockfile,
// through what sio must do with them: acks over each transport, binary
// both ways, namespace auth by query accepted and refused, the server's
// ack requests answered.
func TestLegacyServers(t *testing.T) {
	for _, v := range []string{"1", "2.0"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			url := testserver.Start(t, testserver.Config{Version: v}).URL()
			for _, tr := range []string{"polling", "websocket", "auto"} {
				// engine.io 1.x encodes polling text as UTF-8 once more:
				// --legacy-utf8 does too, both ways.
				arg := `{"a":"€ café 日本 🎉"}`
				args := []string{"emit", url, "echo", "1", arg, "--ack", "--transport", tr, "-o", "json"}
				if v == "1" {
					args = append(args, "--legacy-utf8")
				}
				r := sio(t, "", args...)
				if r.code != 0 || !strings.Contains(r.stdout, `"event":"echo","args":[1,`+arg+`]`) {
					t.Errorf("%s: exit %d, %s %s", tr, r.code, r.stdout, r.stderr)
				}
			}
			if v == "1" {
				// The doctor finds out, and names the flag.
				doctor(t, url, "--heartbeat-wait", "0").expect(t, 6, "handshake", "engine.io 1.x", "--legacy-utf8")
				if rep := doctor(t, url, "--heartbeat-wait", "0", "--legacy-utf8"); rep.Verdict.Code != 0 {
					t.Errorf("doctor --legacy-utf8: %+v", rep.Verdict)
				}
				// Without it, the session the server ends is explained.
				r := sio(t, "", "emit", url, "echo", `"€"`, "--ack", "--transport", "polling")
				if r.code != 1 || !strings.Contains(r.stderr, "as engine.io 1.x (socket.io 1.x) does unless that text is UTF-8 encoded twice") || !strings.Contains(r.stderr, "try --legacy-utf8") {
					t.Errorf("without --legacy-utf8: exit %d, %s", r.code, r.stderr)
				}
			} else {
				// With it against a server that does not encode twice,
				// its text ends the session, naming the flag.
				r := sio(t, "", "emit", url, "binary", "--wait", "bin-back", "--transport", "polling", "--legacy-utf8")
				if r.code != 1 || !strings.Contains(r.stderr, "--legacy-utf8 is for engine.io 1.x only") {
					t.Errorf("--legacy-utf8 against 2.0: exit %d, %s", r.code, r.stderr)
				}
			}
			r := sio(t, "", "emit", url, "binary", "--wait", "bin-back", "-o", "json", "--transport", "websocket")
			if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQIDBA=="},"€",{"nested":[{"$binary":"AQIDBA=="},{"$binary":"BQ=="}]}]`) {
				t.Errorf("binary: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			r = sio(t, "\x01\x02", "emit", url, "ack", "@-", "--ack", "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQI="}]`) {
				t.Errorf("binary to the server: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			r = sio(t, "", "emit", url+"/admin", "echo", "x", "-q", "token=bad")
			if r.code != 4 || !strings.Contains(r.stderr, `{"code":42}`) {
				t.Errorf("refused: exit %d, %s", r.code, r.stderr)
			}
			r = sio(t, "", "emit", url+"/admin", "echo", "x", "--ack", "-q", "token=ok", "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"ns":"/admin","event":"echo","args":["x"]`) {
				t.Errorf("/admin by query: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			r = sio(t, "", "listen", url, "--on-connect", "emit ask 7", "--reply", `question="yes"`, "--until", "answered", "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"event":"answered","args":["yes"]`) {
				t.Errorf("ask: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
