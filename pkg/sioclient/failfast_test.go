package sioclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/siocli/sio/pkg/engineio"
)

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

// TestFailFast: a first connection the server cannot take (nothing
// listens, or what answers is not Engine.IO) ends Connect with its cause
// at once, without a reconnection attempt; without FailFast the Manager
// keeps trying until the context ends, and says what the last attempt met.
func TestFailFast(t *testing.T) {
	notEIO := httptest.NewServer(http.NotFoundHandler())
	defer notEIO.Close()
	for _, tc := range []struct {
		name, url string
		is        func(error) bool
	}{
		{"refused", closedPort(t), func(err error) bool { return Unreachable(err) }},
		{"not Engine.IO", notEIO.URL, func(err error) bool {
			var he *engineio.HTTPError
			return errors.As(err, &he) && he.StatusCode == http.StatusNotFound
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, rec := newManager(t, tc.url, &Options{FailFast: true, ReconnectDelay: 10 * time.Millisecond})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := m.Socket("/", nil).Connect(ctx)
			if err == nil || !tc.is(err) || ctx.Err() != nil {
				t.Fatalf("Connect: %v (context: %v)", err, ctx.Err())
			}
			if n := len(filter(rec, LifecycleReconnectAttempt)); n != 0 {
				t.Errorf("%d reconnection attempts", n)
			}
		})
	}
	t.Run("a proxy's 503 is waited out", func(t *testing.T) {
		busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "backend restarting", http.StatusServiceUnavailable)
		}))
		defer busy.Close()
		m, _ := newManager(t, busy.URL, &Options{FailFast: true, ReconnectDelay: 10 * time.Millisecond, ReconnectDelayMax: 20 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := m.Socket("/", nil).Connect(ctx)
		var we *WaitError
		if !errors.As(err, &we) || Unreachable(we.Last) {
			t.Fatalf("Connect: %v", err)
		}
	})
	t.Run("waiting", func(t *testing.T) {
		m, rec := newManager(t, closedPort(t), &Options{ReconnectDelay: 10 * time.Millisecond, ReconnectDelayMax: 20 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := m.Socket("/", nil).Connect(ctx)
		var we *WaitError
		if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) || !Unreachable(we.Last) {
			t.Fatalf("Connect: %v", err)
		}
		if len(filter(rec, LifecycleReconnectAttempt)) == 0 {
			t.Error("no reconnection attempt")
		}
	})
}
