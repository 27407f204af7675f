// Command goservers runs a Socket.IO server written in Go, for sio's
// interop tests: github.com/zishang520/socket.io (its v3 server), or
// github.com/googollee/go-socket.io (Engine.IO 3, Socket.IO protocol 4),
// with the handlers of test/servers/server.js as far as each can take them.
//
//	goservers [--impl zishang520|googollee] [--port N] [--allow-eio3]
//
// It prints one JSON line {"port":N} on stdout once it listens, and exits
// when stdin closes, so a test that dies leaves no server behind.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

func main() {
	port := flag.Int("port", 0, "port to listen on (0: a free one)")
	allowEIO3 := flag.Bool("allow-eio3", false, "also take Engine.IO 3 (socket.io 2.x) clients")
	impl := flag.String("impl", "zishang520", "zishang520 or googollee")
	flag.Parse()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	if *impl == "googollee" {
		serveGoogollee(ln)
		return
	}

	opts := socket.DefaultServerOptions()
	opts.SetAllowEIO3(*allowEIO3)
	opts.SetCors(&types.Cors{Origin: "*"})
	server := socket.NewServer(nil, opts)

	handlers := func(clients ...any) {
		c := clients[0].(*socket.Socket)
		ackOf := func(args []any) ([]any, func([]any, error)) {
			if n := len(args); n > 0 {
				if ack, ok := args[n-1].(func([]any, error)); ok {
					return args[:n-1], ack
				}
			}
			return args, nil
		}
		c.On("echo", func(args ...any) {
			args, ack := ackOf(args)
			if ack != nil {
				ack(args, nil)
			}
			c.Emit("echo-back", args...)
		})
		c.On("ack", func(args ...any) {
			if args, ack := ackOf(args); ack != nil {
				ack(args, nil)
			}
		})
		c.On("binary", func(args ...any) {
			_, ack := ackOf(args)
			blob := []byte{1, 2, 3, 4}
			c.Emit("bin-back", blob, "€", map[string]any{"nested": []any{blob, []byte{5}}})
			if ack != nil {
				ack([]any{blob}, nil)
			}
		})
		c.On("ask", func(args ...any) {
			args, _ = ackOf(args)
			c.Emit("question", append(args, func(answer []any, err error) {
				if err == nil {
					c.Emit("answered", answer...)
				}
			})...)
		})
		c.On("disconnect-me", func(...any) { c.Disconnect(false) })
		c.On("broadcast", func(args ...any) {
			args, _ = ackOf(args)
			if len(args) > 0 {
				if name, ok := args[0].(string); ok {
					c.Nsp().Emit(name, args[1:]...)
				}
			}
		})
	}
	server.On("connection", handlers)
	admin := server.Of("/admin", nil)
	admin.Use(func(c *socket.Socket, next func(*socket.ExtendedError)) {
		hs := c.Handshake()
		token, _ := hs.Auth["token"].(string)
		if token == "" {
			token = hs.Query.Query().Get("token")
		}
		if token != "ok" {
			next(socket.NewExtendedError("Not authorized", map[string]any{"code": 42}))
			return
		}
		next(nil)
	})
	admin.On("connection", handlers)

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", server.ServeHandler(nil))
	ready(ln)
	http.Serve(ln, mux)
}

// ready prints the port the server listens on.
func ready(ln net.Listener) {
	out, _ := json.Marshal(map[string]int{"port": ln.Addr().(*net.TCPAddr).Port})
	fmt.Println(string(out))
}
