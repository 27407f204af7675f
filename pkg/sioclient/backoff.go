package sioclient

import (
	"math"
	"time"
)

// backoff computes reconnection delays as the reference client does:
// attempt n waits reconnectionDelay·2^(n-1), moved up or down by a random
// share of itself, capped at reconnectionDelayMax.
type backoff struct {
	min, max time.Duration
	jitter   float64
	attempts int
	rand     func() float64 // uniform in [0,1)
}

// next returns the delay before the next attempt and counts it. Like the
// reference it computes in whole milliseconds.
func (b *backoff) next() time.Duration {
	exp := b.attempts
	b.attempts++
	ms := float64(b.min.Milliseconds()) * math.Pow(2, float64(min(exp, 62)))
	if b.jitter > 0 && b.jitter <= 1 {
		r := b.rand()
		dev := math.Floor(r * b.jitter * ms)
		if int(math.Floor(r*10))%2 == 0 {
			ms -= dev
		} else {
			ms += dev
		}
	}
	ms = math.Floor(min(ms, float64(b.max.Milliseconds())))
	return time.Duration(ms) * time.Millisecond
}

func (b *backoff) reset() { b.attempts = 0 }
