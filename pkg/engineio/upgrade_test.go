package engineio

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestWriteDuringProbe writes while the upgrade's probe is out, to a server
// that, as googollee's does, refuses POSTs with 400 "paused" once the
// probe has reached it: the refused message is not lost, nor the session
// ended; it waits for the upgrade and goes out on the WebSocket.
func TestWriteDuringProbe(t *testing.T) {
	var mu sync.Mutex
	paused := false
	probed := make(chan struct{})
	refused := make(chan struct{})
	var refuseOnce sync.Once
	got := make(chan string, 4)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("transport") == "websocket":
			c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			if _, m, err := c.ReadMessage(); err != nil || string(m) != "2probe" {
				t.Errorf("probe %q, %v", m, err)
				return
			}
			mu.Lock()
			paused = true
			mu.Unlock()
			close(probed)
			select { // answer once a POST was refused
			case <-refused:
			case <-time.After(5 * time.Second):
				t.Error("no POST while the probe was out")
			}
			c.WriteMessage(websocket.TextMessage, []byte("3probe"))
			for {
				_, m, err := c.ReadMessage()
				if err != nil {
					return
				}
				got <- string(m)
			}
		case q.Get("sid") == "":
			w.Write([]byte(`0{"sid":"p","upgrades":["websocket"],"pingInterval":60000,"pingTimeout":60000,"maxPayload":100000}`))
		case r.Method == http.MethodPost:
			mu.Lock()
			p := paused
			mu.Unlock()
			if p {
				http.Error(w, "payload: paused", http.StatusBadRequest)
				refuseOnce.Do(func() { close(refused) })
				return
			}
			b, _ := io.ReadAll(r.Body)
			got <- "POST " + string(b)
			w.Write([]byte("ok"))
		default: // the poll: answered with a noop once the POST was refused
			select {
			case <-refused:
				w.Write([]byte("6"))
			case <-r.Context().Done():
			}
		}
	}))
	defer s.Close()
	c, err := Dial(context.Background(), s.URL, &Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case <-probed:
	case <-time.After(10 * time.Second):
		t.Fatal("no probe")
	}
	if err := c.Write(Message{Data: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	var frames []string
	for len(frames) < 2 {
		select {
		case m := <-got:
			frames = append(frames, m)
		case <-c.Done():
			t.Fatalf("the session ended: %v (got %q)", c.Err(), frames)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %q; want the upgrade packet, then the message", frames)
		}
	}
	if frames[0] != "5" || frames[1] != "4hello" {
		t.Errorf("got %q; want the upgrade packet, then the message on the WebSocket", frames)
	}
}
