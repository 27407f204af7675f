package bench

import (
	"encoding/json"
	"os"
	"testing"
)

// FuzzReadReport feeds sio bench merge's input: a report must parse, or
// be refused with an error, and one that parses merges with itself.
func FuzzReadReport(f *testing.F) {
	real, err := os.ReadFile("testdata/report.json") // a run against socket.io 4.8
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add([]byte(`{"sio_bench":1}`))
	f.Add([]byte(`{"sio_bench":1,"histograms":{"ack":{"count":1,"sketch":"AAAA"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadReport(data)
		if err != nil {
			return
		}
		other := *r
		other.Shards = []string{"other"}
		m, err := Merge([]*Report{r, &other})
		if err != nil {
			return
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("the merged report does not encode: %v", err)
		}
	})
}

// FuzzParseThreshold feeds --threshold: parsed or refused, never a panic,
// and a parsed one checks against any report.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"ack.p99<50ms", "errors==0", "events:tick>0", "ack:chat.p99.9<=1.5s", "connect.count>=10", "x"} {
		f.Add(s)
	}
	r := NewMetrics().Report()
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			return
		}
		th.Check(r)
	})
}
