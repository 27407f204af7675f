package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

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

// TestTLSOptions asks for a server name (SNI) and a lowest TLS version,
// and the TLS front sees both: a front that stops at 1.2 is refused with
// --tls-min 1.3.
func TestTLSOptions(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	target, _ := url.Parse(s.URL())
	var mu sync.Mutex
	var names []string
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(target))
	front.TLS = &tls.Config{MaxVersion: tls.VersionTLS12, GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		names = append(names, h.ServerName)
		mu.Unlock()
		return nil, nil
	}}
	front.StartTLS()
	defer front.Close()
	for _, tr := range []string{"polling", "websocket"} {
		r := sio(t, "", "emit", front.URL, "echo", "x", "--ack", "-k", "--servername", "chat.example.com", "--transport", tr)
		if r.code != 0 {
			t.Errorf("%s --servername: exit %d, %s", tr, r.code, r.stderr)
		}
	}
	mu.Lock()
	if len(names) < 2 || names[0] != "chat.example.com" || names[len(names)-1] != "chat.example.com" {
		t.Errorf("the front saw server names %q", names)
	}
	mu.Unlock()
	r := sio(t, "", "emit", front.URL, "echo", "x", "--ack", "-k", "--tls-min", "1.3")
	if r.code != 3 || !strings.Contains(r.stderr, "protocol version") {
		t.Errorf("--tls-min 1.3 against TLS 1.2: exit %d, %s", r.code, r.stderr)
	}
	if r := sio(t, "", "emit", front.URL, "echo", "--tls-min", "1.1"); r.code != 2 || !strings.Contains(r.stderr, `--tls-min "1.1": want 1.2 or 1.3`) {
		t.Errorf("--tls-min 1.1: exit %d, %s", r.code, r.stderr)
	}
}

// TestTLSClientPFX presents a client certificate from a PKCS#12 file whose
// passphrase comes on standard input, to a front that requires one.
func TestTLSClientPFX(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	target, _ := url.Parse(s.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var seen []string
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) > 0 {
			mu.Lock()
			seen = append(seen, r.TLS.PeerCertificates[0].Subject.CommonName)
			mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	front.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	front.StartTLS()
	defer front.Close()

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sio-client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "client.p12")
	os.WriteFile(file, pfx, 0o600)

	for _, tr := range []string{"polling", "websocket"} {
		r := sio(t, "s3cret\n", "emit", front.URL, "echo", "x", "--ack", "-k", "--pfx", file, "--passphrase-stdin", "--transport", tr, "-o", "json")
		if r.code != 0 || !strings.Contains(r.stdout, `"args":["x"]`) {
			t.Errorf("%s --pfx: exit %d, %s %s", tr, r.code, r.stdout, r.stderr)
		}
	}
	mu.Lock()
	if len(seen) == 0 || seen[0] != "sio-client" {
		t.Errorf("the front saw client certificates %q", seen)
	}
	mu.Unlock()
	if r := sio(t, "wrong\n", "emit", front.URL, "echo", "-k", "--pfx", file, "--passphrase-stdin"); r.code != 2 || !strings.Contains(r.stderr, "--pfx "+file+": ") {
		t.Errorf("a wrong passphrase: exit %d, %s", r.code, r.stderr)
	}
	if r := sio(t, "", "emit", front.URL, "echo", "-k"); r.code != 3 {
		t.Errorf("no client certificate: exit %d, %s", r.code, r.stderr)
	}
}
