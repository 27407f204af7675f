package testserver

import (
	"net/http/httptest"
	"testing"

	"github.com/siocli/sio/internal/sioserver"
)

// InProcess starts sio's own server (internal/sioserver) in the test's
// process on a free loopback port, for fast tests of what dials a server,
// and returns its URL. It stops when the test ends.
func InProcess(t testing.TB, o sioserver.Options) string {
	t.Helper()
	srv := sioserver.New(o)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return hs.URL
}
