package e2e

import (
	"strings"
	"testing"
)

// interopChecks puts a server with test/servers' handlers through what
// every implementation must do for sio: an ack with JSON over each
// transport, binary both ways, a namespace that refuses and admits by its
// auth, and the server's ack requests answered. euro is how the server
// writes "€" in JSON ("€" or "\u20ac").
func interopChecks(t *testing.T, url, euro string) {
	t.Helper()
	for _, tr := range []string{"polling", "websocket", "auto"} {
		r := sio(t, "", "emit", url, "echo", "1", `{"a":"€"}`, "--ack", "--transport", tr, "-o", "json")
		if r.code != 0 || !strings.Contains(r.stdout, `"type":"ack","ns":"/","event":"echo","args":[1,{"a":"`+euro+`"}]`) {
			t.Errorf("%s: exit %d, %s %s", tr, r.code, r.stdout, r.stderr)
		}
	}
	r := sio(t, "", "emit", url, "binary", "--wait", "bin-back", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQIDBA=="},"`+euro+`",{"nested":[{"$binary":"AQIDBA=="},{"$binary":"BQ=="}]}]`) {
		t.Errorf("binary: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "\x01\x02", "emit", url, "ack", "@-", "--ack", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQI="}]`) {
		t.Errorf("binary to the server: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "emit", url+"/admin", "echo", "x", "-a", `{"token":"bad"}`)
	if r.code != 4 || !strings.Contains(r.stderr, `Not authorized {"code":42}`) {
		t.Errorf("refused: exit %d, %s", r.code, r.stderr)
	}
	r = sio(t, "", "emit", url+"/admin", "echo", "x", "--ack", "-a", `{"token":"ok"}`, "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"ns":"/admin","event":"echo","args":["x"]`) {
		t.Errorf("/admin: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "listen", url, "--on-connect", "emit ask 7", "--reply", `question="yes"`, "--until", "answered", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"event":"answered","args":["yes"]`) {
		t.Errorf("ask: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
}
