package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

// seen is what the Node server's handshake event acks: what it saw of
// the request that opened the session.
type seen struct {
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Address   string            `json:"address"`
	Transport string            `json:"transport"`
}

func handshakeSeen(t *testing.T, url string, flags ...string) seen {
	t.Helper()
	r := sio(t, "", append([]string{"emit", url, "handshake", "--ack", "-o", "json"}, flags...)...)
	var rec struct {
		Args []seen `json:"args"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rec) != nil || len(rec.Args) != 1 {
		t.Fatalf("%v: exit %d, %s %s", flags, r.code, r.stdout, r.stderr)
	}
	return rec.Args[0]
}

// TestConnOptionsSeen gives the options that shape the requests, and the
// real server shows each took effect.
func TestConnOptionsSeen(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4", NoTrailingSlash: true})

	got := handshakeSeen(t, s.URL(), "--transport", "polling")
	if !strings.HasPrefix(got.URL, "/socket.io/?") || !strings.Contains(got.URL, "&t=") {
		t.Errorf("by default: %s", got.URL)
	}
	got = handshakeSeen(t, s.URL(), "--transport", "polling", "--no-trailing-slash", "--no-timestamp")
	if !strings.HasPrefix(got.URL, "/socket.io?") || strings.Contains(got.URL, "&t=") || strings.Contains(got.URL, "?t=") {
		t.Errorf("--no-trailing-slash --no-timestamp: %s", got.URL)
	}
	got = handshakeSeen(t, s.URL(), "--transport", "polling", "--timestamp-param", "cachebust")
	if !strings.Contains(got.URL, "cachebust=") || strings.Contains(got.URL, "&t=") {
		t.Errorf("--timestamp-param cachebust: %s", got.URL)
	}
	got = handshakeSeen(t, s.URL(), "--transport", "websocket", "--ws-protocol", "chat.v2", "--ws-protocol", "chat.v1", "--local-address", "127.0.0.2")
	if got.Transport != "websocket" || got.Headers["sec-websocket-protocol"] != "chat.v2, chat.v1" || got.Address != "127.0.0.2" {
		t.Errorf("--ws-protocol, --local-address: %+v", got)
	}

	// An upgrade that may take no time fails, and the session stays on
	// polling.
	r := sio(t, "", "listen", s.URL(), "--upgrade-timeout", "1ns", "--duration", "1500ms", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"type":"upgrade_error"`) || strings.Contains(r.stdout, `"type":"upgrade"`) {
		t.Errorf("--upgrade-timeout 1ns: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}

	for _, c := range [][]string{
		{"--ws-protocol", "a b"}, {"--timestamp-param", "a&b"}, {"--local-address", "here"}, {"--upgrade-timeout", "-1s"},
	} {
		if r := sio(t, "", append([]string{"emit", s.URL(), "x"}, c...)...); r.code != 2 || !strings.Contains(r.stderr, c[0]) {
			t.Errorf("%v: exit %d, %s", c, r.code, r.stderr)
		}
	}
}

// TestRetries resends an emit until the server acks it: the Node server's
// flaky event acks a key from its third delivery on, with the count.
func TestRetries(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "", "emit", s.URL(), "flaky", "k1", "--ack", "--retries", "3", "--ack-timeout", "300ms", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"args":[3]`) {
		t.Errorf("--retries 3: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "emit", s.URL(), "flaky", "k2", "--ack", "--retries", "1", "--ack-timeout", "200ms")
	if r.code != 5 || !strings.Contains(r.stderr, `no ack for "flaky" on / within 200ms, 2 times`) {
		t.Errorf("--retries 1: exit %d, %s", r.code, r.stderr)
	}
	r = sio(t, "", "emit", s.URL(), "flaky", "k3", "--ack", "--retries", "2")
	if r.code != 2 || !strings.Contains(r.stderr, "give --ack-timeout") {
		t.Errorf("--retries without --ack-timeout: exit %d, %s", r.code, r.stderr)
	}
}

// TestTransportPaths routes the transports apart through a front, as
// some deployments do, and forces base64 over the WebSocket: the real
// server answers on both paths, and every frame sio sends is text.
func TestTransportPaths(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	target, _ := url.Parse(s.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr := r.URL.Query().Get("transport")
		switch {
		case strings.HasPrefix(r.URL.Path, "/poll/") && tr == "polling", strings.HasPrefix(r.URL.Path, "/ws/") && tr == "websocket":
			r.URL.Path = "/socket.io/"
			rp.ServeHTTP(w, r)
		default:
			http.Error(w, "not routed", http.StatusNotFound)
		}
	}))
	defer front.Close()
	r := sio(t, "", "listen", front.URL, "--ws-path", "/ws/", "--polling-path", "poll/", "--duration", "1500ms", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"type":"upgrade"`) {
		t.Errorf("--ws-path, --polling-path: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	hostname := filepath.Join(t.TempDir(), "blob")
	os.WriteFile(hostname, []byte{1, 2, 3}, 0o600)
	r = sio(t, "", "emit", front.URL, "echo", "@"+hostname, "--ack", "--ws-path", "/ws/", "--polling-path", "/poll/",
		"--transport", "websocket", "--force-base64", "--trace", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQID"}]`) {
		t.Fatalf("--force-base64: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "> ws text 5 bytes\n    bAQID") || strings.Contains(r.stderr, "ws binary") || !strings.Contains(r.stderr, "b64=1&transport=websocket") {
		t.Errorf("--force-base64 sent binary frames or did not ask for base64:\n%s", r.stderr)
	}
}

// TestVolatile drops a volatile emit that cannot go, and says so; one that
// can goes as any other.
func TestVolatile(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "emit --volatile echo 1 --no-compress --ack\ndisconnect\nemit --volatile echo 2\n", "repl", s.URL(), "-o", "json")
	if !strings.Contains(r.stdout, `"type":"ack","ns":"/","event":"echo","args":[1]`) ||
		!strings.Contains(r.stderr, "not sent: / is not connected, and a volatile emit is dropped rather than buffered") {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := sio(t, "", "emit", s.URL(), "echo", "x", "--volatile", "--ack", "-o", "json"); r.code != 0 || !strings.Contains(r.stdout, `"args":["x"]`) {
		t.Errorf("sio emit --volatile: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
}

// TestCredentialHelpers runs --auth-cmd and --header-cmd before every
// connect: a reconnect sends what they print then, and a helper that fails
// is named with its standard error.
func TestCredentialHelpers(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	counter := filepath.Join(t.TempDir(), "n")
	os.WriteFile(counter, []byte("0"), 0o600)
	next := `n=$(($(cat ` + counter + `) + 1)); echo $n >` + counter + `; `
	r := sio(t, "emit handshake --ack\nreconnect\nemit handshake --ack\n", "repl", s.URL(), "-o", "json",
		"--auth-cmd", next+`echo "{\"token\": \"t$n\"}"`, "--header-cmd", `echo "X-Token: h$(cat `+counter+`)"`)
	var auths, headers []string
	for _, line := range strings.Split(r.stdout, "\n") {
		var rec struct {
			Type string `json:"type"`
			Args []struct {
				Auth    map[string]string `json:"auth"`
				Headers map[string]string `json:"headers"`
			} `json:"args"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Type == "ack" && len(rec.Args) == 1 {
			auths = append(auths, rec.Args[0].Auth["token"])
			headers = append(headers, rec.Args[0].Headers["x-token"])
		}
	}
	// The header helper runs before each session opens, the auth helper
	// before each namespace connect, just after.
	if strings.Join(auths, " ") != "t1 t2" || strings.Join(headers, " ") != "h0 h1" {
		t.Errorf("auth %q, headers %q; stdout:\n%s\nstderr:\n%s", auths, headers, r.stdout, r.stderr)
	}
	r = sio(t, "", "emit", s.URL(), "x", "--auth-cmd", "echo 'token expired' >&2; exit 3")
	if r.code != 1 || !strings.Contains(r.stderr, `--auth-cmd "echo 'token expired' >&2; exit 3" failed: exit status 3: token expired`) {
		t.Errorf("a failing --auth-cmd: exit %d, %s", r.code, r.stderr)
	}
	r = sio(t, "", "emit", s.URL(), "x", "--header-cmd", "echo nonsense")
	if r.code != 1 || !strings.Contains(r.stderr, `--header-cmd "echo nonsense": want "Name: value" lines`) {
		t.Errorf("a bad --header-cmd: exit %d, %s", r.code, r.stderr)
	}
}
