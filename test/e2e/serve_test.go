package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

var listening = regexp.MustCompile(`listening on (https?://[0-9.:]+)/socket\.io/`)

// serve starts sio serve on a free port and returns it and its URL.
func serve(t *testing.T, args ...string) (*started, string) {
	t.Helper()
	return serveEnv(t, nil, args...)
}

// serveEnv is serve with env added to the environment.
func serveEnv(t *testing.T, env []string, args ...string) (*started, string) {
	t.Helper()
	s := sioStartEnv(t, env, append([]string{"serve", "--port", "0"}, args...)...)
	var url string
	if !s.stderr.await(15*time.Second, func(out string) bool {
		m := listening.FindStringSubmatch(out)
		if m != nil {
			url = m[1]
		}
		return m != nil
	}) {
		t.Fatalf("sio serve did not say where it listens; stderr:\n%s", s.stderr)
	}
	return s, url
}

// TestServeReferenceClients puts socket.io-client 2.x and 4.x through
// test/servers/client.js against sio serve: acks, binary, echo, a
// namespace with auth, a refused one, and the upgrade.
func TestServeReferenceClients(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found on PATH: %s", testserver.InstallHint)
	}
	s, url := serve(t, "--echo", "--require-auth", `{"token":"ok"}`)
	for _, v := range []string{"2", "4"} {
		for _, tr := range []string{"polling,websocket", "polling", "websocket"} {
			t.Run("v"+v+"/"+tr, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, node, filepath.Join(testserver.Dir(), "client.js"), "--version", v, "--url", url, "--transports", tr)
				out, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(out), `{"ok":true}`) {
					t.Fatalf("client.js: %v\n%s\nsio serve printed:\n%s", err, out, s.stdout)
				}
				if tr == "polling,websocket" && !strings.Contains(string(out), `{"step":"upgrade","transport":"websocket"}`) {
					t.Errorf("no upgrade:\n%s", out)
				}
			})
		}
	}
	// The server options that shape what a client meets: compression both
	// ways and the io cookie, with both generations of the reference client.
	so, ourl := serve(t, "--echo", "--require-auth", `{"token":"ok"}`, "--per-message-deflate", "--per-message-deflate-threshold", "0",
		"--http-compression", "--http-compression-threshold", "0", "--cookie", "io", "--upgrade-timeout", "5s")
	for _, v := range []string{"2", "4"} {
		t.Run("v"+v+"/compression", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, node, filepath.Join(testserver.Dir(), "client.js"), "--version", v, "--url", ourl).CombinedOutput()
			if err != nil || !strings.Contains(string(out), `{"ok":true}`) || !strings.Contains(string(out), `{"step":"upgrade","transport":"websocket"}`) {
				t.Fatalf("client.js: %v\n%s\nsio serve printed:\n%s", err, out, so.stdout)
			}
		})
	}
	r := sio(t, "", "emit", ourl, "echo", strings.Repeat("a", 100), "--ack", "--transport", "websocket", "--trace", "-a", `{"token":"ok"}`)
	if r.code != 0 || !strings.Contains(r.stderr, "Sec-Websocket-Extensions: permessage-deflate") {
		t.Errorf("sio over a compressed WebSocket: exit %d, %s", r.code, r.stderr)
	}
	for _, off := range []string{"--no-compress", "--compress=false"} {
		r := sio(t, "", "emit", ourl, "echo", "x", "--ack", "--transport", "websocket", "--trace", "-a", `{"token":"ok"}`, off)
		if r.code != 0 || strings.Contains(r.stderr, "permessage-deflate") {
			t.Errorf("%s: exit %d, %s", off, r.code, r.stderr)
		}
	}
	req, _ := http.NewRequest("GET", ourl+"/socket.io/?EIO=4&transport=polling", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("--http-compression: %v %v", err, resp.Header)
	} else {
		resp.Body.Close()
	}

	// What the server printed, one JSON object a line.
	for _, want := range []string{`"type":"connection"`, `"eio":3`, `"eio":4`, `"type":"upgrade","client":`,
		`"type":"event","client":`, `"event":"bin","args":[{"$binary":"AAEC/v8="}`, `"type":"connect_error"`, `"data":{"wrong":["token"]}`, `"reason":"client namespace disconnect"`} {
		if !strings.Contains(s.stdout.String(), want) {
			t.Errorf("sio serve printed no %s:\n%s", want, s.stdout)
		}
	}
}

// TestServeSioClient runs sio emit against sio serve over each transport
// and both protocol versions.
func TestServeSioClient(t *testing.T) {
	_, url := serve(t, "--echo")
	for _, eio := range []string{"3", "4"} {
		for _, tr := range []string{"auto", "polling", "websocket"} {
			r := sio(t, "", "emit", url, "echo", "hé", "42", `{"a":[1]}`, "--ack", "--eio", eio, "--transport", tr, "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"args":["hé",42,{"a":[1]}]`) {
				t.Errorf("EIO %s over %s: exit %d\n%s%s", eio, tr, r.code, r.stdout, r.stderr)
			}
		}
	}
	r := sio(t, "", "emit", url, "chat", "hi", "--wait", "chat", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"event":"chat","args":["hi"]`) {
		t.Errorf("--echo: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestServeRequireAuth refuses sio's connects that lack the auth.
func TestServeRequireAuth(t *testing.T) {
	_, url := serve(t, "--require-auth", `{"token":"s3cret"}`)
	r := sio(t, "", "emit", url, "x", "--ack", "-a", `{"token":"nope"}`)
	if r.code != 4 || !strings.Contains(r.stderr, `not authorized {"wrong":["token"]}`) || strings.Contains(r.stderr, "s3cret") {
		t.Errorf("bad token: exit %d: %s", r.code, r.stderr)
	}
	r = sio(t, "", "emit", url, "x", "--ack", "-a", `{"user":"me"}`)
	if r.code != 4 || !strings.Contains(r.stderr, `not authorized {"missing":["token"]}`) || strings.Contains(r.stderr, "s3cret") {
		t.Errorf("no token: exit %d: %s", r.code, r.stderr)
	}
	r = sio(t, "", "emit", url, "x", "--ack", "-a", `{"token":"s3cret","more":1}`)
	if r.code != 0 {
		t.Errorf("good token: exit %d: %s", r.code, r.stderr)
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--require-auth", "token"}, `--require-auth "token": want a JSON object`},
		{[]string{"--transports", "pigeon"}, `unknown transport "pigeon"`},
		{[]string{"--port", "70000"}, "--port 70000: want 0 to 65535"},
		{[]string{"--path", "socket"}, `--path "socket": want a path starting with /`},
	} {
		r := sio(t, "", append([]string{"serve"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, %s", tc.args, r.code, r.stderr)
		}
	}
	_, url := serve(t)
	r := sio(t, "", "serve", "--port", url[strings.LastIndex(url, ":")+1:])
	if r.code != 1 || !strings.Contains(r.stderr, "cannot listen on 127.0.0.1:") || !strings.Contains(r.stderr, "address already in use") {
		t.Errorf("a port in use: exit %d, %s", r.code, r.stderr)
	}
}

// TestServeConsole types the console's commands in a real terminal while
// sio listen is connected.
func TestServeConsole(t *testing.T) {
	tm := startTerm(t, "serve", "--port", "0")
	mark := tm.expect(0, "serve /> ")
	url := listening.FindStringSubmatch(tm.screen())[1]
	l := sioStart(t, "listen", url, "-o", "json")
	l.waitFor(t, `"type":"connect"`, 1)
	l.waitFor(t, `"type":"upgrade"`, 1) // clients then lists it on websocket
	mark = tm.expect(mark, "● connect")

	tm.typ("clients\r")
	mark = tm.expect(mark, " for ")
	id := regexp.MustCompile(`([A-Za-z0-9_-]{20})  Engine\.IO 4  websocket`).FindStringSubmatch(tm.screen())
	if id == nil {
		t.Fatalf("no client id in:\n%s", tm.screen())
	}

	tm.typ("emit news hello '42' {\"n\": [1, 2]}\r")
	mark = tm.expect(mark, "sent to 1 client on /")
	l.waitFor(t, `"event":"news","args":["hello","42",{"n": [1, 2]}]`, 1)

	tm.typ("to " + id[1] + " emit direct 1\r")
	mark = tm.expect(mark, "sent to 1 client on /")
	l.waitFor(t, `"event":"direct","args":[1]`, 1)

	tm.typ("bogus\r")
	mark = tm.expect(mark, "bogus: unknown command")

	tm.typ("kick " + id[1] + "\r")
	l.waitFor(t, `"reason":"io server disconnect"`, 1)
	if code := l.wait(t, 10*time.Second); code != 0 {
		t.Errorf("sio listen exited %d after the kick", code)
	}
	tm.expect(mark, "server namespace disconnect")

	tm.typ("\x04") // Ctrl-D stops the server
	done := tm.exit()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("sio serve after Ctrl-D: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sio serve still runs after Ctrl-D")
	}
}

// TestServeOptions checks the server's flags from the outside: broadcast,
// transports, heartbeat timings and the payload limit.
func TestServeOptions(t *testing.T) {
	t.Run("broadcast", func(t *testing.T) {
		_, url := serve(t, "--broadcast")
		l := sioStart(t, "listen", url, "-o", "json")
		l.waitFor(t, `"type":"connect"`, 1)
		if r := sio(t, "", "emit", url, "news", "hello", "--ack"); r.code != 0 {
			t.Fatalf("emit: exit %d %s", r.code, r.stderr)
		}
		l.waitFor(t, `"event":"news","args":["hello"]`, 1)
	})
	t.Run("transports", func(t *testing.T) {
		_, url := serve(t, "--transports", "websocket")
		if r := sio(t, "", "emit", url, "x", "--ack", "--transport", "polling", "--connect-timeout", "3s"); r.code != 3 || !strings.Contains(r.stderr, "Transport unknown") {
			t.Errorf("polling: exit %d %s", r.code, r.stderr)
		}
		if r := sio(t, "", "emit", url, "x", "--ack", "--transport", "websocket"); r.code != 0 {
			t.Errorf("websocket: exit %d %s", r.code, r.stderr)
		}
	})
	t.Run("heartbeat", func(t *testing.T) {
		_, url := serve(t, "--ping-interval", "100ms", "--ping-timeout", "5s")
		l := sioStart(t, "listen", url, "-o", "json")
		l.waitFor(t, `"type":"ping"`, 3)
		if strings.Contains(l.stdout.String(), `"type":"close"`) {
			t.Errorf("the connection closed:\n%s", l.stdout)
		}
	})
	t.Run("max payload", func(t *testing.T) {
		// sio serve announces its limit; sio's client refuses, before
		// sending, a message the server would end the session for. (The
		// server's own enforcement is tested in internal/eioserver.)
		_, url := serve(t, "--max-payload", "200", "-o", "json")
		r := sio(t, "", "emit", url, "x", strings.Repeat("y", 500), "--ack", "--transport", "websocket", "--timeout", "5s")
		if r.code != 1 || !strings.Contains(r.stderr, "bytes, more than the 200 the server takes (its maxPayload)") {
			t.Errorf("an oversized emit: exit %d %s", r.code, r.stderr)
		}
	})
}

// TestLostAckSaysWhy: a server that closes the session over an emit (a
// socket.io 2.x server enforces its maxHttpBufferSize without announcing
// it) ends the wait for the ack with the cause, not only that the socket
// went away.
func TestLostAckSaysWhy(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "2", MaxPayload: 200})
	r := sio(t, "", "emit", s.URL(), "echo", strings.Repeat("y", 500), "--ack", "--transport", "websocket", "--timeout", "5s")
	if r.code == 0 || !strings.Contains(r.stderr, "socket has been disconnected on /: transport close") || !strings.Contains(r.stderr, "1009") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
}

// TestServeTLS serves https and wss with a certificate the test makes, to
// sio's client and to sio doctor.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := cert(t, dir, "serve", time.Now().Add(365*24*time.Hour), []string{"localhost"}, net.ParseIP("127.0.0.1"))
	_, url := serve(t, "--cert", certFile, "--key", keyFile, "--ping-interval", "500ms")
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("serving %s", url)
	}
	for _, tr := range []string{"auto", "websocket"} {
		if r := sio(t, "", "emit", url, "x", "1", "--ack", "--cacert", certFile, "--transport", tr); r.code != 0 {
			t.Errorf("%s: exit %d %s", tr, r.code, r.stderr)
		}
	}
	if r := sio(t, "", "emit", url, "x", "--ack"); r.code != 3 || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("untrusted: exit %d %s", r.code, r.stderr)
	}
	doctor(t, url, "--cacert", certFile).expect(t, 0, "")
	r := sio(t, "", "serve", "--cert", certFile)
	if r.code != 2 || !strings.Contains(r.stderr, "--cert and --key go together") {
		t.Errorf("--cert alone: exit %d %s", r.code, r.stderr)
	}
}

// TestControlsMadeVisible: what came over the wire reaches a terminal with
// its control characters made visible, so that a peer cannot clear the
// screen or forge a line; JSON output keeps it exact.
func TestControlsMadeVisible(t *testing.T) {
	s, url := serve(t, "--echo", "-o", "text")
	evil := "evil\x1b[2J\rsio: forged"
	if r := sio(t, "", "emit", url, evil, "x", "--ack", "-o", "text"); r.code != 0 || strings.ContainsAny(r.stdout, "\x1b\r") || !strings.Contains(r.stdout, `evil\x1b[2J\rsio: forged`) {
		t.Errorf("emit: exit %d, %q", r.code, r.stdout)
	}
	if !s.stdout.await(10*time.Second, func(out string) bool { return strings.Contains(out, `evil\x1b[2J\rsio: forged`) }) || strings.ContainsAny(s.stdout.String(), "\x1b\r") {
		t.Errorf("sio serve printed %q", s.stdout)
	}
	if r := sio(t, "", "emit", url, evil, "x", "--ack", "-o", "json"); !strings.Contains(r.stdout, `"event":"evil\u001b[2J\rsio: forged"`) {
		t.Errorf("the JSON line is not exact: %q", r.stdout)
	}
}

// TestServeBalancerOptions: the io cookie that sticky balancers key on, a server
// that offers no upgrade, and a session closed when it connects no
// namespace in time.
func TestServeBalancerOptions(t *testing.T) {
	t.Parallel()
	_, url := serve(t, "--cookie", "io", "--cookie-path", "/app", "--no-upgrade", "--connect-timeout", "500ms", "-o", "json")
	for _, tr := range []string{"polling", "websocket"} {
		r := sio(t, "", "emit", url, "echo", "--transport", tr, "--trace", "--show-secrets")
		if r.code != 0 || !regexp.MustCompile(`Set-Cookie: io=[A-Za-z0-9_-]+; Path=/app; HttpOnly; SameSite=Lax`).MatchString(r.stderr) {
			t.Errorf("%s --cookie: exit %d, %s", tr, r.code, r.stderr)
		}
	}
	r := sio(t, "", "listen", url, "--duration", "1s", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"type":"open"`) || strings.Contains(r.stdout, `"type":"upgrade"`) {
		t.Errorf("--no-upgrade: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}

	// A session that connects no namespace is closed after --connect-timeout.
	resp, err := http.Get(url + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sid := regexp.MustCompile(`"sid":"([^"]+)"`).FindStringSubmatch(string(body))
	if sid == nil {
		t.Fatalf("handshake: %s", body)
	}
	time.Sleep(800 * time.Millisecond)
	resp, err = http.Get(url + "/socket.io/?EIO=4&transport=polling&sid=" + sid[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK && !strings.Contains(string(body), "1") {
		t.Errorf("after --connect-timeout the session answers %d %q", resp.StatusCode, body)
	}
}
