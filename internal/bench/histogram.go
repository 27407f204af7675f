package bench

import (
	"encoding/base64"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// Accuracy is the relative accuracy of every percentile sio bench gives:
// a p99 of 50ms is between 49.5ms and 50.5ms of the true one. Count, sum,
// min and max are exact.
const Accuracy = 0.01

// Quantiles are the percentiles a Stats gives.
var Quantiles = []float64{0.50, 0.75, 0.90, 0.95, 0.99, 0.999}

// Histogram is a mergeable distribution of durations (DDSketch, the
// sketch Artillery and Datadog use), safe for concurrent use.
type Histogram struct {
	mu sync.Mutex
	s  *ddsketch.DDSketchWithExactSummaryStatistics
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	s, err := ddsketch.NewDefaultDDSketchWithExactSummaryStatistics(Accuracy)
	if err != nil {
		panic(err) // only for an accuracy out of (0, 1)
	}
	return &Histogram{s: s}
}

// Add records one duration.
func (h *Histogram) Add(d time.Duration) {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 0 {
		ms = 0
	}
	h.mu.Lock()
	h.s.Add(ms)
	h.mu.Unlock()
}

// Merge adds every value o holds.
func (h *Histogram) Merge(o *Histogram) {
	if h == o {
		return
	}
	o.mu.Lock()
	c := o.s.Copy()
	o.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.s.MergeWith(c)
}

// Stats are a histogram's figures, in milliseconds, and the sketch they
// came from, serialised so that reports of several runs merge exactly.
type Stats struct {
	Count  int64   `json:"count"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	P50    float64 `json:"p50"`
	P75    float64 `json:"p75"`
	P90    float64 `json:"p90"`
	P95    float64 `json:"p95"`
	P99    float64 `json:"p99"`
	P999   float64 `json:"p99.9"`
	Sketch string  `json:"sketch"` // base64 of the DDSketch encoding
}

// Stats returns the figures of what was recorded so far.
func (h *Histogram) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Stats{Count: int64(h.s.GetCount())}
	var b []byte
	h.s.Encode(&b, false)
	st.Sketch = base64.StdEncoding.EncodeToString(b)
	if st.Count == 0 {
		return st
	}
	st.Min, _ = h.s.GetMinValue()
	st.Max, _ = h.s.GetMaxValue()
	st.Mean = h.s.GetSum() / h.s.GetCount()
	qs, _ := h.s.GetValuesAtQuantiles(Quantiles)
	st.P50, st.P75, st.P90, st.P95, st.P99, st.P999 = qs[0], qs[1], qs[2], qs[3], qs[4], qs[5]
	st.Min, st.Max, st.Mean = round(st.Min), round(st.Max), round(st.Mean)
	st.P50, st.P75, st.P90, st.P95, st.P99, st.P999 = round(st.P50), round(st.P75), round(st.P90), round(st.P95), round(st.P99), round(st.P999)
	return st
}

// round keeps microseconds: finer than the sketch's accuracy anyway.
func round(ms float64) float64 { return math.Round(ms*1000) / 1000 }

// Quantile returns one percentile (q in [0, 1]) in milliseconds, and
// whether anything was recorded.
func (h *Histogram) Quantile(q float64) (float64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.s.IsEmpty() {
		return 0, false
	}
	v, err := h.s.GetValueAtQuantile(q)
	return v, err == nil
}

// maxMillis is the largest duration a report may hold: more is not a
// measurement but a damaged or hostile file.
const maxMillis = 1e9

// maxBins bounds the bins of one decoded sketch (a real one holds a few
// hundred).
const maxBins = 10000

// decodeHistogram reads a Stats' sketch back. It is decoded into a sparse
// store first and checked, so that a hostile report cannot make the
// merge allocate for bins far apart.
func decodeHistogram(st Stats) (*Histogram, error) {
	b, err := base64.StdEncoding.DecodeString(st.Sketch)
	if err != nil {
		return nil, fmt.Errorf("sketch: %v", err)
	}
	s, err := ddsketch.DecodeDDSketchWithExactSummaryStatistics(b, store.SparseStoreConstructor, nil)
	if err != nil {
		return nil, fmt.Errorf("sketch: %v", err)
	}
	if s.GetNegativeValueStore() != nil && !s.GetNegativeValueStore().IsEmpty() {
		return nil, fmt.Errorf("sketch: negative durations")
	}
	bins := 0
	var bad error
	s.ForEach(func(value, count float64) bool {
		bins++
		switch {
		case bins > maxBins:
			bad = fmt.Errorf("sketch: more than %d bins", maxBins)
		case !(value >= 0 && value <= maxMillis):
			bad = fmt.Errorf("sketch: a duration of %g ms", value)
		case !(count > 0 && count <= math.MaxInt64):
			bad = fmt.Errorf("sketch: a count of %g", count)
		}
		return bad != nil
	})
	if bad != nil {
		return nil, bad
	}
	if c := s.GetCount(); !(c >= 0 && c <= math.MaxInt64) || int64(c) != st.Count {
		return nil, fmt.Errorf("sketch holds %g values, the report says %d", c, st.Count)
	}
	if !s.IsEmpty() {
		lo, _ := s.GetMinValue()
		hi, _ := s.GetMaxValue()
		sum := s.GetSum()
		if !(lo >= 0 && lo <= hi && hi <= maxMillis && sum >= 0 && sum <= maxMillis*math.MaxInt64) {
			return nil, fmt.Errorf("sketch: min %g, max %g, sum %g", lo, hi, sum)
		}
	}
	h := NewHistogram()
	if !s.IsEmpty() {
		if err := h.s.MergeWith(s); err != nil {
			return nil, fmt.Errorf("sketch: %v", err)
		}
	}
	return h, nil
}
