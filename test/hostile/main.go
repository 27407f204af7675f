// Command hostile serves one mode of the test helpers' hostile server on
// a loopback port, for scripts that measure sio against it:
//
//	go run ./test/hostile -mode tiny-flood
//
// It prints its URL on the first line and serves until killed.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/siocli/sio/internal/testserver"
)

func main() {
	mode := flag.String("mode", "", "the misbehaviour (see internal/testserver/hostile.go)")
	addr := flag.String("addr", "127.0.0.1:0", "where to listen")
	flood := flag.Int("flood", 5_000_000, "noop packets in each poll of tiny-flood")
	flag.Parse()
	h, err := testserver.NewHostile(*mode)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(2)
	}
	h.Flood = *flood
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	if err := http.Serve(ln, h); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}
