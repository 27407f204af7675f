// Command benchfloor is the Go floor of sio bench's cost in
// scripts/bench-load.sh: N bare WebSocket clients, one goroutine each,
// that speak the frames and nothing else, as test/servers/bench-load.js
// bare does in Node. Each emits "echo" with an ack every EVERY, ROUNDS
// times, arriving over RAMP, and answers the server's pings; it prints
// the acks' {"n","p50_ms","p99_ms"}. What it costs is what the kernel and
// the Go runtime take for those round trips, below which no Go client
// goes.
//
//	benchfloor -url http://127.0.0.1:3000 -n 1000 -every 500ms -rounds 60 -ramp 10s
package main

import (
	"flag"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	url := flag.String("url", "", "the server's base URL")
	n := flag.Int("n", 1000, "clients")
	every := flag.Duration("every", 500*time.Millisecond, "between a client's emits")
	rounds := flag.Int("rounds", 60, "emits a client")
	ramp := flag.Duration("ramp", 10*time.Second, "over which the clients arrive")
	flag.Parse()
	ws := strings.Replace(*url, "http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
	var mu sync.Mutex
	var times []time.Duration
	var wg sync.WaitGroup
	for i := range *n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(*ramp * time.Duration(i) / time.Duration(*n))
			rtts, err := client(ws, *every, *rounds)
			if err != nil {
				log.Fatalf("benchfloor: client %d: %v", i, err)
			}
			mu.Lock()
			times = append(times, rtts...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(times)
	q := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))]) / 1e6
	}
	fmt.Printf(`{"n":%d,"p50_ms":%.3f,"p99_ms":%.3f}`+"\n", len(times), q(0.5), q(0.99))
}

// client connects, then emits with an ack rounds times, every apart, and
// returns the round trips.
func client(url string, every time.Duration, rounds int) ([]time.Duration, error) {
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	rtts := make([]time.Duration, 0, rounds)
	var sent time.Time
	next := time.Now()
	id := 0
	for len(rtts) < rounds {
		_, msg, err := c.ReadMessage()
		if err != nil {
			return nil, err
		}
		s := string(msg)
		switch {
		case s == "2":
			err = c.WriteMessage(websocket.TextMessage, []byte("3"))
		case strings.HasPrefix(s, "0"):
			err = c.WriteMessage(websocket.TextMessage, []byte("40"))
		case strings.HasPrefix(s, "40"), strings.HasPrefix(s, "43"):
			if strings.HasPrefix(s, "43") {
				rtts = append(rtts, time.Since(sent))
				if len(rtts) == rounds {
					break
				}
				next = next.Add(every)
				time.Sleep(time.Until(next))
			}
			sent = time.Now()
			err = c.WriteMessage(websocket.TextMessage, []byte("42"+strconv.Itoa(id)+`["echo","x"]`))
			id++
		}
		if err != nil {
			return nil, err
		}
	}
	return rtts, nil
}
