package sioserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/siocli/sio/internal/eioserver"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
	"github.com/siocli/sio/pkg/sioclient"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// records collects what a Server observes.
type records struct {
	mu     sync.Mutex
	all    []Record
	signal chan struct{}
}

func (r *records) add(rec Record) {
	r.mu.Lock()
	r.all = append(r.all, rec)
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// waitFor returns the first record of type typ that match accepts.
func (r *records) waitFor(t *testing.T, typ RecordType, match func(Record) bool) Record {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		for _, rec := range r.all {
			if rec.Type == typ && (match == nil || match(rec)) {
				r.mu.Unlock()
				return rec
			}
		}
		r.mu.Unlock()
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("no %s record within 5s", typ)
		}
	}
}

// start runs a Server on a loopback port.
func start(t testing.TB, opts Options) (*Server, *records, string) {
	t.Helper()
	recs := &records{signal: make(chan struct{}, 1)}
	opts.Observe = recs.add
	srv := New(opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return srv, recs, hs.URL
}

var token = map[string]json.RawMessage{"token": json.RawMessage(`"ok"`)}

// dial connects sio's own client to ns with the token.
func dial(t testing.TB, u, ns string, v wire.Version, transports []wire.Transport, tok string) (*sioclient.Manager, *sioclient.Socket, error) {
	t.Helper()
	// Protocol 4 has no auth payload: the token goes in the handshake's
	// query for the root namespace, in the CONNECT's for others.
	m, err := sioclient.NewManager(u+"/?token="+tok, &sioclient.Options{NoReconnect: true, Engine: engineio.Options{Version: v, Transports: transports}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	s := m.Socket(ns, &sioclient.SocketOptions{Auth: json.RawMessage(`{"token":"` + tok + `"}`), Query: url.Values{"token": {tok}}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return m, s, s.Connect(ctx)
}

func TestSioClient(t *testing.T) {
	for _, v := range []wire.Version{wire.Version3, wire.Version4} {
		for _, tr := range [][]wire.Transport{{wire.Polling}, {wire.WebSocket}, {wire.Polling, wire.WebSocket}} {
			name := v.String() + "/" + string(tr[len(tr)-1])
			if len(tr) == 2 {
				name = v.String() + "/upgrade"
			}
			t.Run(name, func(t *testing.T) {
				srv, recs, u := start(t, Options{Echo: true, RequireAuth: token})
				m, s, err := dial(t, u, "/", v, tr, "ok")
				if err != nil {
					t.Fatal(err)
				}
				if got := m.Session().Engine; got != v {
					t.Errorf("session speaks %v, want %v", got, v)
				}
				echoed := make(chan *sioclient.Event, 1)
				s.On("chat", func(e *sioclient.Event) { echoed <- e })

				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				a, err := s.EmitWithAck(ctx, "chat", "hé 😀", 42, []byte{0, 1, 0xFF}, map[string]any{"b": []byte("x")})
				if err != nil {
					t.Fatal(err)
				}
				if got := a.Packet.Data; !strings.HasPrefix(string(got), `["hé 😀",42,{"_placeholder":true,"num":0}`) || len(a.Packet.Attachments) != 2 || !bytes.Equal(a.Packet.Attachments[0], []byte{0, 1, 0xFF}) {
					t.Errorf("ack %s %q", got, a.Packet.Attachments)
				}
				select {
				case e := <-echoed:
					if len(e.Packet.Attachments) != 2 {
						t.Errorf("echo %s", e.Packet)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("no echo")
				}
				ev := recs.waitFor(t, RecordEvent, nil)
				if ev.Namespace != "/" || !ev.Packet.HasID {
					t.Errorf("event record %+v", ev)
				}

				// The server asks for an ack; the client answers.
				s.On("question", func(e *sioclient.Event) { e.Ack.Reply("answer", e.Args()[0]) })
				if n, err := srv.Emit("", "/", "question", []any{7}, true); n != 1 || err != nil {
					t.Fatalf("Emit: %d, %v", n, err)
				}
				ack := recs.waitFor(t, RecordAck, nil)
				if ack.Event != "question" || string(ack.Packet.Data) != `["answer",7]` {
					t.Errorf("ack record %+v %s", ack, ack.Packet.Data)
				}

				// A namespace refused for its auth.
				_, _, err = dial(t, u, "/admin", v, tr, "bad")
				var ce *sioclient.ConnectError
				if !errorsAs(err, &ce) || !strings.Contains(ce.Message, "not authorized") {
					t.Errorf("connect with a bad token: %v", err)
				}
				recs.waitFor(t, RecordConnectError, func(r Record) bool { return r.Namespace == "/admin" })

				// Kicking the client's socket disconnects it.
				cs := srv.Clients()
				if len(cs) == 0 || len(cs[0].Sockets) != 1 {
					t.Fatalf("clients %+v", cs)
				}
				if err := srv.Kick(cs[0].Sockets[0].ID); err != nil {
					t.Fatal(err)
				}
				rec := recs.waitFor(t, RecordDisconnect, func(r Record) bool { return r.Reason == codec.ReasonServerNamespaceDisconnect })
				if rec.SocketID != cs[0].Sockets[0].ID {
					t.Errorf("disconnect record %+v", rec)
				}
			})
		}
	}
}

// TestRefusalNamesNoSecret refuses a connect naming the keys that were
// missing or wrong, never the values the server wants.
func TestRefusalNamesNoSecret(t *testing.T) {
	want := map[string]json.RawMessage{"token": json.RawMessage(`"s3cretT"`), "user": json.RawMessage(`"s3cretU"`)}
	for _, c := range []struct {
		v             wire.Version
		message, data string
	}{
		{wire.Version4, "not authorized", `{"missing":["user"],"wrong":["token"]}`},
		{wire.Version3, "not authorized: the query has missing user; wrong token", ""},
	} {
		t.Run(c.v.String(), func(t *testing.T) {
			_, recs, u := start(t, Options{RequireAuth: want})
			_, _, err := dial(t, u, "/", c.v, nil, "nope")
			var ce *sioclient.ConnectError
			if !errorsAs(err, &ce) || ce.Message != c.message || string(ce.Data) != c.data {
				t.Fatalf("refusal %v", err)
			}
			if strings.Contains(string(ce.Raw), "s3cret") {
				t.Errorf("the refusal gives the secret away: %s", ce.Raw)
			}
			if rec := recs.waitFor(t, RecordConnectError, nil); strings.Contains(string(rec.Data), "s3cret") {
				t.Errorf("the record gives the secret away: %s", rec.Data)
			}
		})
	}
}

func errorsAs(err error, target **sioclient.ConnectError) bool {
	for err != nil {
		if ce, ok := err.(*sioclient.ConnectError); ok {
			*target = ce
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// TestBroadcast sends one client's event to the others on its namespace.
func TestBroadcast(t *testing.T) {
	_, _, u := start(t, Options{Broadcast: true})
	_, a, err := dial(t, u, "/", wire.Version4, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := dial(t, u, "/", wire.Version3, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 2)
	a.On("news", func(e *sioclient.Event) { got <- "a" })
	b.On("news", func(e *sioclient.Event) { got <- "b " + string(e.Packet.Data) })
	if err := a.Emit("news", 1); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != `b ["news",1]` {
			t.Errorf("got %s", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no broadcast")
	}
	select {
	case s := <-got:
		t.Errorf("the sender got its own broadcast: %s", s)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestHeartbeat keeps a client connected across several ping cycles of a
// short interval, in both versions.
func TestHeartbeat(t *testing.T) {
	for _, v := range []wire.Version{wire.Version3, wire.Version4} {
		t.Run(v.String(), func(t *testing.T) {
			_, recs, u := start(t, Options{Engine: eioserver.Options{PingInterval: 50 * time.Millisecond, PingTimeout: 2 * time.Second}})
			pings := make(chan struct{}, 16)
			m, err := sioclient.NewManager(u, &sioclient.Options{NoReconnect: true, Engine: engineio.Options{Version: v},
				OnLifecycle: func(l sioclient.Lifecycle) {
					if l.Type == sioclient.LifecyclePing {
						pings <- struct{}{}
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := m.Socket("/", nil).Connect(ctx); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 4; i++ {
				select {
				case <-pings:
				case <-ctx.Done():
					t.Fatalf("ping %d did not come", i+1)
				}
			}
			recs.mu.Lock()
			defer recs.mu.Unlock()
			for _, r := range recs.all {
				if r.Type == RecordClose {
					t.Errorf("the session closed: %+v", r)
				}
			}
		})
	}
}

// TestManyClients serves hundreds of clients at once, of both versions and
// every transport, each with an ack round trip while all are connected.
func TestManyClients(t *testing.T) {
	const n = 300
	srv, _, u := start(t, Options{})
	transports := [][]wire.Transport{{wire.Polling}, {wire.WebSocket}, nil}
	sockets := make([]*sioclient.Socket, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := []wire.Version{wire.Version3, wire.Version4}[i%2]
			_, s, err := dial(t, u, "/", v, transports[i%3], "")
			if err != nil {
				errs <- err
				return
			}
			sockets[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := len(srv.Clients()); got != n {
		t.Fatalf("%d clients connected, want %d", got, n)
	}
	errs = make(chan error, n)
	for i, s := range sockets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			a, err := s.EmitWithAck(ctx, "n", i)
			if err == nil && string(a.Packet.Data) != "["+strconv.Itoa(i)+"]" {
				err = fmt.Errorf("client %d got ack %s", i, a.Packet.Data)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, err := srv.Emit("", "/", "all", nil, false); n != len(sockets) || err != nil {
		t.Errorf("Emit to all: %d, %v", n, err)
	}
}

// TestRooms joins a room by the client's join event and emits to it by
// its name, as the prompt's to ROOM emit does.
func TestRooms(t *testing.T) {
	srv, recs, u := start(t, Options{Rooms: true})
	_, a, err := dial(t, u, "/", wire.Version4, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := dial(t, u, "/", wire.Version3, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 4)
	a.On("news", func(e *sioclient.Event) { got <- "a" })
	b.On("news", func(e *sioclient.Event) { got <- "b" })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := b.EmitWithAck(ctx, "join", "vip"); err != nil {
		t.Fatal(err)
	}
	recs.waitFor(t, RecordJoin, func(r Record) bool { return r.Room == "vip" })
	if n, err := srv.Emit("vip", "/", "news", nil, false); err != nil || n != 1 {
		t.Fatalf("emit to the room: %d, %v", n, err)
	}
	if s := <-got; s != "b" {
		t.Errorf("%s got what the room's client should have", s)
	}
	if _, err := b.EmitWithAck(ctx, "leave", "vip"); err != nil {
		t.Fatal(err)
	}
	recs.waitFor(t, RecordLeave, func(r Record) bool { return r.Room == "vip" })
	if _, err := srv.Emit("vip", "/", "news", nil, false); !errors.Is(err, ErrNoSuchClient) {
		t.Errorf("emit to an empty room: %v", err)
	}
}
