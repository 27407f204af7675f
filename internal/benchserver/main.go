// Command benchserver is a minimal Socket.IO 4.x server over WebSocket that
// sends one pre-encoded event frame as fast as it can, so that a client's
// throughput, not the server's, is what a benchmark measures. No real
// server writes events that fast. It is for scripts/bench-listen.sh.
//
//	benchserver -n 1000000
//
// It prints {"port":N} once it listens. Each connection gets the Engine.IO
// handshake, a CONNECT reply to the client's CONNECT for "/", then n
// frames 42["tick",12345,"abcdefgh"], then stays open until the client
// leaves. The frames are written raw, 64 KiB of them a write, so that
// sending costs the server almost nothing.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/gorilla/websocket"
)

func main() {
	n := flag.Int("n", 1_000_000, "events to send to each connection")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	json.NewEncoder(os.Stdout).Encode(map[string]int{"port": ln.Addr().(*net.TCPAddr).Port})
	// An unmasked final text frame, as a server sends it, repeated.
	payload := []byte(`42["tick",12345,"abcdefgh"]`)
	frame := append([]byte{0x81, byte(len(payload))}, payload...)
	perBlock := (64 << 10) / len(frame)
	block := bytes.Repeat(frame, perBlock)
	up := websocket.Upgrader{WriteBufferSize: 64 << 10, CheckOrigin: func(*http.Request) bool { return true }}
	log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("transport") != "websocket" {
			http.Error(w, `{"code":0,"message":"Transport unknown"}`, http.StatusBadRequest)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.WriteMessage(websocket.TextMessage, []byte(`0{"sid":"bench","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`))
		for {
			_, m, err := c.ReadMessage()
			if err != nil {
				return
			}
			if string(m) == "40" || (len(m) > 2 && string(m[:3]) == "40{") {
				break
			}
		}
		c.WriteMessage(websocket.TextMessage, []byte(`40{"sid":"benchsocket"}`))
		raw := c.UnderlyingConn() // WriteMessage flushed: nothing is buffered
		for left := *n; left > 0; {
			k := min(left, perBlock)
			if _, err := raw.Write(block[:k*len(frame)]); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return
			}
			left -= k
		}
		for { // until the client leaves
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})))
}
