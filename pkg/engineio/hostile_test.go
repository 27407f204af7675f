package engineio

// A fake server, for what a real one cannot be made to do: garbage, sizes
// over the limit, connections dropped mid-handshake, stalls.

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siocli/sio/pkg/engineio/wire"
)

const fakeOpen = `0{"sid":"fake","upgrades":[],"pingInterval":100,"pingTimeout":100}`

// fakeServer answers the handshake with handshake and every later GET with
// poll (by default, hanging until the request is cancelled).
func fakeServer(t *testing.T, handshake, poll http.HandlerFunc) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			w.Write([]byte("ok"))
		case r.URL.Query().Get("sid") == "":
			handshake(w, r)
		case poll != nil:
			poll(w, r)
		default:
			<-r.Context().Done()
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func body(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(s)) }
}

func dialErr(t *testing.T, url string, o *Options) error {
	t.Helper()
	if o == nil {
		o = &Options{}
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 2 * time.Second
	}
	c, err := Dial(context.Background(), url, o)
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded")
	}
	return err
}

func TestHostileHandshake(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    Options
		check   func(error) bool
	}{
		{"garbage", body("hello there"), Options{}, isProtocolError},
		{"not an open packet", body("4hello"), Options{}, isProtocolError},
		{"open without sid", body(`0{"pingInterval":1,"pingTimeout":1}`), Options{}, isProtocolError},
		{"eio3 framing when 4 is asked", body("2:40"), Options{Version: Version4}, isProtocolError},
		{"eio4 framing when 3 is asked", body(fakeOpen), Options{Version: Version3}, isProtocolError},
		{"oversized", body(fakeOpen + "\x1e4" + strings.Repeat("x", 4096)), Options{ReadLimit: 1024}, func(err error) bool { return errors.Is(err, ErrTooLarge) }},
		{"closed mid-handshake", func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n0{\"sid\""))
			conn.Close()
		}, Options{}, isTransportError},
		{"stalled", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, Options{ConnectTimeout: 200 * time.Millisecond}, isTransportError},
		{"endless", func(w http.ResponseWriter, r *http.Request) {
			// No handshake is this large: refused at 1 MiB, whatever the
			// read limit.
			chunk := []byte(strings.Repeat("x", 32<<10))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, Options{}, func(err error) bool {
			return errors.Is(err, ErrTooLarge) && strings.Contains(err.Error(), "(1048576 bytes, more than any handshake takes)")
		}},
		{"trickling", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("0{"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, Options{ConnectTimeout: 200 * time.Millisecond}, func(err error) bool {
			return isTransportError(err) && strings.Contains(err.Error(), "the answer was still coming (2 bytes of it so far)")
		}},
		{"html error page", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			w.Write([]byte("<html>Bad Gateway</html>"))
		}, Options{}, func(err error) bool {
			var he *HTTPError
			return errors.As(err, &he) && he.StatusCode == 502 && he.Code == wire.CodeNone && string(he.Body) == "<html>Bad Gateway</html>"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeServer(t, tt.handler, nil)
			o := tt.opts
			o.Transports = []Transport{Polling}
			err := dialErr(t, s.URL, &o)
			if !tt.check(err) {
				t.Fatalf("error %v (%T) is not of the expected kind", err, err)
			}
			t.Log(err)
		})
	}
}

func isProtocolError(err error) bool {
	var pe *ProtocolError
	return errors.As(err, &pe)
}

func isTransportError(err error) bool {
	var te *TransportError
	return errors.As(err, &te)
}

// TestHostileSession checks how an open session ends when the server turns
// bad: a ping timeout when it stalls, a parse error on garbage, the read
// limit on a flood.
func TestHostileSession(t *testing.T) {
	tests := []struct {
		name   string
		poll   http.HandlerFunc
		reason CloseReason
	}{
		{"stall", nil, ReasonPingTimeout},
		{"garbage", body("\x00\x01garbage"), ReasonParseError},
		{"oversized", body("4" + strings.Repeat("x", 4096)), ReasonTransportError},
		{"unknown sid", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			w.Write([]byte(`{"code":1,"message":"Session ID unknown"}`))
		}, ReasonTransportError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeServer(t, body(fakeOpen), tt.poll)
			c, err := Dial(context.Background(), s.URL, &Options{Transports: []Transport{Polling}, ReadLimit: 1024})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err = c.Read(ctx)
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Reason != tt.reason {
				t.Fatalf("read: %v, want %q", err, tt.reason)
			}
			t.Log(err)
		})
	}
}

// TestHostileWebSocket covers a WebSocket server that misbehaves.
func TestHostileWebSocket(t *testing.T) {
	tests := []struct {
		name  string
		serve func(*websocket.Conn)
		check func(error) bool
	}{
		{"closes before open", func(c *websocket.Conn) { c.Close() }, isTransportError},
		{"binary open", func(c *websocket.Conn) { c.WriteMessage(websocket.BinaryMessage, []byte{0}) }, isProtocolError},
		{"garbage open", func(c *websocket.Conn) { c.WriteMessage(websocket.TextMessage, []byte("0{nope")) }, isProtocolError},
		{"stalls", func(c *websocket.Conn) { time.Sleep(400 * time.Millisecond) }, isTransportError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wg sync.WaitGroup
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				wg.Add(1)
				defer wg.Done()
				c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer c.Close()
				tt.serve(c)
			}))
			defer s.Close()
			defer wg.Wait()
			err := dialErr(t, s.URL, &Options{Transports: []Transport{WebSocket}, ConnectTimeout: 200 * time.Millisecond})
			if !tt.check(err) {
				t.Fatalf("error %v (%T) is not of the expected kind", err, err)
			}
			t.Log(err)
		})
	}
}

// TestTraceRedacts checks that the trace writer hides credentials.
func TestTraceRedacts(t *testing.T) {
	var b strings.Builder
	tw := NewTraceWriter(&b, false)
	tw.Trace(TraceEvent{Kind: TraceRequest, Outgoing: true, Method: "GET", URL: "http://h/", Header: http.Header{"Authorization": {"Bearer s3cret"}, "Cookie": {"io=x"}, "X-Ok": {"shown"}}})
	out := b.String()
	if strings.Contains(out, "s3cret") || strings.Contains(out, "io=x") || !strings.Contains(out, "shown") {
		t.Errorf("trace:\n%s", out)
	}
	b.Reset()
	NewTraceWriter(&b, true).Trace(TraceEvent{Kind: TraceRequest, Header: http.Header{"Authorization": {"Bearer s3cret"}}})
	if !strings.Contains(b.String(), "s3cret") {
		t.Errorf("showSecrets trace:\n%s", b.String())
	}
}

// TestBackpressure: a flood the reader does not keep up with stops at the
// inbox limit (TCP pushes back on the server) and is then delivered whole,
// in order.
func TestBackpressure(t *testing.T) {
	const n = 5000
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.WriteMessage(websocket.TextMessage, []byte(`0{"sid":"f","upgrades":[],"pingInterval":60000,"pingTimeout":60000,"maxPayload":1000}`))
		for i := 0; i < n; i++ {
			if c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "4%d", i)) != nil {
				return
			}
		}
		c.ReadMessage() // until the client leaves
	}))
	defer s.Close()
	c, err := Dial(context.Background(), s.URL, &Options{Transports: []Transport{WebSocket}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		queued := len(c.inbox)
		c.mu.Unlock()
		if queued > inboxLimit {
			t.Fatalf("%d messages queued, limit %d", queued, inboxLimit)
		}
		if queued == inboxLimit {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages queued", queued)
		}
		time.Sleep(time.Millisecond)
	}
	for i := 0; i < n; i++ {
		m, err := c.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint(i); string(m.Data) != want {
			t.Fatalf("message %d is %q", i, m.Data)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://h:1/socket.io/?EIO=4&transport=polling&token=s3cret&x=1": "http://h:1/socket.io/?EIO=4&transport=polling&token=[redacted]&x=1",
		"http://h/?access_token=a&Api-Key=b&sig=c&user=bob":              "http://h/?access_token=[redacted]&Api-Key=[redacted]&sig=[redacted]&user=bob",
		"https://me:pw@h/x#frag?token=a":                                 "https://[redacted]@h/x#frag?token=a",
		"http://h/?t=1&sid=abc":                                          "http://h/?t=1&sid=abc",
		"not a url":                                                      "not a url",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%s) = %s, want %s", in, got, want)
		}
	}
	if got := RedactURL("http://h/?room=a&team=b", "room"); got != "http://h/?room=[redacted]&team=b" {
		t.Errorf("extra names: %s", got)
	}
	if got := RedactText(`Get "http://h/?token=s3cret": dial tcp: refused`); got != `Get "http://h/?token=[redacted]": dial tcp: refused` {
		t.Errorf("RedactText: %s", got)
	}
	h := RedactHeader(http.Header{"X-Api-Key": {"k"}, "Sec-Websocket-Key": {"w"}, "Authorization": {"a"}, "Accept": {"*/*"}})
	if h.Get("X-Api-Key") != Redacted || h.Get("Authorization") != Redacted || h.Get("Sec-Websocket-Key") != "w" || h.Get("Accept") != "*/*" {
		t.Errorf("RedactHeader: %v", h)
	}
}

// TestRedirects: a polling redirect is followed within the server's
// origin only; one elsewhere fails at once, naming where it pointed, and
// what was meant for the server (Authorization, cookies) goes nowhere else.
func TestRedirects(t *testing.T) {
	leaked := make(chan string, 4)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked <- r.Header.Get("Authorization")
	}))
	defer other.Close()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away/":
			http.Redirect(w, r, other.URL+"/away/?"+r.URL.RawQuery, http.StatusFound)
		case "/moved/":
			http.Redirect(w, r, "/socket.io/?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		default:
			w.Write([]byte(`0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`))
		}
	}))
	defer srv.Close()
	var trace strings.Builder
	var mu sync.Mutex
	opts := func(path string) *Options {
		return &Options{Path: path, Transports: []Transport{Polling}, Version: Version4, Header: http.Header{"Authorization": {"Bearer s3cret"}},
			Trace: func(e TraceEvent) { mu.Lock(); fmt.Fprintf(&trace, "%d %s\n", e.Status, e.URL); mu.Unlock() }}
	}
	_, err := Dial(context.Background(), srv.URL, opts("/away/"))
	var re *RedirectError
	if !errors.As(err, &re) || !strings.HasPrefix(re.Location, other.URL) {
		t.Fatalf("a redirect to another port: %v", err)
	}
	select {
	case h := <-leaked:
		t.Errorf("the other server got a request (Authorization %q)", h)
	default:
	}
	c, err := Dial(context.Background(), srv.URL, opts("/moved/"))
	if err != nil {
		t.Fatalf("a same-origin redirect: %v", err)
	}
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(trace.String(), "307 "+srv.URL+"/moved/") {
		t.Errorf("the trace does not show the redirect:\n%s", trace.String())
	}
}

// TestCompressionFallback: a server that answers the permessage-deflate
// offer with only server_no_context_takeover, as aiohttp does, which
// gorilla refuses, still gets a WebSocket: sio dials again without the
// offer.
func TestCompressionFallback(t *testing.T) {
	var mu sync.Mutex
	var offers []string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		offers = append(offers, r.Header.Get("Sec-WebSocket-Extensions"))
		mu.Unlock()
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n", base64.StdEncoding.EncodeToString(sum[:]))
		if r.Header.Get("Sec-WebSocket-Extensions") != "" {
			rw.WriteString("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n")
		}
		rw.WriteString("\r\n")
		open := `0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
		rw.Write(append([]byte{0x81, byte(len(open))}, open...))
		rw.Flush()
		io.Copy(io.Discard, rw) // until the client closes
	}))
	defer s.Close()
	c, err := Dial(context.Background(), s.URL, &Options{Transports: []Transport{WebSocket}, Version: Version4, ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(offers) != 2 || offers[0] == "" || offers[1] != "" {
		t.Errorf("offers %q: want one with permessage-deflate, then one without", offers)
	}
}

// TestTooLarge: Write refuses a message larger than the server's
// announced maxPayload, naming both sizes, and keeps the session.
func TestTooLarge(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sid") == "" {
			w.Write([]byte(`0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":10}`))
			return
		}
		if r.Method == http.MethodPost {
			w.Write([]byte("ok"))
			return
		}
		time.Sleep(50 * time.Millisecond)
		w.Write([]byte("6"))
	}))
	defer s.Close()
	c, err := Dial(context.Background(), s.URL, &Options{Transports: []Transport{Polling}, Version: Version4})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var tl *TooLargeError
	if err := c.Write(Message{Data: []byte("0123456789")}); !errors.As(err, &tl) || tl.Size != 11 || tl.Limit != 10 {
		t.Errorf("a message over maxPayload: %v", err)
	}
	if err := c.Write(Message{Data: []byte("012345678")}); err != nil || c.Err() != nil {
		t.Errorf("the session after the refusal: %v %v", err, c.Err())
	}
}

// TestPlainTextRefusal: engine.io refuses a WebSocket upgrade with its
// error message as plain text; the code is still known from it.
func TestPlainTextRefusal(t *testing.T) {
	he := newHTTPError("websocket", "ws://h/", &http.Response{StatusCode: 400, Status: "400 Bad Request"}, []byte("Session ID unknown"))
	if he.Code != wire.CodeUnknownSID || he.Message != "Session ID unknown" {
		t.Errorf("%+v", he)
	}
}

// TestAnnouncedTooLarge refuses a poll whose Content-Length is over the
// read limit without reading it: the server here never sends the body.
func TestAnnouncedTooLarge(t *testing.T) {
	s := fakeServer(t, body(fakeOpen), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	c, err := Dial(context.Background(), s.URL, &Options{Transports: []Transport{Polling}, ReadLimit: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Read(ctx)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "announces 1000000") {
		t.Fatalf("read: %v", err)
	}
}

// TestManyTinyPackets takes a poll of a million noops and a message: all
// handled, the message delivered (memory: BenchmarkManyTinyPackets).
func TestManyTinyPackets(t *testing.T) {
	payload := strings.Repeat("6\x1e", 1_000_000) + "4hello"
	sent := false
	open := `0{"sid":"fake","upgrades":[],"pingInterval":25000,"pingTimeout":20000}`
	s := fakeServer(t, body(open), func(w http.ResponseWriter, r *http.Request) {
		if sent {
			<-r.Context().Done()
			return
		}
		sent = true
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.Write([]byte(payload))
	})
	c, err := Dial(context.Background(), s.URL, &Options{Transports: []Transport{Polling}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := c.Read(ctx)
	if err != nil || string(m.Data) != "hello" {
		t.Fatalf("read: %q, %v", m.Data, err)
	}
}

// TestCloseDuringProbe closes a session whose upgrade probe the server
// never answers, with a message written while the probe is out: Close
// sends the message over polling, then the close packet, instead of
// waiting for the probe and losing it.
func TestCloseDuringProbe(t *testing.T) {
	probed := make(chan struct{})
	var once sync.Once
	closed := make(chan string, 4)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("transport") == "websocket":
			c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			c.ReadMessage() // the probe, never answered
			once.Do(func() { close(probed) })
			c.ReadMessage()
		case q.Get("sid") == "":
			w.Write([]byte(`0{"sid":"p","upgrades":["websocket"],"pingInterval":60000,"pingTimeout":60000,"maxPayload":100000}`))
		case r.Method == http.MethodPost:
			b, _ := io.ReadAll(r.Body)
			closed <- string(b)
			w.Write([]byte("ok"))
		default:
			<-r.Context().Done()
		}
	}))
	defer s.Close()
	c, err := Dial(context.Background(), s.URL, &Options{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-probed:
	case <-time.After(10 * time.Second):
		t.Fatal("no probe")
	}
	if err := c.Write(Message{Data: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)

	go func() { done <- c.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waits for the probe")
	}
	var posts []string
	for len(posts) == 0 || posts[len(posts)-1] != "1" {
		select {
		case b := <-closed:
			posts = append(posts, b)
		case <-time.After(5 * time.Second):
			t.Fatalf("POSTs %q, and no close packet", posts)
		}
	}
	if strings.Join(posts, " ") != "4hello 1" {
		t.Errorf("POSTs %q, want the message, then the close packet", posts)
	}
}

// TestReadBodyBlocks reads bodies of unknown length: whole under the
// limit, and over it only their start, so a body that grows past the
// limit costs no more than the limit.
func TestReadBodyBlocks(t *testing.T) {
	for _, n := range []int{0, 1, 4096, 4097, 3 << 20} {
		body := strings.Repeat("y", n)
		resp := &http.Response{ContentLength: -1, Body: io.NopCloser(strings.NewReader(body))}
		data, over, err := readBody(resp, 4<<20)
		if err != nil || over || string(data) != body {
			t.Errorf("%d bytes: %d read, over %v, %v", n, len(data), over, err)
		}
	}
	resp := &http.Response{ContentLength: -1, Body: io.NopCloser(strings.NewReader(strings.Repeat("z", 5<<20)))}
	data, over, err := readBody(resp, 4<<20)
	if err != nil || !over || len(data) > 4096 {
		t.Errorf("over the limit: %d bytes returned, over %v, %v", len(data), over, err)
	}
}
