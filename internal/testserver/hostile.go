package testserver

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// A hostile server: an Engine.IO 4 / Socket.IO 5 server over polling (and
// WebSocket where its mode needs one) that follows the protocol until the
// point its mode names, then misbehaves, for what no real server can be
// made to do. Until then it opens a session, answers namespace connects
// and echoes acked emits.

// HostileModes names every mode, each with what it does.
var HostileModes = map[string]string{
	"garbage-handshake":   "answers the handshake with text that is no packet",
	"html-handshake":      "answers the handshake with a 502 HTML page",
	"endless-handshake":   "answers the handshake with an endless chunked body",
	"trickle-handshake":   "sends the handshake one byte every 200 ms",
	"huge-handshake":      "announces a 10 GB handshake body and sends two bytes",
	"absurd-heartbeat":    "announces a pingInterval of about 317 years",
	"garbage-after":       "answers the first poll after the connect with garbage",
	"tiny-flood":          "answers every poll with Flood noop packets (five million, 10 MB, unless set)",
	"endless-poll":        "answers the first poll after the connect with an endless chunked body",
	"trickle-poll":        "answers polls one byte every 50 ms, never ending (heartbeat of 300 ms)",
	"stall":               "stops answering after the connect (heartbeat of 300 ms)",
	"deep-json":           "sends an event whose argument nests 100,000 arrays deep",
	"escapes":             "sends an event whose name and argument hold terminal escapes",
	"escape-refusal":      "refuses the namespace with a message holding terminal escapes",
	"invalid-utf8":        "sends an event whose argument holds bytes that are not UTF-8",
	"huge-attachments":    "sends a binary event announcing a billion attachments",
	"websocket-garbage":   "switches protocols for a WebSocket, then sends garbage",
	"websocket-oversized": "sends a WebSocket frame announcing 1 TB",
}

// Hostile is a hostile server on a loopback port.
type Hostile struct {
	srv  *httptest.Server
	mode string
	// Flood is how many noop packets a poll of tiny-flood holds.
	Flood int

	mu       sync.Mutex
	cond     *sync.Cond
	out      []string // packets queued for the next poll
	polls    int      // polls since the connect's answer went out
	conn     bool     // the namespace connect's answer went out
	closed   bool
	requests int
}

// StartHostile starts a hostile server in mode until the test ends.
func StartHostile(t testing.TB, mode string) *Hostile {
	t.Helper()
	h, err := NewHostile(mode)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.Close)
	return h
}

// NewHostile returns a hostile server's handler in mode, to serve as the
// caller likes.
func NewHostile(mode string) (*Hostile, error) {
	if _, ok := HostileModes[mode]; !ok {
		modes := make([]string, 0, len(HostileModes))
		for m := range HostileModes {
			modes = append(modes, m)
		}
		slices.Sort(modes)
		return nil, fmt.Errorf("unknown hostile mode %q; the modes: %s", mode, strings.Join(modes, ", "))
	}
	h := &Hostile{mode: mode, Flood: 5_000_000}
	h.cond = sync.NewCond(&h.mu)
	return h, nil
}

// URL is the server's base URL.
func (h *Hostile) URL() string { return h.srv.URL }

// Close ends the waiting polls and stops the server.
func (h *Hostile) Close() {
	h.mu.Lock()
	h.closed = true
	h.cond.Broadcast()
	h.mu.Unlock()
	if h.srv != nil {
		h.srv.CloseClientConnections()
		h.srv.Close()
	}
}

func (h *Hostile) heartbeat() string {
	switch h.mode {
	case "absurd-heartbeat":
		return `"pingInterval":9999999999999,"pingTimeout":20000`
	case "trickle-poll", "stall":
		return `"pingInterval":300,"pingTimeout":300`
	}
	return `"pingInterval":25000,"pingTimeout":20000`
}

func (h *Hostile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.requests++
	h.mu.Unlock()
	q := r.URL.Query()
	switch {
	case q.Get("transport") == "websocket":
		h.websocket(w, r)
	case r.Method == http.MethodPost:
		h.post(w, r)
	case q.Get("sid") == "":
		h.handshake(w, r)
	default:
		h.poll(w, r)
	}
}

// handshake opens a session, the only one: each handshake starts it
// afresh, so that every connection meets the same misbehaviour.
func (h *Hostile) handshake(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.out, h.polls, h.conn = nil, 0, false
	h.mu.Unlock()
	upgrades := `[]`
	if strings.HasPrefix(h.mode, "websocket-") {
		upgrades = `["websocket"]`
	}
	open := `0{"sid":"hostile","upgrades":` + upgrades + `,` + h.heartbeat() + `,"maxPayload":1000000}`
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	switch h.mode {
	case "garbage-handshake":
		io.WriteString(w, "hello there")
	case "html-handshake":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	case "endless-handshake":
		h.endless(w, r, "0")
	case "trickle-handshake":
		for i := range len(open) {
			if _, err := io.WriteString(w, open[i:i+1]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			if !h.sleep(r, 200*time.Millisecond) {
				return
			}
		}
	case "huge-handshake":
		w.Header().Set("Content-Length", "10000000000")
		io.WriteString(w, "0{")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	default:
		io.WriteString(w, open)
	}
}

// endless writes a chunked body starting with first that never ends.
func (h *Hostile) endless(w http.ResponseWriter, r *http.Request, first string) {
	io.WriteString(w, first)
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// sleep waits d unless the request ends first.
func (h *Hostile) sleep(r *http.Request, d time.Duration) bool {
	select {
	case <-r.Context().Done():
		return false
	case <-time.After(d):
		return true
	}
}

// post takes the client's packets: it answers a namespace connect and
// echoes an acked event's arguments as its ack.
func (h *Hostile) post(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	for _, p := range strings.Split(string(body), "\x1e") {
		h.take(p)
	}
	io.WriteString(w, "ok")
}

// take acts on one packet from the client, queueing the answer.
func (h *Hostile) take(p string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case strings.HasPrefix(p, "40"):
		if h.mode == "escape-refusal" {
			h.out = append(h.out, `44{"message":"\u001b[2J\u001b]0;pwned\u0007\rsio: forged"}`)
		} else {
			h.out = append(h.out, `40{"sid":"hostile-socket"}`)
		}
	case strings.HasPrefix(p, "42"):
		// 42<id>[...]: the ack carries the event's arguments back.
		i := 2
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
		}
		if i > 2 && i < len(p) && p[i] == '[' {
			if args, ok := strings.CutPrefix(p[i:], "["); ok {
				if j := strings.Index(args, ","); j >= 0 {
					h.out = append(h.out, "43"+p[2:i]+"["+args[j+1:])
				} else {
					h.out = append(h.out, "43"+p[2:i]+"[]")
				}
			}
		}
	}
	h.cond.Broadcast()
}

// poll answers a long-poll GET: what is queued, once there is something,
// or the mode's misbehaviour once the namespace is connected.
func (h *Hostile) poll(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	h.mu.Lock()
	after := h.conn
	if after {
		h.polls++
	}
	first := h.polls == 1
	h.mu.Unlock()
	if after {
		switch h.mode {
		case "garbage-after":
			if first {
				io.WriteString(w, "\x00\x01garbage")
				return
			}
		case "tiny-flood":
			h.flush(w, r, 200*time.Millisecond)
			io.WriteString(w, strings.Repeat("\x1e6", h.Flood))
			return
		case "endless-poll":
			if first {
				h.endless(w, r, "6\x1e4")
				return
			}
		case "trickle-poll":
			for {
				if _, err := io.WriteString(w, "6"); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				if !h.sleep(r, 50*time.Millisecond) {
					return
				}
			}
		case "stall":
			<-r.Context().Done()
			return
		case "deep-json":
			if first {
				io.WriteString(w, `42["deep",`+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)+`]`)
				return
			}
		case "escapes":
			if first {
				io.WriteString(w, `42["\u001b]0;pwned\u0007\u001b[2Jevil","\u001b[31mred\u001b[0m"]`)
				return
			}
		case "invalid-utf8":
			if first {
				io.WriteString(w, "42[\"bad\",\"caf\xff\xfe\"]")
				return
			}
		case "huge-attachments":
			if first {
				io.WriteString(w, `451000000000-["bin",{"_placeholder":true,"num":0}]`)
				return
			}
		}
	}
	h.flush(w, r, 10*time.Second)
}

// flush writes what is queued, waiting up to d for something to write (a
// noop when nothing came).
func (h *Hostile) flush(w http.ResponseWriter, r *http.Request, d time.Duration) {
	wake := func() {
		h.mu.Lock()
		h.cond.Broadcast()
		h.mu.Unlock()
	}
	t := time.AfterFunc(d, wake)
	defer t.Stop()
	defer context.AfterFunc(r.Context(), wake)()
	deadline := time.Now().Add(d)
	h.mu.Lock()
	for len(h.out) == 0 && !h.closed && r.Context().Err() == nil && time.Now().Before(deadline) {
		h.cond.Wait()
	}
	out := h.out
	h.out = nil
	if slices.ContainsFunc(out, func(p string) bool { return strings.HasPrefix(p, "40") }) {
		h.conn = true
	}
	h.mu.Unlock()
	if len(out) == 0 {
		out = []string{"6"}
	}
	io.WriteString(w, strings.Join(out, "\x1e"))
}

// websocket switches protocols, then misbehaves.
func (h *Hostile) websocket(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	fmt.Fprintf(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", base64.StdEncoding.EncodeToString(sum[:]))
	switch h.mode {
	case "websocket-garbage":
		conn.Write([]byte("\xff\xfe\xfdnot a frame at all"))
	case "websocket-oversized":
		// A text frame, FIN set, with a 64-bit length of 2^40.
		conn.Write([]byte{0x81, 127, 0, 0, 1, 0, 0, 0, 0, 0, '0', '{'})
	}
	time.Sleep(500 * time.Millisecond)
}
