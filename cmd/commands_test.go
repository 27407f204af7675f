package cmd

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/sioclient"
)

func testStreams() (*IOStreams, *bytes.Buffer) {
	var out bytes.Buffer
	return &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}, &out
}

func TestEmitFlags(t *testing.T) {
	ios, _ := testStreams()
	var got *EmitOptions
	cmd := NewEmitCmd(ios, func(o *EmitOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"localhost:3000/chat", "say", "hi", "42", "--ack", "--timeout", "2s",
		"-q", "k=v", "-H", "X-A: b", "--transport", "websocket", "--eio", "4", "--string", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Conn.URL != "localhost:3000/chat" || got.Event != "say" || !reflect.DeepEqual(got.Args, []string{"hi", "42"}) ||
		!got.Ack || got.Timeout != 2*time.Second || !got.Strings || got.Output != "json" ||
		got.Conn.Transport != "websocket" || got.Conn.EIO != "4" || got.Conn.Reconnect {
		t.Errorf("options %+v", got)
	}
}

func TestListenFlags(t *testing.T) {
	ios, _ := testStreams()
	var got *ListenOptions
	root := NewRootCmd(ios)
	for _, c := range root.Commands() {
		if c.Name() == "listen" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewListenCmd(ios, func(o *ListenOptions) error { got = o; return nil }))
	root.SetArgs([]string{"tail", "localhost:3000", "a*", "b", "-n", "/x", "-n", "/y", "--count", "5", "--until", "end", "--duration", "1m", "--no-lifecycle"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Globs, []string{"a*", "b"}) || !reflect.DeepEqual(got.Conn.Namespaces, []string{"/x", "/y"}) ||
		got.Count != 5 || got.Until != "end" || got.Duration != time.Minute || !got.NoLifecycle || !got.Conn.Reconnect {
		t.Errorf("options %+v", got)
	}
}

func TestConnBuild(t *testing.T) {
	dir := t.TempDir()
	authFile := filepath.Join(dir, "auth.json")
	os.WriteFile(authFile, []byte(` {"token":"x"} `), 0o600)
	o := ConnOptions{
		URL: "wss://example.com:8443/admin?room=a", Query: []string{"k=v=w"}, Headers: []string{"Authorization: Bearer x", "X-Team:blue"},
		Auth: "@" + authFile, Path: "/io", Transport: "polling", EIO: "3", Parser: "msgpack", ConnectTimeout: time.Second,
		Reconnect: true, NoReconnect: true, Proxy: "http://proxy:3128",
	}
	c, err := o.build(&bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.url != "https://example.com:8443?k=v%3Dw&room=a" || !reflect.DeepEqual(c.namespaces, []string{"/admin"}) {
		t.Errorf("url %q, namespaces %v", c.url, c.namespaces)
	}
	e := c.manager.Engine
	if e.Path != "/io" || e.Version != engineio.Version3 || !reflect.DeepEqual(e.Transports, []engineio.Transport{engineio.Polling}) ||
		e.Header.Get("X-Team") != "blue" || e.Header.Get("Authorization") != "Bearer x" || e.Proxy == nil {
		t.Errorf("engine options %+v", e)
	}
	if string(c.socket.Auth) != `{"token":"x"}` || c.socket.Query.Get("k") != "v=w" || !c.manager.NoReconnect || c.manager.Parser == nil {
		t.Errorf("socket options %+v, manager %+v", c.socket, c.manager)
	}

	bad := []struct {
		change func(*ConnOptions)
		want   string
	}{
		{func(o *ConnOptions) { o.URL = "ftp://h" }, "scheme"},
		{func(o *ConnOptions) { o.URL = "http://" }, "no host"},
		{func(o *ConnOptions) { o.Query = []string{"novalue"} }, "--query"},
		{func(o *ConnOptions) { o.Headers = []string{"Bad Name: x"} }, "--header"},
		{func(o *ConnOptions) { o.Transport = "carrier-pigeon" }, "--transport"},
		{func(o *ConnOptions) { o.EIO = "5" }, "--eio"},
		{func(o *ConnOptions) { o.Parser = "xml" }, "--parser"},
		{func(o *ConnOptions) { o.Auth = "[1]" }, "--auth"},
		{func(o *ConnOptions) { o.Auth = "@/no/such" }, "--auth"},
		{func(o *ConnOptions) { o.CACert = "/no/such" }, "--cacert"},
		{func(o *ConnOptions) { o.Cert = "c.pem" }, "--cert and --key"},
		{func(o *ConnOptions) { o.Proxy = "::" }, "--proxy"},
		{func(o *ConnOptions) { o.ConnectTimeout = 0 }, "--connect-timeout"},
		{func(o *ConnOptions) { o.Auth = "null" }, "--auth must be a JSON object, not null"},
		{func(o *ConnOptions) { o.Headers = []string{"X-A: b\r\nEvil: 1"} }, "cannot hold CR, LF or NUL"},
		{func(o *ConnOptions) { o.URL = "localhost:99999" }, "port 99999"},
		{func(o *ConnOptions) { o.ReconnectAttempts = -1 }, "--reconnect-attempts -1"},
		{func(o *ConnOptions) { o.ReconnectDelay = -time.Second }, "cannot be negative"},
	}
	for _, b := range bad {
		o := ConnOptions{URL: "localhost:3000", Path: "/socket.io", Transport: "auto", EIO: "auto", Parser: "json", ConnectTimeout: time.Second}
		b.change(&o)
		if _, err := o.build(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("error %v, want one naming %q", err, b.want)
		}
	}
}

// TestTraceRedacts: the trace the options build redacts what the options
// name; the auth payload is redacted where it is encoded (sioclient).
func TestTraceRedacts(t *testing.T) {
	var trace bytes.Buffer
	o := ConnOptions{URL: "localhost:3000?token=s3cret", Transport: "auto", EIO: "auto", Parser: "json", ConnectTimeout: time.Second, Trace: true, Redact: []string{"X-Room"}}
	c, err := o.build(&trace)
	if err != nil {
		t.Fatal(err)
	}
	c.manager.Engine.Trace(engineio.TraceEvent{Kind: engineio.TraceRequest, Outgoing: true, URL: c.url, Header: http.Header{"X-Room": {"s3cret"}},
		Body: []byte(`40{"token":"s3cret"}`), Redacted: []byte(`40{"token":"[redacted]"}`)})
	if strings.Contains(trace.String(), "s3cret") || !strings.Contains(trace.String(), "[redacted]") {
		t.Errorf("trace:\n%s", trace.String())
	}
}

func TestOutputFormat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		tty  bool
		want string
	}{{"auto", true, "text"}, {"auto", false, "json"}, {"text", false, "text"}, {"json", true, "json"}} {
		f, err := outputFormat(tt.in, tt.tty)
		if err != nil || map[string]int{"text": 0, "json": 1}[tt.want] != int(f) {
			t.Errorf("outputFormat(%q, %v) = %v, %v", tt.in, tt.tty, f, err)
		}
	}
	if _, err := outputFormat("yaml", false); exitCode(err) != ExitUsage {
		t.Errorf("bad -o: %v", err)
	}
}

func TestServeFlags(t *testing.T) {
	ios, _ := testStreams()
	var got *ServeOptions
	cmd := NewServeCmd(ios, func(o *ServeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--port", "0", "--host", "0.0.0.0", "--path", "/io", "--echo", "--broadcast",
		"--require-auth", `{"token":"x","n":1}`, "--ping-interval", "5s", "--ping-timeout", "2s",
		"--transports", "websocket", "--max-payload", "100", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	so, err := got.options()
	if err != nil {
		t.Fatal(err)
	}
	e := so.Engine
	if got.Port != 0 || got.Host != "0.0.0.0" || e.Path != "/io" || !so.Echo || !so.Broadcast || len(so.RequireAuth) != 2 ||
		e.PingInterval != 5*time.Second || e.PingTimeout != 2*time.Second || !reflect.DeepEqual(e.Transports, []engineio.Transport{engineio.WebSocket}) ||
		e.MaxPayload != 100 || got.Output != "json" {
		t.Errorf("options %+v, server options %+v", got, so)
	}
}

// TestServeConformanceFlags: --eio chooses the versions offered, and
// --conformance gives the flags not set by hand the suite server's values
// and refuses those that change what the server does.
func TestServeConformanceFlags(t *testing.T) {
	parse := func(args ...string) (*ServeOptions, error) {
		ios, _ := testStreams()
		var got *ServeOptions
		cmd := NewServeCmd(ios, func(o *ServeOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.Execute(); err != nil {
			return nil, err
		}
		return got, nil
	}
	for _, tt := range []struct {
		args []string
		want []engineio.Version
	}{
		{nil, nil},
		{[]string{"--eio", "4"}, []engineio.Version{engineio.Version4}},
		{[]string{"--eio", "3"}, []engineio.Version{engineio.Version3}},
	} {
		o, err := parse(tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		if so, err := o.options(); err != nil || !reflect.DeepEqual(so.Engine.Versions, tt.want) || so.Conformance || so.Engine.OpenDelay != 0 {
			t.Errorf("%v: versions %v, %+v, %v", tt.args, so.Engine.Versions, so, err)
		}
	}

	o, err := parse("--conformance", "engine.io", "--eio", "3")
	if err != nil {
		t.Fatal(err)
	}
	so, err := o.options()
	if e := so.Engine; err != nil || e.Path != "/engine.io" || e.PingInterval != 300*time.Millisecond || e.PingTimeout != 200*time.Millisecond ||
		e.MaxPayload != 1_000_000 || !reflect.DeepEqual(e.CORS, []string{"*"}) || !reflect.DeepEqual(e.Versions, []engineio.Version{engineio.Version3}) || e.OpenDelay == 0 || so.Conformance {
		t.Errorf("--conformance engine.io: %+v, %v", so, err)
	}
	o, err = parse("--conformance", "socket.io", "--ping-interval", "1s", "--path", "/io")
	if err != nil {
		t.Fatal(err)
	}
	so, err = o.options()
	if e := so.Engine; err != nil || e.Path != "/io" || e.PingInterval != time.Second || e.PingTimeout != 200*time.Millisecond ||
		so.ConnectTimeout != time.Second || !so.Conformance || !reflect.DeepEqual(so.Namespaces, []string{"/", "/custom"}) {
		t.Errorf("--conformance socket.io: %+v, %v", so, err)
	}

	for _, args := range [][]string{
		{"--eio", "5"},
		{"--conformance", "mqtt"},
		{"--conformance", "socket.io", "--echo"},
		{"--conformance", "engine.io", "--require-auth", `{"a":1}`},
		{"--conformance", "socket.io", "--parser", "json"},
	} {
		o, err := parse(args...)
		if err == nil {
			_, err = o.options()
		}
		if exitCode(err) != ExitUsage {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestDoctorFlags(t *testing.T) {
	ios, _ := testStreams()
	var got *DoctorOptions
	cmd := NewDoctorCmd(ios, func(o *DoctorOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"https://example.com/admin", "-a", `{"token":"x"}`, "--heartbeat-wait", "0", "-k", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Conn.URL != "https://example.com/admin" || got.HeartbeatWait != 0 || !got.Conn.Insecure || got.Output != "json" {
		t.Errorf("options %+v", got)
	}
}

// TestQuerySentOnce: a query in the URL and one from -q each reach the
// server once (socket.io 1.x and 2.0 read a repeated parameter as a list).
func TestQuerySentOnce(t *testing.T) {
	queries := make(chan url.Values, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case queries <- r.URL.Query():
		default:
		}
		http.Error(w, `{"code":3,"message":"Bad request"}`, http.StatusBadRequest)
	}))
	defer hs.Close()
	o := ConnOptions{URL: hs.URL + "/?token=ok", Query: []string{"room=a"}, Namespaces: []string{"admin"}, Path: "/socket.io", Transport: "polling", EIO: "auto", Parser: "json", ConnectTimeout: time.Second}
	c, err := o.build(&bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Namespaces[0] != "admin" {
		t.Errorf("build changed the caller's namespaces: %q", o.Namespaces)
	}
	m, err := sioclient.NewManager(c.url, &c.manager)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	m.Socket(c.namespaces[0], &c.socket).Connect(ctx)
	q := <-queries
	if !reflect.DeepEqual(q["token"], []string{"ok"}) || !reflect.DeepEqual(q["room"], []string{"a"}) {
		t.Errorf("the server got %v", q)
	}
}

// TestCarelessInvocations: a word that is neither a command nor a host,
// and flags that contradict each other, are usage errors before anything
// connects.
func TestCarelessInvocations(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"listen", "localhost:1", "--reconnect", "--no-reconnect"},
		{"emit", "localhost:1", "x", "-a", "null"},
	} {
		ios, out := testStreams()
		root := NewRootCmd(ios)
		root.SetArgs(args)
		err := root.Execute()
		if exitCode(err) != ExitUsage {
			t.Errorf("%q: exit %d, %v %s", args, exitCode(err), err, out)
		}
	}
}
