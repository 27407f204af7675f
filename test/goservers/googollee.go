package main

import (
	"errors"
	"net"
	"net/http"

	socketio "github.com/googollee/go-socket.io"
	"github.com/googollee/go-socket.io/engineio"
	"github.com/googollee/go-socket.io/engineio/transport"
	"github.com/googollee/go-socket.io/engineio/transport/polling"
	"github.com/googollee/go-socket.io/engineio/transport/websocket"
	"github.com/googollee/go-socket.io/parser"
)

// serveGoogollee serves github.com/googollee/go-socket.io with the
// handlers it can take: its handlers have a fixed number of typed
// arguments, so echo takes one argument (echo2 two), and ack answers one;
// binary goes as its parser.Buffer. A namespace refused by OnConnect's
// error is closed, not refused with a connect_error: that is how it
// refuses.
func serveGoogollee(ln net.Listener) {
	anyOrigin := func(*http.Request) bool { return true }
	server := socketio.NewServer(&engineio.Options{Transports: []transport.Transport{
		&polling.Transport{CheckOrigin: anyOrigin},
		&websocket.Transport{CheckOrigin: anyOrigin},
	}})
	handlers := func(nsp string) {
		server.OnConnect(nsp, func(s socketio.Conn) error {
			if u := s.URL(); nsp == "/admin" && u.Query().Get("token") != "ok" {
				return errors.New("Not authorized")
			}
			return nil
		})
		server.OnEvent(nsp, "echo", func(s socketio.Conn, a any) any {
			s.Emit("echo-back", a)
			return a
		})
		server.OnEvent(nsp, "echo2", func(s socketio.Conn, a, b any) (any, any) {
			return a, b
		})
		server.OnEvent(nsp, "binary", func(s socketio.Conn) *parser.Buffer {
			blob := []byte{1, 2, 3, 4}
			s.Emit("bin-back", &parser.Buffer{Data: blob}, "€", map[string]any{"nested": []any{&parser.Buffer{Data: blob}, &parser.Buffer{Data: []byte{5}}}})
			return &parser.Buffer{Data: blob}
		})
		server.OnEvent(nsp, "ask", func(s socketio.Conn, a any) {
			s.Emit("question", a, func(answer string) { s.Emit("answered", answer) })
		})
		server.OnEvent(nsp, "disconnect-me", func(s socketio.Conn) { s.Close() })
		// Typed: an event name and one argument.
		server.OnEvent(nsp, "broadcast", func(s socketio.Conn, name string, a any) {
			server.BroadcastToNamespace(nsp, name, a)
		})
		server.OnError(nsp, func(socketio.Conn, error) {})
		server.OnDisconnect(nsp, func(socketio.Conn, string) {})
	}
	handlers("/")
	handlers("/admin")
	go server.Serve()
	defer server.Close()
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", server)
	ready(ln)
	http.Serve(ln, mux)
}
