package cmd

import (
	"testing"
	"time"

	"github.com/siocli/sio/internal/conform"
	"github.com/siocli/sio/internal/outcome"
	"github.com/siocli/sio/pkg/engineio"
)

func TestConformFlags(t *testing.T) {
	ios, _ := testStreams()
	var got *ConformOptions
	cmd := NewConformCmd(ios, func(o *ConformOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"localhost:3000/engine.io", "--suite", "engine.io", "--timeout", "2s", "--heartbeat-wait", "0", "--junit", "r.xml", "--eio", "3", "-H", "X-A: b", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Suite != "engine.io" || got.Timeout != 2*time.Second || got.HeartbeatWait != 0 || got.JUnit != "r.xml" || got.Output != "json" || got.Parallel != 4 {
		t.Fatalf("options %+v", got)
	}
	cfg, err := got.config()
	if err != nil {
		t.Fatal(err)
	}
	// The URL's path is the Engine.IO path for the engine.io suite; the
	// connection options apply; --heartbeat-wait 0 skips the waits.
	if cfg.Suite != conform.EngineIO || cfg.Engine.Path != "/engine.io" || cfg.Engine.Version != engineio.Version3 ||
		cfg.Engine.Header.Get("X-A") != "b" || cfg.HeartbeatWait >= 0 || cfg.URL != "http://localhost:3000" {
		t.Errorf("config %+v", cfg)
	}
}

func TestConformPaths(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		path, nsp string
	}{
		{[]string{"h:1", "--suite", "engine.io"}, "/engine.io", "/"},
		{[]string{"h:1/eio", "--suite", "engine.io", "--path", "/x"}, "/x", "/eio"},
		{[]string{"h:1/admin"}, "/socket.io", "/admin"},
		{[]string{"h:1", "--suite", "socket.io"}, "/socket.io", "/"},
	} {
		ios, _ := testStreams()
		var got *ConformOptions
		cmd := NewConformCmd(ios, func(o *ConformOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		cfg, err := got.config()
		if err != nil || cfg.Engine.Path != tc.path || cfg.Namespace != tc.nsp {
			t.Errorf("%v: path %q, namespace %q, %v; want %q and %q", tc.args, cfg.Engine.Path, cfg.Namespace, err, tc.path, tc.nsp)
		}
	}
}

func TestConformUsage(t *testing.T) {
	for _, args := range [][]string{
		{"h:1", "--suite", "sockets"},
		{"h:1", "--timeout", "0"},
		{"h:1", "--parallel", "0"},
		{"h:1", "-o", "yaml"},
		{},
	} {
		ios, _ := testStreams()
		cmd := NewConformCmd(ios, func(*ConformOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if k, _ := outcome.KindOf(err); k != outcome.Usage {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
