package conform

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
	"github.com/siocli/sio/pkg/engineio"
)

// TestRunEngineIOSuite runs the engine.io suite against its test server,
// in both Engine.IO versions: every check passes, the records come in
// table order, and no goroutine is left (TestMain).
func TestRunEngineIOSuite(t *testing.T) {
	for _, eio3 := range []bool{false, true} {
		t.Run(map[bool]string{false: "eio4", true: "eio3"}[eio3], func(t *testing.T) {
			t.Parallel()
			s := testserver.Start(t, testserver.Config{Conformance: "engine.io", AllowEIO3: eio3})
			cfg := Config{URL: s.URL(), Suite: EngineIO, Engine: engineio.Options{Path: "/engine.io"}}
			if eio3 {
				cfg.Engine.Version = engineio.Version3
			}
			var names []string
			cfg.OnCheck = func(r Record) { names = append(names, r.Name) }
			rep, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Records {
				if r.Result != Pass {
					t.Errorf("%+v", r)
				}
			}
			want := 25
			if eio3 {
				want = 23
			}
			if rep.Summary.Passed != want || len(names) != want {
				t.Errorf("%d passed, %d reported, want %d", rep.Summary.Passed, len(names), want)
			}
			for i, r := range rep.Records {
				if names[i] != r.Name {
					t.Fatalf("reported out of order: %v", names)
				}
			}
		})
	}
}

// TestRunUnreachable: nothing listening is an UnreachableError, soon.
func TestRunUnreachable(t *testing.T) {
	start := time.Now()
	_, err := Run(context.Background(), Config{URL: "http://127.0.0.1:1", Suite: Protocol, Timeout: time.Second})
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("%v, want an UnreachableError", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}
