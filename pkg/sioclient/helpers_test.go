package sioclient

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// versions are the servers every client test runs against.
var versions = []string{"2", "3", "4"}

// recorder keeps the lifecycle events of a Manager.
type recorder struct {
	mu     sync.Mutex
	events []Lifecycle
	signal chan struct{}
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 1)} }

func (r *recorder) on(e Lifecycle) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// waitFor waits for the n-th event (counting from 1) of type typ.
func (r *recorder) waitFor(t *testing.T, typ LifecycleType, n int, d time.Duration) Lifecycle {
	t.Helper()
	deadline := time.After(d)
	for {
		r.mu.Lock()
		seen := 0
		for _, e := range r.events {
			if e.Type == typ {
				seen++
				if seen == n {
					r.mu.Unlock()
					return e
				}
			}
		}
		r.mu.Unlock()
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("no %s event #%d within %v; saw %s", typ, n, d, r.names())
		}
	}
}

func (r *recorder) names() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for i, e := range r.events {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.Type.String())
		if e.Namespace != "" && e.Namespace != "/" {
			b.WriteString("(" + e.Namespace + ")")
		}
	}
	return b.String()
}

// inbox collects events received by a socket.
type inbox struct {
	ch chan *Event
}

func newInbox(s *Socket) *inbox {
	in := &inbox{ch: make(chan *Event, 1000)}
	s.OnAny(func(e *Event) { in.ch <- e })
	return in
}

// next returns the next event named name, skipping others.
func (in *inbox) next(t *testing.T, name string) *Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-in.ch:
			if e.Name == name {
				return e
			}
		case <-deadline:
			t.Fatalf("no %q event within 10s", name)
		}
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newManager(t *testing.T, url string, o *Options) (*Manager, *recorder) {
	t.Helper()
	rec := newRecorder()
	if o == nil {
		o = &Options{}
	}
	o.OnLifecycle = rec.on
	m, err := NewManager(url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, rec
}

// adminOpts gives the /admin socket the token the test server wants, as
// an auth payload (3.x, 4.x) or a query (2.x).
func adminOpts(version, token string) *SocketOptions {
	if version == "2" {
		return &SocketOptions{Query: map[string][]string{"token": {token}}}
	}
	return &SocketOptions{Auth: json.RawMessage(fmt.Sprintf(`{"token":%q}`, token))}
}

func argsJSON(args []json.RawMessage) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, a := range args {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(a)
	}
	b.WriteByte(']')
	return b.String()
}

func start(t *testing.T, version string) *testserver.Server {
	return testserver.Start(t, testserver.Config{Version: version})
}
