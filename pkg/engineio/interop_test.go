package engineio

import (
	"github.com/siocli/sio/pkg/engineio/wire"

	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// server configurations the interop tests run against.
var servers = []struct {
	name    string
	cfg     testserver.Config
	version Version // forced version, or auto
	want    Version // version the session must speak
}{
	{"socket.io 2.x", testserver.Config{Version: "2"}, VersionAuto, Version3},
	{"socket.io 3.x", testserver.Config{Version: "3"}, VersionAuto, Version4},
	{"socket.io 4.x", testserver.Config{Version: "4"}, VersionAuto, Version4},
	{"socket.io 4.x allowEIO3 over EIO3", testserver.Config{Version: "4", AllowEIO3: true}, Version3, Version3},
}

var modes = []struct {
	name       string
	transports []Transport
	noUpgrade  bool
	final      Transport
}{
	{"polling", []Transport{Polling}, false, Polling},
	{"websocket", []Transport{WebSocket}, false, WebSocket},
	{"upgrade", nil, false, WebSocket},
}

// events collects lifecycle events for a test.
type events chan Event

func (e events) on(ev Event) {
	select {
	case e <- ev:
	default:
	}
}

// wait returns the next event of type t, failing the test after d.
func (e events) wait(t *testing.T, typ EventType, d time.Duration) Event {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev := <-e:
			if ev.Type == typ {
				return ev
			}
			if ev.Type == EventUpgradeError {
				t.Fatalf("upgrade failed: %v", ev.Err)
			}
		case <-deadline:
			t.Fatalf("no %v event within %v", typ, d)
		}
	}
}

// waitAny returns the next event of one of the types, failing the test
// after d.
func (e events) waitAny(t *testing.T, d time.Duration, types ...EventType) Event {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev := <-e:
			for _, typ := range types {
				if ev.Type == typ {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("no %v event within %v", types, d)
		}
	}
}

func readMsg(t *testing.T, c *Conn) Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

func TestInteropEcho(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			cfg := srv.cfg
			cfg.PingInterval, cfg.PingTimeout = 300*time.Millisecond, 1000*time.Millisecond
			s := testserver.Start(t, cfg)
			for _, mode := range modes {
				t.Run(mode.name, func(t *testing.T) {
					ev := make(events, 100)
					c, err := Dial(context.Background(), s.URL(), &Options{
						Transports: mode.transports, NoUpgrade: mode.noUpgrade,
						Version: srv.version, OnEvent: ev.on,
					})
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					if mode.final == WebSocket && mode.transports == nil {
						up := ev.wait(t, EventUpgrade, 10*time.Second)
						if up.From != Polling || up.To != WebSocket {
							t.Errorf("upgrade event %+v", up)
						}
					}
					if got := c.Transport(); got != mode.final {
						t.Errorf("transport %s, want %s", got, mode.final)
					}
					if c.Version() == VersionAuto {
						ev.wait(t, EventVersion, 5*time.Second)
					}
					if got := c.Version(); got != srv.want {
						t.Errorf("version %v, want %v", got, srv.want)
					}
					text := "hello €😀 :1:" // length-like text and multi-unit runes
					blob := []byte{0, 1, 2, 3, 0x1e, 0xff}
					if err := c.Write(Message{Data: []byte(text)}, Message{Data: blob, Binary: true}); err != nil {
						t.Fatal(err)
					}
					if m := readMsg(t, c); m.Binary || string(m.Data) != text {
						t.Errorf("text echo %q (binary %v), want %q", m.Data, m.Binary, text)
					}
					if m := readMsg(t, c); !m.Binary || !bytes.Equal(m.Data, blob) {
						t.Errorf("binary echo %v (binary %v), want %v", m.Data, m.Binary, blob)
					}
					// Two heartbeat cycles, then the session must still work.
					ev.wait(t, EventPing, 5*time.Second)
					ev.wait(t, EventPing, 5*time.Second)
					if err := c.Write(Message{Data: []byte("again")}); err != nil {
						t.Fatal(err)
					}
					if m := readMsg(t, c); string(m.Data) != "again" {
						t.Errorf("echo after heartbeats %q", m.Data)
					}
					if err := c.Close(); err != nil {
						t.Fatal(err)
					}
					var ce *CloseError
					if _, err := c.Read(context.Background()); !errors.As(err, &ce) || ce.Reason != ReasonForcedClose {
						t.Errorf("read after close: %v", err)
					}
				})
			}
		})
	}
}

func TestInteropServerClose(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			s := testserver.Start(t, srv.cfg)
			for _, mode := range modes {
				t.Run(mode.name, func(t *testing.T) {
					ev := make(events, 100)
					c, err := Dial(context.Background(), s.URL(), &Options{Transports: mode.transports, Version: srv.version, OnEvent: ev.on})
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					if mode.transports == nil {
						ev.wait(t, EventUpgrade, 10*time.Second)
					}
					c.Write(Message{Data: []byte("close")})
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					_, err = c.Read(ctx)
					var ce *CloseError
					if !errors.As(err, &ce) || ce.Reason != ReasonTransportClose {
						t.Fatalf("read: %v, want a transport close", err)
					}
				})
			}
		})
	}
}

// TestInteropSocketIO checks the handshake on the Socket.IO path, where a
// 2.x server piggybacks its CONNECT on the handshake.
func TestInteropSocketIO(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			s := testserver.Start(t, srv.cfg)
			c, err := Dial(context.Background(), s.URL(), &Options{Path: "/socket.io", Version: srv.version, Transports: []Transport{Polling}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if srv.want == Version4 {
				c.Write(Message{Data: []byte("0")})
			}
			m := readMsg(t, c)
			if !bytes.HasPrefix(m.Data, []byte("0")) {
				t.Fatalf("first message %q, want a CONNECT", m.Data)
			}
			c.Write(Message{Data: []byte(`2["echo","x"]`)})
			if m := readMsg(t, c); string(m.Data) != `2["echo-back","x"]` {
				t.Errorf("got %q", m.Data)
			}
		})
	}
}

func TestInteropEIO3Refused(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	for _, mode := range modes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			_, err := Dial(context.Background(), s.URL(), &Options{Version: Version3, Transports: mode.transports})
			var he *HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("error %v (%T), want an *HTTPError", err, err)
			}
			if he.StatusCode != 400 || he.Message != "Unsupported protocol version" {
				t.Errorf("error %+v", he)
			}
			if mode.transports[0] == Polling && he.Code != wire.CodeUnsupportedVersion {
				t.Errorf("code %d, want %d", he.Code, wire.CodeUnsupportedVersion)
			}
			t.Log(err)
		})
	}
}

func TestInteropWrongPath(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	for _, mode := range modes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			_, err := Dial(context.Background(), s.URL(), &Options{Path: "/nope", Transports: mode.transports})
			if mode.transports[0] == WebSocket {
				// engine.io ends WebSocket handshakes for other paths unanswered.
				var te *TransportError
				if !errors.As(err, &te) {
					t.Fatalf("error %v (%T), want a *TransportError", err, err)
				}
				return
			}
			var he *HTTPError
			if !errors.As(err, &he) || he.StatusCode != 404 {
				t.Fatalf("error %v, want HTTP 404", err)
			}
		})
	}
}

// TestInteropBatching sends more than one POST's worth of packets while
// polling; the server must get every one, in order.
func TestInteropBatching(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4", MaxPayload: 10_000})
	c, err := Dial(context.Background(), s.URL(), &Options{Transports: []Transport{Polling}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Info().MaxPayload != 10_000 {
		t.Fatalf("maxPayload %d", c.Info().MaxPayload)
	}
	const n = 100
	chunk := bytes.Repeat([]byte("x"), 900)
	for i := 0; i < n; i++ {
		c.Write(Message{Data: fmt.Appendf(nil, "%d:%s", i, chunk)})
	}
	for i := 0; i < n; i++ {
		m := readMsg(t, c)
		if want := fmt.Sprintf("%d:", i); !bytes.HasPrefix(m.Data, []byte(want)) {
			t.Fatalf("message %d starts %q", i, m.Data[:8])
		}
	}
}
