package doctor

import (
	"github.com/siocli/sio/internal/outcome"

	"context"
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/siocli/sio/internal/eioserver"
	"github.com/siocli/sio/internal/sioserver"
	"github.com/siocli/sio/internal/testserver"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
	"github.com/siocli/sio/pkg/sioclient"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve runs sio's own server, which the scenarios against real servers
// (test/e2e) leave aside: here it shows the diagnosis in-process.
func serve(t *testing.T, o sioserver.Options) string {
	t.Helper()
	o.Engine.PingInterval = 200 * time.Millisecond
	return testserver.InProcess(t, o)
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server sioserver.Options
		ns     string
		kind   outcome.Kind
		failed string
	}{
		{"healthy", sioserver.Options{}, "/", outcome.OK, ""},
		{"polling only", sioserver.Options{Engine: eioserver.Options{Transports: []wire.Transport{wire.Polling}}}, "/", outcome.OK, ""},
		{"websocket only", sioserver.Options{Engine: eioserver.Options{Transports: []wire.Transport{wire.WebSocket}}}, "/", outcome.OK, ""},
		{"refused", sioserver.Options{RequireAuth: map[string]json.RawMessage{"token": json.RawMessage(`"x"`)}}, "/admin", outcome.Expectation, "namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := serve(t, tc.server)
			var seen []string
			rep := Run(context.Background(), Config{
				URL: url, Namespace: tc.ns, Timeout: 5 * time.Second, HeartbeatWait: 2 * time.Second,
				Manager: sioclient.Options{Engine: engineio.Options{Path: "/socket.io"}},
				OnStep: func(s *Step) {
					if s.Status != "" {
						seen = append(seen, s.Name)
					}
				},
			})
			if rep.Verdict.Kind != tc.kind {
				t.Errorf("verdict %v %q, want %v; problems %+v", rep.Verdict.Kind, rep.Verdict.Summary, tc.kind, rep.Verdict.Problems)
			}
			if len(seen) != 9 {
				t.Errorf("steps reported: %v", seen)
			}
			for _, s := range rep.Steps {
				if s.Status == Fail && s.Name != tc.failed {
					t.Errorf("step %s failed: %s %v", s.Name, s.Problem, s.Facts)
				}
			}
		})
	}
}

func TestFactsJSON(t *testing.T) {
	b, _ := json.Marshal(Facts{{Key: "z", Value: "1"}, {Key: "a", Value: `"q"`}})
	if string(b) != `{"z":"1","a":"\"q\""}` {
		t.Errorf("%s", b)
	}
}
