package sioclient

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	// With r fixed, the reference formula gives these values.
	tests := []struct {
		r    float64
		want []time.Duration
	}{
		{0, []time.Duration{1000, 2000, 4000, 5000, 5000}},     // floor(0)=0 even: base - 0
		{0.05, []time.Duration{975, 1950, 3900, 5000, 5000}},   // even: base - 2.5%
		{0.15, []time.Duration{1075, 2150, 4300, 5000, 5000}},  // floor(1.5)=1 odd: base + 7.5%
		{0.999, []time.Duration{1499, 2999, 5000, 5000, 5000}}, // odd: base + 49.95%
	}
	for _, tt := range tests {
		b := backoff{min: time.Second, max: 5 * time.Second, jitter: 0.5, rand: func() float64 { return tt.r }}
		for i, want := range tt.want {
			if got := b.next(); got != want*time.Millisecond {
				t.Errorf("r=%v attempt %d: %v, want %v", tt.r, i+1, got, want*time.Millisecond)
			}
		}
	}
	b := backoff{min: time.Second, max: time.Hour, rand: func() float64 { return 0.5 }}
	for i := 0; i < 100; i++ {
		if d := b.next(); d <= 0 || d > time.Hour {
			t.Fatalf("attempt %d: %v", i+1, d)
		}
	}
	b.reset()
	if d := b.next(); d != time.Second {
		t.Errorf("after reset: %v", d)
	}
}
