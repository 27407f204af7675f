package doctor

import (
	"strings"
	"testing"
	"time"
)

func TestExplainDrops(t *testing.T) {
	drops := func(reason string, secs ...float64) []Drop {
		var out []Drop
		for _, s := range secs {
			out = append(out, Drop{Lived: time.Duration(s * float64(time.Second)), Reason: reason})
		}
		return out
	}
	for _, tc := range []struct {
		drops    []Drop
		interval time.Duration
		want     []string
	}{
		{drops("transport close", 60.1, 60.0, 60.3), 90 * time.Second, []string{"each after about 1m0", "shorter than the server's ping interval", "proxy_read_timeout", "timeout tunnel", "ALB"}},
		{drops("transport close", 100, 100.2), 25 * time.Second, []string{"about 1m40", "heartbeats flowed every 25s", "Cloudflare"}},
		{drops("transport error", 3, 47, 12), 25 * time.Second, []string{"no fixed interval", "network"}},
		{drops("ping timeout", 40, 90), 25 * time.Second, []string{"for want of a heartbeat", "proxy_buffering"}},
		{drops("transport close", 30), 25 * time.Second, []string{"once, after 30", "longer --watch"}},
	} {
		p, f := explainDrops(tc.drops, tc.interval, 20*time.Second, "")
		for _, w := range tc.want {
			if !strings.Contains(p+" "+f, w) {
				t.Errorf("%v: no %q in %s / %s", tc.drops, w, p, f)
			}
		}
	}
}
