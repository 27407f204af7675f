package sioclient

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
)

// TestMultiplex connects "/" and "/admin" over one Engine.IO session.
func TestMultiplex(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := start(t, v)
			var handshakes atomic.Int32
			m, rec := newManager(t, s.URL(), &Options{Engine: engineio.Options{Trace: func(e engineio.TraceEvent) {
				if e.Kind == engineio.TraceRequest && !bytes.Contains([]byte(e.URL), []byte("sid=")) {
					handshakes.Add(1)
				}
			}}})
			root := m.Socket("/", nil)
			admin := m.Socket("/admin", adminOpts(v, "ok"))
			if err := root.Connect(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			if err := admin.Connect(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			if n := handshakes.Load(); n != 1 {
				t.Errorf("%d Engine.IO handshakes, want 1", n)
			}
			sess := m.Session()
			if v == "2" {
				if root.ID() != sess.SID || admin.ID() != "/admin#"+sess.SID {
					t.Errorf("ids %q %q for session %q", root.ID(), admin.ID(), sess.SID)
				}
			} else if root.ID() == "" || root.ID() == admin.ID() || root.ID() == sess.SID {
				t.Errorf("ids %q %q for session %q", root.ID(), admin.ID(), sess.SID)
			}
			for _, sock := range []*Socket{root, admin} {
				ack, err := sock.EmitWithAck(ctxT(t), "echo", "from", sock.Namespace())
				if err != nil {
					t.Fatal(err)
				}
				if got, want := argsJSON(ack.Args()), `["from","`+sock.Namespace()+`"]`; got != want {
					t.Errorf("%s ack %s, want %s", sock.Namespace(), got, want)
				}
			}
			rec.waitFor(t, LifecycleConnect, 2, time.Second)
		})
	}
}

// TestAuth checks a namespace refused by middleware: the server's message
// and data, and no retry.
func TestAuth(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := start(t, v)
			m, rec := newManager(t, s.URL(), nil)
			admin := m.Socket("/admin", adminOpts(v, "bad"))
			err := admin.Connect(ctxT(t))
			var ce *ConnectError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *ConnectError", err)
			}
			if string(ce.Data) != `{"code":42}` || (v != "2" && ce.Message != "Not authorized") {
				t.Errorf("refusal %+v (message %q, data %s)", ce, ce.Message, ce.Data)
			}
			if admin.Active() {
				t.Error("a refused socket is still active")
			}
			e := rec.waitFor(t, LifecycleConnectError, 1, time.Second)
			if !errors.As(e.Err, &ce) || e.Namespace != "/admin" {
				t.Errorf("lifecycle %+v", e)
			}
			// A second try with the right credentials works.
			ok := newManagerSocket(t, s.URL(), "/admin", adminOpts(v, "ok"))
			if !ok.Connected() {
				t.Error("not connected with the right token")
			}
		})
	}
}

func newManagerSocket(t *testing.T, url, nsp string, o *SocketOptions) *Socket {
	t.Helper()
	m, _ := newManager(t, url, nil)
	s := m.Socket(nsp, o)
	if err := s.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestUnknownNamespace: servers 3.x and 4.x refuse it; 2.x accepts any.
func TestUnknownNamespace(t *testing.T) {
	for _, v := range []string{"3", "4"} {
		t.Run("socket.io "+v, func(t *testing.T) {
			m, _ := newManager(t, start(t, v).URL(), nil)
			err := m.Socket("/nope", nil).Connect(ctxT(t))
			var ce *ConnectError
			if !errors.As(err, &ce) || ce.Message != "Invalid namespace" {
				t.Fatalf("error %v", err)
			}
		})
	}
}

// TestAcks checks acks both ways.
func TestAcks(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			sock := newManagerSocket(t, start(t, v).URL(), "/", nil)
			in := newInbox(sock)
			ack, err := sock.EmitWithAck(ctxT(t), "echo", "x", 1, map[string]any{"k": []any{true, nil}})
			if err != nil {
				t.Fatal(err)
			}
			if got := argsJSON(ack.Args()); got != `["x",1,{"k":[true,null]}]` {
				t.Errorf("ack %s", got)
			}
			if ack.RTT <= 0 {
				t.Errorf("RTT %v", ack.RTT)
			}
			// The server asks us for an ack and tells what it got.
			sock.Emit("ask", "q?")
			q := in.next(t, "question")
			if q.Ack == nil {
				t.Fatal("the question wants no ack")
			}
			if err := q.Ack.Reply("answer", 42); err != nil {
				t.Fatal(err)
			}
			if err := q.Ack.Reply("again"); !errors.Is(err, ErrAlreadyReplied) {
				t.Errorf("second reply: %v", err)
			}
			if got := argsJSON(in.next(t, "answered").Args()); got != `["answer",42]` {
				t.Errorf("the server got %s", got)
			}
			// An ack that never comes times out.
			_, err = sock.Timeout(200*time.Millisecond).EmitWithAck(ctxT(t), "nothing-here")
			var te *AckTimeoutError
			if !errors.As(err, &te) || !errors.Is(err, ErrAckTimeout) {
				t.Errorf("error %v, want an ack timeout", err)
			}
		})
	}
}

// TestAckHeld emits before the socket is connected, while the session
// waits after its handshake: the ack tells that wait, sio's own, apart
// from the round trip, which starts when the emit went out.
func TestAckHeld(t *testing.T) {
	const wait = 300 * time.Millisecond
	m, _ := newManager(t, start(t, "4").URL(), &Options{Engine: engineio.Options{AfterHandshake: wait}})
	s := m.Socket("/", nil)
	connected := make(chan error, 1)
	go func() { connected <- s.Connect(ctxT(t)) }()
	t0 := time.Now()
	ack, err := s.EmitWithAck(ctxT(t), "echo", "held")
	total := time.Since(t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-connected; err != nil {
		t.Fatal(err)
	}
	if ack.Held < wait-50*time.Millisecond || ack.RTT <= 0 || ack.Held+ack.RTT > total {
		t.Errorf("held %v, round trip %v, in %v: want the wait of %v as held, apart from the round trip", ack.Held, ack.RTT, total, wait)
	}
}

// TestBinary sends and receives binary, nested and with several
// attachments.
func TestBinary(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			sock := newManagerSocket(t, start(t, v).URL(), "/", nil)
			in := newInbox(sock)
			a, b := []byte{0, 1, 2, 255}, bytes.Repeat([]byte{7}, 100_000)
			ack, err := sock.EmitWithAck(ctxT(t), "echo", a, map[string]any{"deep": []any{"x", b}}, "text")
			if err != nil {
				t.Fatal(err)
			}
			atts := ack.Packet.Attachments
			if len(atts) != 2 || !bytes.Equal(atts[0], a) || !bytes.Equal(atts[1], b) {
				t.Fatalf("ack attachments %d", len(atts))
			}
			want := `[{"_placeholder":true,"num":0},{"deep":["x",{"_placeholder":true,"num":1}]},"text"]`
			if got := argsJSON(ack.Args()); got != want {
				t.Errorf("ack %s\nwant %s", got, want)
			}
			sock.Emit("binary")
			e := in.next(t, "bin-back")
			if len(e.Packet.Attachments) != 3 || !bytes.Equal(e.Packet.Attachments[0], []byte{1, 2, 3, 4}) || !bytes.Equal(e.Packet.Attachments[2], []byte{5}) {
				t.Errorf("bin-back attachments %v", e.Packet.Attachments)
			}
			if got := argsJSON(e.Args()); got != `[{"_placeholder":true,"num":0},"€",{"nested":[{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]}]` {
				t.Errorf("bin-back args %s", got)
			}
		})
	}
}

// TestServerDisconnect: a server-side disconnect is not retried.
func TestServerDisconnect(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			m, rec := newManager(t, start(t, v).URL(), &Options{ReconnectDelay: 10 * time.Millisecond})
			sock := m.Socket("/", nil)
			if err := sock.Connect(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			sock.Emit("disconnect-me")
			e := rec.waitFor(t, LifecycleDisconnect, 1, 10*time.Second)
			if e.Reason != ReasonServerDisconnect {
				t.Errorf("reason %q", e.Reason)
			}
			// The session closes with the last socket gone; a Manager that
			// is Disconnected has no attempt or timer left to reconnect.
			rec.waitFor(t, LifecycleClose, 1, 10*time.Second)
			if sock.Connected() || sock.Active() || m.State() != Disconnected {
				t.Errorf("the socket may reconnect: socket %v, manager %v", sock.State(), m.State())
			}
			if n := len(filter(rec, LifecycleReconnectAttempt)); n != 0 {
				t.Errorf("%d reconnection attempts", n)
			}
		})
	}
}

func filter(r *recorder, typ LifecycleType) []Lifecycle {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Lifecycle
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// TestRestart kills the server and starts it again on the same port: the
// client reconnects, and what it emitted meanwhile arrives after.
func TestRestart(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v, PingInterval: 200 * time.Millisecond, PingTimeout: 300 * time.Millisecond})
			m, rec := newManager(t, s.URL(), &Options{ReconnectDelay: 50 * time.Millisecond, ReconnectDelayMax: 200 * time.Millisecond})
			sock := m.Socket("/", nil)
			if err := sock.Connect(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			in := newInbox(sock)
			s.Stop()
			rec.waitFor(t, LifecycleDisconnect, 1, 10*time.Second)
			const n = 5
			results := make(chan error, n)
			for i := 0; i < n; i++ {
				go func() {
					_, err := sock.EmitWithAck(ctxT(t), "echo", i)
					results <- err
				}()
			}
			sock.Emit("echo", "while down")
			rec.waitFor(t, LifecycleReconnectAttempt, 1, 10*time.Second)
			s.Restart(t)
			rec.waitFor(t, LifecycleReconnect, 1, 10*time.Second)
			for i := 0; i < n; i++ {
				if err := <-results; err != nil {
					t.Errorf("emit while down: %v", err)
				}
			}
			if got := argsJSON(in.next(t, "echo-back").Args()); got == "" {
				t.Error("no echo")
			}
			// The lifecycle in order, as the reference client: close, disconnect,
			// attempts, open, reconnect, connect.
			order := []LifecycleType{LifecycleClose, LifecycleDisconnect, LifecycleReconnectAttempt, LifecycleOpen, LifecycleReconnect, LifecycleConnect}
			rec.mu.Lock()
			events := append([]Lifecycle(nil), rec.events...)
			rec.mu.Unlock()
			i := 0
			for _, e := range events[2:] { // after the first open and connect
				if i < len(order) && e.Type == order[i] {
					i++
				}
			}
			if i != len(order) {
				t.Errorf("lifecycle %s lacks the order %v", rec.names(), order)
			}
			for _, e := range filter(rec, LifecycleUpgradeError) {
				t.Logf("upgrade error: %v", e.Err)
			}
		})
	}
}

// TestMsgpack talks to servers that use socket.io-msgpack-parser.
func TestMsgpack(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v, Parser: "msgpack"})
			m, _ := newManager(t, s.URL(), &Options{Parser: Msgpack})
			sock := m.Socket("/admin", adminOpts(v, "ok"))
			if err := sock.Connect(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			in := newInbox(sock)
			blob := []byte{9, 8, 7}
			ack, err := sock.EmitWithAck(ctxT(t), "echo", "x", 1.5, map[string]any{"b": blob})
			if err != nil {
				t.Fatal(err)
			}
			if got := argsJSON(ack.Args()); got != `["x",1.5,{"b":{"_placeholder":true,"num":0}}]` || !bytes.Equal(ack.Packet.Attachments[0], blob) {
				t.Errorf("ack %s %v", got, ack.Packet.Attachments)
			}
			sock.Emit("binary")
			e := in.next(t, "bin-back")
			if len(e.Packet.Attachments) != 3 {
				t.Errorf("bin-back %s with %d attachments", argsJSON(e.Args()), len(e.Packet.Attachments))
			}
			bad := m.Socket("/nope", nil)
			if v != "2" {
				var ce *ConnectError
				if err := bad.Connect(ctxT(t)); !errors.As(err, &ce) || ce.Message != "Invalid namespace" {
					t.Errorf("unknown namespace: %v", err)
				}
			}
		})
	}
}

// TestRetries: with Retries an emit is resent, with a new ack id, until
// acked; past the last try its error comes back.
func TestRetries(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			url := start(t, v).URL()
			sent := make(chan *codec.Packet, 100)
			sock := newManagerSocket(t, url, "/", &SocketOptions{AckTimeout: 100 * time.Millisecond, Retries: 3})
			sock.OnAnyOutgoing(func(p *codec.Packet) { sent <- p })
			ack, err := sock.EmitWithAck(ctxT(t), "flaky", "a")
			if err != nil {
				t.Fatal(err)
			}
			if got := argsJSON(ack.Args()); got != "[3]" {
				t.Errorf("ack %s, want [3] (the third delivery)", got)
			}
			ids := map[uint64]bool{}
			for len(sent) > 0 {
				ids[(<-sent).ID] = true
			}
			if len(ids) != 3 {
				t.Errorf("%d distinct ack ids over the sends, want 3", len(ids))
			}
			few := newManagerSocket(t, url, "/", &SocketOptions{AckTimeout: 100 * time.Millisecond, Retries: 1})
			if _, err := few.EmitWithAck(ctxT(t), "flaky", "b"); !errors.Is(err, ErrAckTimeout) {
				t.Errorf("two tries: %v, want an ack timeout", err)
			}
		})
	}
}

// TestVolatile: a volatile emit is dropped, not buffered, while
// disconnected.
func TestVolatile(t *testing.T) {
	m, _ := newManager(t, start(t, "4").URL(), nil)
	sock := m.Socket("/", nil)
	if err := sock.Volatile().Emit("echo", 1); !errors.Is(err, ErrNotConnected) {
		t.Errorf("volatile emit while disconnected: %v", err)
	}
	if err := sock.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := sock.Volatile().Timeout(5*time.Second).EmitWithAck(ctxT(t), "echo", 1); err != nil {
		t.Errorf("volatile emit while connected: %v", err)
	}
	if err := sock.Emit("connect"); !errors.Is(err, ErrReservedEvent) {
		t.Errorf("reserved name: %v", err)
	}
}

// TestAllowEIO3 drives a 4.x server started with allowEIO3 over Engine.IO
// 3, where it behaves as a 2.x server: "/" is joined by the server, a
// namespace takes its query, ids are "/nsp#sid".
func TestAllowEIO3(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4", AllowEIO3: true})
	m, _ := newManager(t, s.URL(), &Options{Engine: engineio.Options{Version: engineio.Version3}})
	root := m.Socket("/", nil)
	admin := m.Socket("/admin", adminOpts("2", "ok"))
	for _, sock := range []*Socket{root, admin} {
		if err := sock.Connect(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := sock.EmitWithAck(ctxT(t), "echo", "x"); err != nil {
			t.Fatal(err)
		}
	}
	sid := m.Session().SID
	if m.Session().Protocol != 4 || admin.ID() != "/admin#"+sid {
		t.Errorf("protocol %v, ids %q %q for session %q", m.Session().Protocol, root.ID(), admin.ID(), sid)
	}
}

// TestReconnectFailed: with a limit on attempts, the Manager gives up with
// reconnect_failed, which, as in the reference client, comes before the
// last attempt's reconnect_error; Connect returns the last error.
func TestReconnectFailed(t *testing.T) {
	s := start(t, "4")
	url := s.URL()
	s.Stop()
	m, rec := newManager(t, url, &Options{ReconnectAttempts: 2, ReconnectDelay: 10 * time.Millisecond, ReconnectDelayMax: 20 * time.Millisecond})
	err := m.Socket("/", nil).Connect(ctxT(t))
	var te *engineio.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("Connect: %v, want the transport error", err)
	}
	rec.waitFor(t, LifecycleReconnectFailed, 1, 5*time.Second)
	rec.waitFor(t, LifecycleReconnectError, 2, 5*time.Second)
	want := "error connect_error reconnect_attempt connect_error reconnect_error reconnect_attempt connect_error reconnect_failed reconnect_error"
	if got := rec.names(); got != want {
		t.Errorf("lifecycle\n%s\nwant\n%s", got, want)
	}
}

// TestRecordSeparator: text holding 0x1e crosses Engine.IO 4 polling,
// where that byte separates packets, because JSON escapes it.
func TestRecordSeparator(t *testing.T) {
	m, _ := newManager(t, start(t, "4").URL(), &Options{Engine: engineio.Options{Transports: []engineio.Transport{engineio.Polling}}})
	sock := m.Socket("/", nil)
	if err := sock.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	ack, err := sock.EmitWithAck(ctxT(t), "echo", "a\x1eb")
	if err != nil || argsJSON(ack.Args()) != `["a\u001eb"]` {
		t.Errorf("over polling: %v %v", ack, err)
	}
}

// TestAckInsideHandler: a handler that waits for an ack while thousands
// of events queue behind it gets its ack; the bounded queue does not
// deadlock it.
func TestAckInsideHandler(t *testing.T) {
	sock := newManagerSocket(t, start(t, "4").URL(), "/", nil)
	done := make(chan error, 1)
	var once sync.Once
	sock.On("tick", func(e *Event) {
		once.Do(func() {
			_, err := sock.Timeout(10*time.Second).EmitWithAck(context.Background(), "echo", "inside")
			done <- err
		})
	})
	if _, err := sock.EmitWithAck(ctxT(t), "flood", 5000); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the ack inside the handler: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the handler's ack never came: deadlock")
	}
}
