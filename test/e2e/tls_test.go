package e2e

import (
	"encoding/pem"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// TestTLS runs emit over https and wss through a TLS front whose
// certificate no system trusts: refused without help, accepted with
// --cacert or -k.
func TestTLS(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	target, _ := url.Parse(s.URL())
	front := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	defer front.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw}), 0o600)

	r := sio(t, "", "emit", front.URL, "echo", "x", "--ack")
	if r.code != 3 || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("untrusted: exit %d, %s", r.code, r.stderr)
	}
	// A certificate that fails verification fails the same way on every
	// attempt: listen and the shell, which reconnect, end at once.
	for _, cmd := range [][]string{{"listen", front.URL}, {"repl", front.URL}} {
		start := time.Now()
		if r := sio(t, "exit\n", cmd...); r.code != 3 || !strings.Contains(r.stderr, "certificate") || time.Since(start) > 10*time.Second { // not the 20s connect timeout
			t.Errorf("%s untrusted: exit %d after %v, %s", cmd[0], r.code, time.Since(start), r.stderr)
		}
	}
	for _, flags := range [][]string{{"--cacert", ca}, {"-k"}, {"--cacert", ca, "--transport", "websocket"}} {
		args := append([]string{"emit", front.URL, "echo", "x", "--ack"}, flags...)
		if r := sio(t, "", args...); r.code != 0 || !strings.Contains(r.stdout, `"args":["x"]`) {
			t.Errorf("%v: exit %d, %s %s", flags, r.code, r.stdout, r.stderr)
		}
	}
}
