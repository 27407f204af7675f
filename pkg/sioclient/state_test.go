package sioclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/siocli/sio/pkg/engineio"
)

// states records the state changes a Manager reports.
type states struct {
	mu  sync.Mutex
	all []string
}

func (s *states) on(c StateChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	who := "manager"
	if c.Namespace != "" {
		who = c.Namespace
	}
	s.all = append(s.all, who+" "+c.To.String())
}

func (s *states) of(who string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.all {
		if w, st, _ := strings.Cut(e, " "); w == who {
			out = append(out, st)
		}
	}
	return strings.Join(out, " ")
}

// TestStates follows the Manager's and a socket's states through a
// connect, a session lost and regained, and a disconnect, against a real
// server of each version.
func TestStates(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			st := &states{}
			m, rec := newManager(t, start(t, v).URL(), &Options{ReconnectDelay: 10 * time.Millisecond, OnStateChange: st.on})
			sock := m.Socket("/", nil)
			if m.State() != Disconnected || sock.State() != Disconnected {
				t.Errorf("new: %v %v", m.State(), sock.State())
			}
			if err := sock.Connect(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			if m.State() != Connected || sock.State() != Connected {
				t.Errorf("connected: %v %v", m.State(), sock.State())
			}
			if v != "2" {
				// The test server's engine closes a session that sends it
				// "close" (socket.io 2.x's engine does not listen).
				m.cur.Load().conn.Write(engineio.Message{Data: []byte("close")})
				rec.waitFor(t, LifecycleConnect, 2, 10*time.Second)
			}
			closes := len(filter(rec, LifecycleClose))
			sock.Disconnect()
			rec.waitFor(t, LifecycleClose, closes+1, 5*time.Second)
			if m.State() != Disconnected || sock.State() != Disconnected {
				t.Errorf("after Disconnect: %v %v", m.State(), sock.State())
			}
			m.Close()
			if m.State() != Closed {
				t.Errorf("after Close: %v", m.State())
			}
			root, manager := "waiting connecting connected waiting connecting connected disconnected", "connecting connected reconnecting connecting connected disconnected closed"
			if v == "2" {
				root, manager = "waiting connected disconnected", "connecting connected disconnected closed" // 2.x joins "/" unasked
			}
			if got := st.of("/"); got != root {
				t.Errorf("socket states %q, want %q", got, root)
			}
			if got := st.of("manager"); got != manager {
				t.Errorf("manager states %q, want %q", got, manager)
			}
		})
	}
}

// TestMoves: a transition the table does not allow is a bug, and panics.
func TestMoves(t *testing.T) {
	for _, tt := range []struct {
		moves    map[State][]State
		from, to State
		ok       bool
	}{
		{managerMoves, Disconnected, Connecting, true},
		{managerMoves, Closed, Connecting, false},
		{managerMoves, Disconnected, Connected, false},
		{socketMoves, Waiting, Connected, true},
		{socketMoves, Disconnected, Connected, false},
		{socketMoves, Connected, Connecting, false},
	} {
		func() {
			defer func() {
				if r := recover(); (r == nil) != tt.ok {
					t.Errorf("%v -> %v: panic %v", tt.from, tt.to, r)
				}
			}()
			checkMove(tt.moves, "x", tt.from, tt.to)
		}()
	}
}

// TestRefusedByClosing: a server that answers a namespace CONNECT by
// closing the session (as googollee/go-socket.io refuses) ends Connect at
// once with that cause, not at its deadline.
func TestRefusedByClosing(t *testing.T) {
	var mu sync.Mutex
	posted := false
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.URL.Query().Get("sid") == "":
			w.Write([]byte(`0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`))
		case r.Method == http.MethodPost:
			posted = true
			w.Write([]byte("ok"))
		case posted:
			w.Write([]byte("1")) // close
		default:
			w.Write([]byte("6")) // noop until the CONNECT comes
		}
	}))
	defer hs.Close()
	m, err := NewManager(hs.URL, &Options{NoReconnect: true, Engine: engineio.Options{Transports: []engineio.Transport{engineio.Polling}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = m.Socket("/", nil).Connect(ctx)
	if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Connect: %v", err)
	}
}

// TestAttemptsCountUntilJoined: sessions that open and are lost before a
// namespace connects (a balancer without sticky sessions) use up the
// reconnection attempts; the reference client would try forever.
func TestAttemptsCountUntilJoined(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sid") == "" {
			w.Write([]byte(`0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`))
			return
		}
		w.Write([]byte("1")) // the session is gone at once
	}))
	defer hs.Close()
	m, rec := newManager(t, hs.URL, &Options{ReconnectAttempts: 2, ReconnectDelay: time.Millisecond, ReconnectDelayMax: time.Millisecond,
		Engine: engineio.Options{Transports: []engineio.Transport{engineio.Polling}}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Socket("/", nil).Connect(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Connect: %v", err)
	}
	rec.waitFor(t, LifecycleReconnectFailed, 1, 5*time.Second)
}

// TestDispatcherIdle lets the dispatcher's goroutine go when there is
// nothing to run, and starts it again, in order, for the next callbacks.
func TestDispatcherIdle(t *testing.T) {
	defer func(d time.Duration) { idleExit = d }(idleExit)
	idleExit = 20 * time.Millisecond
	d := newDispatcher()
	defer d.close()
	var mu sync.Mutex
	var got []int
	for round := 0; round < 3; round++ {
		done := make(chan struct{})
		for i := 0; i < 3; i++ {
			d.post(func() {
				mu.Lock()
				got = append(got, round*3+i)
				mu.Unlock()
			})
		}
		d.post(func() { close(done) })
		<-done
		deadline := time.Now().Add(5 * time.Second)
		for {
			d.mu.Lock()
			running := d.running
			d.mu.Unlock()
			if !running {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the dispatcher's goroutine is still there with nothing to run")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(got) != "[0 1 2 3 4 5 6 7 8]" {
		t.Errorf("ran %v", got)
	}
}

// TestDispatcherBarrier waits for what was queued before it, and not at
// all once the dispatcher is closed.
func TestDispatcherBarrier(t *testing.T) {
	d := newDispatcher()
	release := make(chan struct{})
	var ran atomic.Bool
	d.post(func() { <-release; ran.Store(true) })
	b := d.barrier()
	select {
	case <-b:
		t.Fatal("the barrier passed a callback still running")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-b
	if !ran.Load() {
		t.Error("the barrier passed before the callback ended")
	}
	d.close()
	select {
	case <-d.barrier():
	case <-time.After(5 * time.Second):
		t.Fatal("a barrier after close waits")
	}
}
