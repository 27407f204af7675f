package bench

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siocli/sio/internal/script"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/internal/sioserver"
	"github.com/siocli/sio/internal/testserver"
)

// TestMergeExact merges the sketches of four shards and finds the
// percentiles of all their values within the sketch's accuracy, and the
// counts, min and max exactly.
func TestMergeExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var all []float64
	var reports []*Report
	for shard := 0; shard < 4; shard++ {
		m := NewMetrics()
		for i := 0; i < 5000; i++ {
			ms := math.Exp(rng.NormFloat64()+float64(shard)/2) * 3 // skewed, and unlike from shard to shard
			m.ack("echo", time.Duration(ms*float64(time.Millisecond)), 0)
			all = append(all, float64(time.Duration(ms*float64(time.Millisecond)))/float64(time.Millisecond))
		}
		m.connects.Add(10)
		m.disconnects.add("transport close", int64(shard))
		r := m.Report()
		r.Target, r.Shards, r.Clients.Target = "http://x", []string{string(rune('1'+shard)) + "/4"}, 40
		data, _ := json.Marshal(r)
		back, err := ReadReport(data)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, back)
	}
	merged, err := Merge(reports)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(all)
	st := merged.Histograms["ack:echo"]
	if st.Count != int64(len(all)) || merged.Counters.Acks != int64(len(all)) {
		t.Fatalf("count %d, acks %d; want %d", st.Count, merged.Counters.Acks, len(all))
	}
	if merged.Counters.Connects != 40 || merged.Disconnects["transport close"] != 6 {
		t.Errorf("counters: %+v %v", merged.Counters, merged.Disconnects)
	}
	if math.Abs(st.Min-all[0]) > 0.001 || math.Abs(st.Max-all[len(all)-1]) > 0.001 {
		t.Errorf("min %v max %v; want %v %v", st.Min, st.Max, all[0], all[len(all)-1])
	}
	for i, q := range Quantiles {
		got := []float64{st.P50, st.P75, st.P90, st.P95, st.P99, st.P999}[i]
		exact := all[int(q*float64(len(all)-1))]
		if math.Abs(got-exact) > exact*Accuracy*1.01+0.001 {
			t.Errorf("p%v: %v, exact %v: beyond %v%%", q*100, got, exact, Accuracy*100)
		}
	}
	if _, err := Merge([]*Report{reports[0], reports[0]}); err == nil || !strings.Contains(err.Error(), "more than one") {
		t.Errorf("merging a shard twice: %v", err)
	}
}

// TestThresholds parses and checks the forms a threshold takes.
func TestThresholds(t *testing.T) {
	m := NewMetrics()
	for i := 1; i <= 100; i++ {
		m.ack("echo", time.Duration(i)*time.Millisecond, 0)
	}
	m.events.add("tick", 3)
	r := m.Report()
	for _, c := range []struct {
		expr string
		ok   bool
	}{
		{"ack.p99<=100ms", true}, {"ack.p50 < 40ms", false}, {"ack:echo.max>=0.09s", true},
		{"ack.count==100", true}, {"errors==0", true}, {"acks>=101", false},
		{"events:tick==3", true}, {"events:none>0", false}, {"gap:tick.p99<1s", false},
		{"ack.p99.9<200", true}, {"ack.p999<200", true},
		{"connect_errors:refused: Not authorized == 0", true}, {"ack.p99 < 50ms", false},
	} {
		th, err := ParseThreshold(c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if v := th.Check(r); v.OK != c.ok {
			t.Errorf("%s: %+v; want ok=%v", c.expr, v, c.ok)
		}
	}
	for _, bad := range []string{"ack<50ms", "latency.p99<1s", "errors", "errors=0", "ack.p99<fast", "nope==0", "emits:==1"} {
		if _, err := ParseThreshold(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestRun runs K clients of M acked emits against sio's own server and
// counts K×M acks, one connect each, their arrivals and the events the
// server sent back; then nothing is left running.
func TestRun(t *testing.T) {
	url := testserver.InProcess(t, sioserver.Options{Echo: true})
	steps, err := script.Parse(`emit echo {"c": ${CLIENT}, "i": ${ITER}} --ack`)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics()
	const clients, iterations = 6, 4
	r := Run(context.Background(), Config{
		Target:  url,
		Client:  session.Config{URL: url, Namespace: "/", ConnectTimeout: 5 * time.Second, AckTimeout: 5 * time.Second},
		Clients: clients, Iterations: iterations, Steps: steps, Polling: 0.5,
	}, m)
	c := r.Counters
	if c.Connects != clients || c.Emits != clients*iterations || c.Acks != clients*iterations || c.Errors != 0 {
		t.Errorf("counters %+v", c)
	}
	if r.Events["echo"] != clients*iterations || r.Histograms["gap:echo"].Count != clients*(iterations-1) {
		t.Errorf("events %v, gaps %d", r.Events, r.Histograms["gap:echo"].Count)
	}
	if r.Clients.Polling != clients/2 || r.Clients.WebSocket != clients/2 {
		t.Errorf("clients %+v; want half on polling", r.Clients)
	}
	for _, h := range []string{"open", "connect", "ack", "ack:echo"} {
		if r.Histograms[h].Count == 0 {
			t.Errorf("nothing in %s", h)
		}
	}
	if r.Counters.BytesIn == 0 || r.Counters.BytesOut == 0 {
		t.Errorf("bytes %d in, %d out", r.Counters.BytesIn, r.Counters.BytesOut)
	}
}

// TestRunShard runs one shard: its clients are every N-th of the whole
// run, and ${CLIENT} numbers them as the whole run does.
func TestRunShard(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	url := testserver.InProcess(t, sioserver.Options{Observe: func(r sioserver.Record) {
		if r.Type == sioserver.RecordEvent {
			mu.Lock()
			seen = append(seen, string(r.Packet.Data))
			mu.Unlock()
		}
	}})
	steps, _ := script.Parse(`emit who ${CLIENT} --ack`)
	m := NewMetrics()
	r := Run(context.Background(), Config{
		Target:  url,
		Client:  session.Config{URL: url, Namespace: "/", ConnectTimeout: 5 * time.Second, AckTimeout: 5 * time.Second},
		Clients: 10, Shard: 2, Shards: 3, Iterations: 1, Steps: steps,
	}, m)
	if r.Clients.Started != 3 || r.Counters.Emits != 3 || r.Shards[0] != "2/3" {
		t.Errorf("shard 2/3 of 10: %+v %+v %v", r.Clients, r.Counters, r.Shards)
	}
	if r.Counters.Acks != 3 || r.Counters.Errors != 0 {
		t.Errorf("acks: %+v", r.Counters)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(seen)
	if got := strings.Join(seen, " "); got != `["who",1] ["who",4] ["who",7]` {
		t.Errorf("the server saw %s; want the clients 1, 4 and 7", got)
	}
}

// TestSameCause counts errors that differ only in their request's query
// as one.
func TestSameCause(t *testing.T) {
	a := sameCause(`handshake over polling: Get "http://h:1/socket.io/?EIO=4&t=abc.1&transport=polling": dial tcp: refused`)
	b := sameCause(`handshake over polling: Get "http://h:1/socket.io/?EIO=4&t=abd.2&transport=polling": dial tcp: refused`)
	if a != b || a != `handshake over polling: Get "http://h:1/socket.io/": dial tcp: refused` {
		t.Errorf("%q\n%q", a, b)
	}
}
