package conform

import (
	"slices"
	"strings"
	"testing"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// TestTable checks the table: every check whole, names unique within a
// suite, and as many checks of each official suite as it has cases.
func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks() {
		key := string(c.Suite) + " " + c.Name
		switch {
		case c.Suite != Protocol && c.Suite != EngineIO && c.Suite != SocketIO:
			t.Errorf("%s: suite %q", c.Name, c.Suite)
		case c.Name == "" || strings.ContainsAny(c.Name, " \t\n"):
			t.Errorf("%q: a name must be one word of a path", c.Name)
		case len(c.EIO) == 0 || c.Run == nil:
			t.Errorf("%s: no Engine.IO version or no func", key)
		case seen[key]:
			t.Errorf("%s: twice", key)
		}
		seen[key] = true
		for _, v := range c.EIO {
			if v != wire.Version3 && v != wire.Version4 {
				t.Errorf("%s: Engine.IO version %v", key, v)
			}
		}
		// A Socket.IO revision goes with one Engine.IO version: 4 with
		// 3, 5 with 4.
		for _, s := range c.SIO {
			if want := map[codec.Version]wire.Version{codec.V4: wire.Version3, codec.V5: wire.Version4}[s]; !slices.Contains(c.EIO, want) {
				t.Errorf("%s: Socket.IO %v without Engine.IO %v", key, s, want)
			}
		}
	}
	// The official suites' cases, counted in their test-suite.js files
	// (the Engine.IO 3 suite's skipped case left out).
	for _, tc := range []struct {
		suite Suite
		v     wire.Version
		sio   codec.Version
		want  int
	}{
		{EngineIO, wire.Version4, codec.V5, 25},
		{EngineIO, wire.Version3, codec.V4, 23},
		{SocketIO, wire.Version4, codec.V5, 32},
		{SocketIO, wire.Version3, codec.V4, 0},
	} {
		n := 0
		for _, c := range Checks() {
			if c.Suite == tc.suite && c.applies(tc.v, tc.sio) {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%s suite, %v: %d checks, the official suite has %d cases", tc.suite, tc.v, n, tc.want)
		}
	}
}

func TestChecksIsACopy(t *testing.T) {
	c := Checks()
	c[0].Name = "changed"
	if Checks()[0].Name == "changed" {
		t.Fatal("Checks returned the table itself")
	}
}
