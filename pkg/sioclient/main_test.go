package sioclient

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/siocli/sio/internal/testserver"
)

// TestMain starts the server the package's examples talk to, runs the
// tests, and fails on leaked goroutines.
func TestMain(m *testing.M) {
	s, err := testserver.Run(testserver.Config{Version: "4"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("SIO_EXAMPLE_URL", s.URL())
	code := m.Run()
	s.Stop()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
