package engineio

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// recorder keeps the headers of every request that passes a proxy.
type recorder struct {
	mu   sync.Mutex
	reqs []http.Header
	urls []string
}

func (r *recorder) add(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req.Header.Clone())
	r.urls = append(r.urls, req.URL.String())
}

func (r *recorder) snapshot() ([]http.Header, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.reqs...), append([]string(nil), r.urls...)
}

// tlsFront puts a TLS reverse proxy in front of a real server.
func tlsFront(t *testing.T, backend string, rec *recorder) *httptest.Server {
	target, _ := url.Parse(backend)
	rp := httputil.NewSingleHostReverseProxy(target)
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestTLSCookiesHeaders runs a session over https and wss through a TLS
// front: the CA must be trusted, the extra headers go on every request, and
// the server's cookie (socket.io 2.x sets io=<sid>) rides on every request
// after the handshake, the WebSocket upgrade included.
func TestTLSCookiesHeaders(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "2"})
	rec := &recorder{}
	front := tlsFront(t, s.URL(), rec)
	pool := x509.NewCertPool()
	pool.AddCert(front.Certificate())

	_, err := Dial(context.Background(), front.URL, &Options{Path: "/socket.io"})
	if !isTransportError(err) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: %v", err)
	}

	var traced []TraceEvent
	var tmu sync.Mutex
	ev := make(events, 100)
	c, err := Dial(context.Background(), front.URL, &Options{
		Path:      "/socket.io",
		TLSConfig: &tls.Config{RootCAs: pool},
		Header:    http.Header{"X-Team": {"blue"}},
		Query:     url.Values{"token": {"abc"}},
		OnEvent:   ev.on,
		Trace: func(e TraceEvent) {
			tmu.Lock()
			traced = append(traced, e)
			tmu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev.wait(t, EventUpgrade, 10*time.Second)
	c.Write(Message{Data: []byte(`2["echo","over wss"]`)})
	for {
		if m := readMsg(t, c); strings.Contains(string(m.Data), "over wss") {
			break
		}
	}
	c.Close()

	reqs, urls := rec.snapshot()
	sawUpgrade := false
	for i, h := range reqs {
		if h.Get("X-Team") != "blue" || !strings.Contains(urls[i], "token=abc") {
			t.Errorf("request %s lacks the extra header or query: %v", urls[i], h)
		}
		if i > 0 && !strings.Contains(h.Get("Cookie"), "io=") {
			t.Errorf("request %s lacks the server's cookie", urls[i])
		}
		if h.Get("Upgrade") == "websocket" {
			sawUpgrade = true
		}
	}
	if !sawUpgrade {
		t.Error("no WebSocket upgrade went through the front")
	}

	tmu.Lock()
	defer tmu.Unlock()
	kinds := map[string]bool{}
	for _, e := range traced {
		key := string(e.Transport) + map[TraceKind]string{TraceRequest: " request", TraceResponse: " response", TraceFrame: " frame", TraceClosed: " closed"}[e.Kind]
		if e.Kind == TraceFrame {
			key += map[bool]string{true: " out", false: " in"}[e.Outgoing]
		}
		if e.Time.IsZero() {
			t.Errorf("trace event without time: %+v", e)
		}
		kinds[key] = true
	}
	for _, want := range []string{"polling request", "polling response", "websocket request", "websocket response", "websocket frame out", "websocket frame in"} {
		if !kinds[want] {
			t.Errorf("trace has no %s; has %v", want, kinds)
		}
	}
}

// forwardProxy is an HTTP proxy: plain requests are forwarded, CONNECT is
// tunnelled. It counts what passes.
func forwardProxy(t *testing.T, rec *recorder) *httptest.Server {
	var wg sync.WaitGroup
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		if r.Method == http.MethodConnect {
			wg.Add(1)
			defer wg.Done()
			up, err := net.Dial("tcp", r.Host)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer up.Close()
			w.WriteHeader(http.StatusOK)
			down, _, _ := w.(http.Hijacker).Hijack()
			defer down.Close()
			done := make(chan struct{})
			go func() { io.Copy(up, down); up.Close(); close(done) }()
			io.Copy(down, up)
			down.Close()
			<-done
			return
		}
		r.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(func() { s.CloseClientConnections(); s.Close(); wg.Wait() })
	return s
}

// TestProxy runs polling and the upgrade through an HTTP proxy.
func TestProxy(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	rec := &recorder{}
	p := forwardProxy(t, rec)
	pu, _ := url.Parse(p.URL)
	// On a loaded machine, engine.io 6 now and then answers the upgrade
	// through this proxy with a bare 400 (about one run in thirty with
	// every core busy): the test tries a second session before failing.
	var c *Conn
	for try := 1; ; try++ {
		ev := make(events, 100)
		var err error
		c, err = Dial(context.Background(), s.URL(), &Options{Path: "/engine.io", Proxy: http.ProxyURL(pu), OnEvent: ev.on})
		if err != nil {
			t.Fatal(err)
		}
		e := ev.waitAny(t, 10*time.Second, EventUpgrade, EventUpgradeError)
		if e.Type == EventUpgrade {
			break
		}
		c.Close()
		if try == 2 {
			t.Fatalf("upgrade failed twice: %v", e.Err)
		}
		t.Logf("upgrade failed, trying a new session: %v", e.Err)
	}
	defer c.Close()
	c.Write(Message{Data: []byte("via proxy")})
	if m := readMsg(t, c); string(m.Data) != "via proxy" {
		t.Errorf("echo %q", m.Data)
	}
	c.Close()
	reqs, urls := rec.snapshot()
	var gets, connects int
	for i := range reqs {
		if strings.HasPrefix(urls[i], "http://") {
			gets++
		} else {
			connects++
		}
	}
	if gets == 0 || connects == 0 {
		t.Errorf("through the proxy: %d plain requests, %d CONNECTs; want both", gets, connects)
	}
}

// TestNoUpgrade keeps a session on polling although the server offers
// WebSocket.
func TestNoUpgrade(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4", PingInterval: 200 * time.Millisecond, PingTimeout: 1000 * time.Millisecond})
	ev := make(events, 100)
	c, err := Dial(context.Background(), s.URL(), &Options{Path: "/engine.io", NoUpgrade: true, OnEvent: ev.on})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev.wait(t, EventPing, 5*time.Second)
	if got := c.Transport(); got != Polling {
		t.Errorf("transport %s", got)
	}
	if !contains(c.Info().Upgrades, "websocket") {
		t.Errorf("server offered %v", c.Info().Upgrades)
	}
}

// TestAfterHandshake makes no request for AfterHandshake after the
// handshake's answer, then carries the session as usual; a context that
// ends during the wait fails Dial with it.
func TestAfterHandshake(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	ev := make(events, 100)
	var mu sync.Mutex
	var answered, next time.Time
	c, err := Dial(context.Background(), s.URL(), &Options{Path: "/engine.io", AfterHandshake: 300 * time.Millisecond, OnEvent: ev.on,
		Trace: func(e TraceEvent) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case e.Kind == TraceResponse && answered.IsZero():
				answered = e.Time
			case e.Kind == TraceRequest && !answered.IsZero() && next.IsZero():
				next = e.Time
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Write(Message{Data: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if m, err := c.Read(ctx); err != nil || string(m.Data) != "hello" {
		t.Fatalf("echo: %q %v", m.Data, err)
	}
	ev.wait(t, EventUpgrade, 5*time.Second)
	mu.Lock()
	if d := next.Sub(answered); d < 300*time.Millisecond {
		t.Errorf("the first request after the handshake went %v after its answer; want 300ms or more", d)
	}
	mu.Unlock()

	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Dial(short, s.URL(), &Options{Path: "/engine.io", Transports: []Transport{WebSocket}, AfterHandshake: 10 * time.Second}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("a context ending during the wait: %v after %v", err, time.Since(start))
	}
}

// TestUpgradeFails keeps the session on polling when the WebSocket cannot be
// opened (here the server offers it but a front refuses upgrades), and says
// why.
func TestUpgradeFails(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	target, _ := url.Parse(s.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			http.Error(w, "upgrades not allowed here", http.StatusForbidden)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer front.Close()
	ev := make(events, 100)
	c, err := Dial(context.Background(), front.URL, &Options{Path: "/engine.io", OnEvent: ev.on})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got Event
	select {
	case got = <-ev:
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
	var he *HTTPError
	if got.Type != EventUpgradeError || !errors.As(got.Err, &he) || he.StatusCode != 403 {
		t.Fatalf("event %+v, want an upgrade error with HTTP 403", got)
	}
	c.Write(Message{Data: []byte("still polling")})
	if m := readMsg(t, c); string(m.Data) != "still polling" || c.Transport() != Polling {
		t.Errorf("echo %q over %s", m.Data, c.Transport())
	}
}

// TestRecordSeparator: raw text holding 0x1e is refused over Engine.IO 4
// polling, and nothing is sent.
func TestRecordSeparator(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	c, err := Dial(context.Background(), s.URL(), &Options{Path: "/engine.io", Transports: []Transport{Polling}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Write(Message{Data: []byte("a\x1eb")}); !errors.Is(err, ErrRecordSeparator) {
		t.Fatalf("Write: %v", err)
	}
	c.Write(Message{Data: []byte("still fine")})
	if m := readMsg(t, c); string(m.Data) != "still fine" {
		t.Errorf("echo %q", m.Data)
	}
}

// TestDial opens every TCP connection, polling and WebSocket, through
// Options.Dial.
func TestDial(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	var mu sync.Mutex
	var addrs []string
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		addrs = append(addrs, network+" "+addr)
		mu.Unlock()
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	ev := make(events, 100)
	c, err := Dial(context.Background(), s.URL(), &Options{Path: "/engine.io", Dial: dial, OnEvent: ev.on})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev.wait(t, EventUpgrade, 5*time.Second)
	mu.Lock()
	defer mu.Unlock()
	host := strings.TrimPrefix(s.URL(), "http://")
	if len(addrs) < 2 {
		t.Fatalf("dialled %v; want the polling and the WebSocket connections", addrs)
	}
	for _, a := range addrs {
		if a != "tcp "+host {
			t.Errorf("dialled %q; want tcp %s", a, host)
		}
	}
}

// TestIdleWriter lets the writing goroutine go after writerIdle with
// nothing to write, starts it again for the next message, and tells
// OnClose, once, how the session ended.
func TestIdleWriter(t *testing.T) {
	defer func(d time.Duration) { writerIdle = d }(writerIdle)
	writerIdle = 50 * time.Millisecond
	s := testserver.Start(t, testserver.Config{Version: "4"})
	closed := make(chan error, 2)
	for _, tr := range []Transport{Polling, WebSocket} {
		t.Run(string(tr), func(t *testing.T) {
			c, err := Dial(context.Background(), s.URL(), &Options{Path: "/engine.io", Transports: []Transport{tr},
				OnClose: func(err error) { closed <- err }})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for i := 0; i < 2; i++ {
				deadline := time.Now().Add(5 * time.Second)
				for {
					c.mu.Lock()
					up, arrays := c.writerUp, c.spare != nil || c.outq != nil
					c.mu.Unlock()
					if !up {
						if arrays {
							t.Error("the writer went, keeping its queue's arrays")
						}
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("the writer is still running with nothing to write")
					}
					time.Sleep(10 * time.Millisecond)
				}
				msg := fmt.Sprintf("hello %d", i)
				if err := c.Write(Message{Data: []byte(msg)}); err != nil {
					t.Fatal(err)
				}
				m, err := c.Read(ctx)
				if err != nil || string(m.Data) != msg {
					t.Fatalf("echo %d: %q %v", i, m.Data, err)
				}
			}
			c.Write(Message{Data: []byte("close")})
			select {
			case err := <-closed:
				var ce *CloseError
				if !errors.As(err, &ce) || ce.Reason != ReasonTransportClose {
					t.Errorf("OnClose: %v; want a transport close", err)
				}
			case <-ctx.Done():
				t.Fatal("OnClose was not called")
			}
			c.Close()
			select {
			case err := <-closed:
				t.Errorf("OnClose called again: %v", err)
			default:
			}
		})
	}
}

// TestRequestOptions builds request URLs as the options say: the path's
// trailing slash, the stamp and its name; and refuses a bad subprotocol.
func TestRequestOptions(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Path: "/socket.io"}, "/socket.io/?EIO=4&b64=1&t=X&transport=polling"},
		{Options{Path: "/socket.io", NoTrailingSlash: true, NoTimestamp: true}, "/socket.io?EIO=4&b64=1&transport=polling"},
		{Options{Path: "/x/", TimestampParam: "ts"}, "/x/?EIO=4&b64=1&transport=polling&ts=X"},
	} {
		o, err := c.o.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		conn := &Conn{opts: o, base: &url.URL{Path: o.Path}, query: url.Values{}}
		u := conn.requestURL(Polling, Version4, "")
		q := u.Query()
		for _, k := range []string{"t", "ts"} {
			if q.Has(k) {
				q.Set(k, "X")
			}
		}
		if got, _ := url.PathUnescape(u.Path + "?" + q.Encode()); got != c.want {
			t.Errorf("%+v: %s; want %s", c.o, got, c.want)
		}
	}
	if _, err := (&Options{Subprotocols: []string{"a b"}}).withDefaults(); err == nil {
		t.Error("a subprotocol with a space was taken")
	}
}
