package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// TestStickyCluster runs sio behind @socket.io/sticky in front of two
// socket.io 4 workers: the balancer learns a session only once its worker
// has answered the handshake, so a request sent at once can still reach
// the other worker, and on a busy machine its primary can swallow the
// first frame of a WebSocket it has just handed over. The doctor must
// name those as what they are, not call the balancer one without
// stickiness, nor a proxy that answers WebSockets itself.
func TestStickyCluster(t *testing.T) {
	t.Parallel()
	// A heartbeat the heartbeat step sees within its 5 s, with a timeout a
	// machine busy with the whole suite still keeps.
	url := testserver.Start(t, testserver.Config{Version: "4", Cluster: 2, Sticky: true, PingInterval: time.Second, PingTimeout: 3 * time.Second}).URL()
	for i := range 5 {
		// The races may or may not show in a run; when they do, they are
		// the only problems, and named as what they are.
		rep := doctor(t, url)
		if !rep.Verdict.Transports["polling"] || !rep.Verdict.Transports["websocket"] {
			t.Errorf("run %d: verdict %d %s %+v", i, rep.Verdict.Code, rep.Verdict.Summary, rep.Verdict.Problems)
		}
		for _, p := range rep.Verdict.Problems {
			if !strings.Contains(p.Problem, "learns which process holds a session only after") && !strings.Contains(p.Problem, "lost the first frame sent on a new WebSocket") {
				_, facts := rep.step(p.Step)
				t.Errorf("run %d: a false verdict behind a sticky balancer: %s %v", i, p.Problem, facts)
			}
		}
	}
	// Each worker serves some of the sessions.
	seen := map[string]bool{}
	for range 6 {
		r := sio(t, "", "emit", url, "whoami", "--ack", "--transport", "websocket")
		if r.code != 0 {
			t.Fatalf("emit: exit %d, %s", r.code, r.stderr)
		}
		seen[argsOf(records(t, r.stdout)[0])] = true
	}
	if len(seen) != 2 {
		t.Errorf("the sessions went to %d workers, want both: %v", len(seen), seen)
	}
}

// TestNonStickyCluster runs sio against two workers that take turns at
// each new connection: polling fails at once, naming the cause, and the
// doctor says the balancer is not sticky.
func TestNonStickyCluster(t *testing.T) {
	t.Parallel()
	url := testserver.Start(t, testserver.Config{Version: "4", Cluster: 2, PingInterval: 500 * time.Millisecond, PingTimeout: 500 * time.Millisecond}).URL()
	rep := doctor(t, url)
	rep.expect(t, 6, "sticky", "not sticky", "WebSocket only")
	for _, p := range rep.Verdict.Problems {
		if strings.Contains(p.Problem, "answers WebSocket requests itself") {
			t.Errorf("a false verdict without stickiness: %s", p.Problem)
		}
	}
	// Polling fails at once with the cause named: before the namespace
	// connects (exit 3), or after, when the connections that carried the
	// connect happened to reach the session's worker and a later one did
	// not (exit 1); which depends on the cluster's round robin.
	start := time.Now()
	r := sio(t, "", "emit", url, "echo", "1", "--ack", "--transport", "polling")
	if r.code != 3 && r.code != 1 || !strings.Contains(r.stderr, "Session ID unknown") || time.Since(start) > 5*time.Second {
		t.Errorf("polling without stickiness: exit %d after %v, %s", r.code, time.Since(start), r.stderr)
	}
	if r := sio(t, "", "emit", url, "echo", "1", "--ack", "--transport", "websocket"); r.code != 0 {
		t.Errorf("WebSocket only: exit %d, %s", r.code, r.stderr)
	}
}
