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
				// engine.io 1.x encodes polling text as UTF-8 once more,
				// so its polling carries ASCII only.
				arg := `{"a":"€"}`
				if v == "1" && tr != "websocket" {
					arg = `{"a":"e"}`
				}
				r := sio(t, "", "emit", url, "echo", "1", arg, "--ack", "--transport", tr, "-o", "json")
				if r.code != 0 || !strings.Contains(r.stdout, `"event":"echo","args":[1,`+arg+`]`) {
					t.Errorf("%s: exit %d, %s %s", tr, r.code, r.stdout, r.stderr)
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
