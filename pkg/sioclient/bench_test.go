package sioclient

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siocli/sio/internal/testserver"
	"github.com/siocli/sio/pkg/engineio"
)

// BenchmarkEmitWithAck times sequential emit-with-ack round trips over
// WebSocket (after the upgrade, as the reference client runs) and reports
// their percentiles. It uses the server at $SIO_BENCH_URL when set, else it
// starts a socket.io 4.x server; scripts/bench-ack.sh runs it beside the
// reference client.
func BenchmarkEmitWithAck(b *testing.B) {
	url := os.Getenv("SIO_BENCH_URL")
	if url == "" {
		url = testserver.Start(b, testserver.Config{Version: "4"}).URL()
	}
	upgraded := make(chan struct{})
	m, err := NewManager(url, &Options{NoReconnect: true, Engine: engineio.Options{OnEvent: func(e engineio.Event) {
		if e.Type == engineio.EventUpgrade {
			close(upgraded)
		}
	}}})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	s := m.Socket("/", nil)
	ctx := context.Background()
	if err := s.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	select {
	case <-upgraded:
	case <-time.After(10 * time.Second):
		b.Fatal("no upgrade to WebSocket")
	}
	for i := 0; i < 1000; i++ { // warm up, as the Node benchmark does
		if _, err := s.EmitWithAck(ctx, "echo", "x"); err != nil {
			b.Fatal(err)
		}
	}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := s.EmitWithAck(ctx, "echo", "x"); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1000/float64(b.N), "cpu-µs/op")
	slices.Sort(times)
	q := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Nanoseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "p50-µs")
	b.ReportMetric(q(0.9), "p90-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}

// BenchmarkWebSocketFloor is the floor under BenchmarkEmitWithAck: the
// same round trips by a bare WebSocket client that writes and reads the
// frames by hand on one goroutine, with no Socket.IO client at all. The
// server's time and the kernel's are all it measures.
func BenchmarkWebSocketFloor(b *testing.B) {
	ws := dialBare(b)
	defer ws.Close()
	timeRoundTrips(b, func() {
		ws.write(`421["echo","x"]`)
		for {
			m, err := ws.read()
			if err != nil {
				b.Fatal(err)
			}
			if strings.HasPrefix(string(m), "431") {
				return
			}
		}
	})
}

// BenchmarkWebSocketReaderFloor is the floor of a client that reads on a
// goroutine of its own, as every client that hears the server at any
// time must: the same bare frames as BenchmarkWebSocketFloor, but a
// reading goroutine hands each ack to the caller. What it costs over
// BenchmarkWebSocketFloor is the price of reading asynchronously (the
// reader waits in the poller before the answer comes), not of Socket.IO.
func BenchmarkWebSocketReaderFloor(b *testing.B) {
	ws := dialBare(b)
	acks := make(chan struct{}, 1)
	read := make(chan struct{})
	go func() {
		defer close(read)
		for {
			m, err := ws.read()
			if err != nil {
				return
			}
			if strings.HasPrefix(string(m), "431") {
				acks <- struct{}{}
			}
		}
	}()
	defer func() { ws.Close(); <-read }()
	timeRoundTrips(b, func() {
		ws.write(`421["echo","x"]`)
		<-acks
	})
}

// bareConn is a bare WebSocket Engine.IO 4 session, its writes serialised
// (the reader answers pings).
type bareConn struct {
	*websocket.Conn
	mu sync.Mutex
}

// dialBare opens a bare session to the benchmark's server and connects its
// root namespace.
func dialBare(b *testing.B) *bareConn {
	url := os.Getenv("SIO_BENCH_URL")
	if url == "" {
		url = testserver.Start(b, testserver.Config{Version: "4"}).URL()
	}
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(url, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		b.Fatal(err)
	}
	c := &bareConn{Conn: ws}
	c.read() // open
	c.write("40")
	c.read() // connect
	return c
}

func (c *bareConn) write(frame string) {
	c.mu.Lock()
	c.WriteMessage(websocket.TextMessage, []byte(frame))
	c.mu.Unlock()
}

// read reads a frame, answering the server's ping.
func (c *bareConn) read() ([]byte, error) {
	_, m, err := c.ReadMessage()
	if err == nil && string(m) == "2" {
		c.write("3")
	}
	return m, err
}

// timeRoundTrips warms up with 1,000 round trips, as the Node benchmark
// does, then times b.N and reports the CPU time a round trip and the p50.
func timeRoundTrips(b *testing.B, roundTrip func()) {
	for i := 0; i < 1000; i++ {
		roundTrip()
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		roundTrip()
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1000/float64(b.N), "cpu-µs/op")
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds())/1000, "p50-µs")
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
