package sioclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/siocli/sio/pkg/engineio"
)

// errSlow is what the credential funcs below fail with once ctx ends.
var errSlow = errors.New("the helper did not finish")

// TestCredentialFuncsBounded: AuthFunc and HeaderFunc run with the
// attempt's ConnectTimeout as ctx's deadline, AuthFunc with no lock held,
// and a Connect that waits for them ends with their error, not a
// timeout of its own.
func TestCredentialFuncsBounded(t *testing.T) {
	url := start(t, "4").URL()
	const timeout = 500 * time.Millisecond
	slow := func(ctx context.Context) error {
		<-ctx.Done()
		return fmt.Errorf("%w: %w", errSlow, ctx.Err())
	}
	for _, c := range []struct {
		name string
		opts Options
		sock SocketOptions
	}{
		{"HeaderFunc", Options{HeaderFunc: func(ctx context.Context) (http.Header, error) { return nil, slow(ctx) }}, SocketOptions{}},
		{"AuthFunc", Options{}, SocketOptions{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.opts.NoReconnect = true
			c.opts.Engine = engineio.Options{ConnectTimeout: timeout}
			m, _ := newManager(t, url, &c.opts)
			if c.name == "AuthFunc" {
				c.sock.AuthFunc = func(ctx context.Context) (json.RawMessage, error) {
					// The locks are free while it runs.
					if m.State() != Connected {
						t.Error("the Manager is not connected while AuthFunc runs")
					}
					return nil, slow(ctx)
				}
			}
			s := m.Socket("/", &c.sock)
			began := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			err := s.Connect(ctx)
			took := time.Since(began)
			if !errors.Is(err, errSlow) || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Connect: %v; want the func's own error", err)
			}
			if took > timeout+time.Second {
				t.Errorf("Connect took %v, its timeout %v", took, timeout)
			}
		})
	}

	// A payload made slowly goes when it is ready.
	m, _ := newManager(t, url, nil)
	s := m.Socket("/admin", &SocketOptions{AuthFunc: func(ctx context.Context) (json.RawMessage, error) {
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return json.RawMessage(`{"token":"ok"}`), nil
	}})
	if err := s.Connect(ctxT(t)); err != nil {
		t.Fatalf("a slow AuthFunc: %v", err)
	}
}
