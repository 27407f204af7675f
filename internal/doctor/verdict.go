package doctor

import (
	"github.com/siocli/sio/internal/outcome"

	"fmt"
	"strings"
	"time"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// verdict sums the steps up.
func (r *run) verdict() {
	v := &r.report.Verdict
	polling := r.pollingOK && r.stickyOK
	ws := r.wsOK || r.upgradeOK
	v.Transports = map[string]bool{string(wire.Polling): polling, string(wire.WebSocket): ws}
	v.Problems = []Finding{}
	seen := map[string]bool{}
	for _, s := range r.report.Steps {
		// Problems with the same fix have the same cause: the first says it.
		key := s.Fix
		if key == "" {
			key = s.Problem
		}
		if (s.Status == Fail || s.Status == Warn) && s.Problem != "" && !seen[key] {
			seen[key] = true
			v.Problems = append(v.Problems, Finding{Step: s.Name, Problem: s.Problem, Fix: s.Fix})
		}
	}
	var works []string
	if polling {
		works = append(works, "polling")
	}
	if ws {
		works = append(works, "WebSocket")
	}
	switch {
	case !r.reachable || len(works) == 0 || (!r.nsConnected && !r.nsRefused):
		v.Kind = outcome.Unreachable
		v.Summary = "Nothing connects."
	case len(v.Problems) > 0:
		v.Kind = outcome.Expectation
		works[0] = strings.ToUpper(works[0][:1]) + works[0][1:]
		v.Summary = fmt.Sprintf("%s %s, with %s.", strings.Join(works, " and "), map[bool]string{true: "works", false: "work"}[len(works) == 1], plural(len(v.Problems), "problem", "problems"))
		if r.dropped > 0 {
			v.Summary = fmt.Sprintf("%s %s, but the connection drops after %s.", strings.Join(works, " and "), map[bool]string{true: "connects", false: "connect"}[len(works) == 1], r.dropped.Round(time.Millisecond))
		}
		if !ws && !r.pollingOff {
			v.Summary = "Polling works; WebSocket does not."
		}
		if !polling && ws && !r.pollingOff {
			v.Summary = "WebSocket works; polling does not."
		}
	default:
		v.Kind = outcome.OK
		switch {
		case polling && ws && r.upgradeOK:
			v.Summary = "Everything works: polling, the upgrade and WebSocket"
		case polling && ws:
			v.Summary = "Everything works: polling and WebSocket"
		case polling:
			v.Summary = "Everything works: polling, the only transport the server offers"
		default:
			v.Summary = "Everything works: WebSocket, the only transport the server accepts"
		}
		v.Summary += ", " + versionName(wire.Version(r.report.Engine), r.forced != wire.VersionAuto) + "."
	}
}
