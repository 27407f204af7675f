package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
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

// report is what sio doctor -o json prints.
type report struct {
	Engine int `json:"eio"`
	Steps  []struct {
		Name    string            `json:"name"`
		Status  string            `json:"status"`
		Facts   map[string]string `json:"facts"`
		Problem string            `json:"problem"`
	} `json:"steps"`
	Verdict struct {
		Code       int             `json:"code"`
		Transports map[string]bool `json:"transports"`
		Summary    string          `json:"summary"`
		Problems   []struct {
			Step, Problem, Fix string
		} `json:"problems"`
	} `json:"verdict"`
}

// doctor runs sio doctor -o json and checks that its exit code is the
// verdict's.
func doctor(t *testing.T, args ...string) report {
	t.Helper()
	r := sio(t, "", append([]string{"doctor", "-o", "json", "--heartbeat-wait", "5s", "--connect-timeout", "5s"}, args...)...)
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("sio doctor %v: exit %d, not one JSON report (%v):\n%s%s", args, r.code, err, r.stdout, r.stderr)
	}
	if r.code != rep.Verdict.Code {
		t.Errorf("exit %d, verdict %d", r.code, rep.Verdict.Code)
	}
	return rep
}

func (rep report) step(name string) (status string, facts map[string]string) {
	for _, s := range rep.Steps {
		if s.Name == name {
			return s.Status, s.Facts
		}
	}
	return "", nil
}

// expect checks the verdict's code and that some problem of the step
// (any step for "") says each of the texts in its problem or fix.
func (rep report) expect(t *testing.T, code int, step string, texts ...string) {
	t.Helper()
	if rep.Verdict.Code != code {
		t.Errorf("verdict %d (%s), want %d; problems: %+v", rep.Verdict.Code, rep.Verdict.Summary, code, rep.Verdict.Problems)
	}
	for _, text := range texts {
		found := false
		for _, p := range rep.Verdict.Problems {
			if (step == "" || p.Step == step) && strings.Contains(p.Problem+" "+p.Fix, text) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s problem says %q; problems: %+v", step, text, rep.Verdict.Problems)
		}
	}
}

var fastPing = testserver.Config{PingInterval: 500 * time.Millisecond}

func TestDoctorHealthy(t *testing.T) {
	for _, v := range []string{"4", "2"} {
		t.Run("socket.io "+v, func(t *testing.T) {
			cfg := fastPing
			cfg.Version = v
			s := testserver.Start(t, cfg)
			rep := doctor(t, s.URL())
			rep.expect(t, 0, "")
			if want := map[string]int{"4": 4, "2": 3}[v]; rep.Engine != want {
				t.Errorf("Engine.IO %d, want %d", rep.Engine, want)
			}
			for _, name := range []string{"tcp", "handshake", "sticky", "websocket", "upgrade", "namespace", "heartbeat"} {
				if st, facts := rep.step(name); st != "ok" {
					t.Errorf("step %s: %s %v", name, st, facts)
				}
			}
			if !rep.Verdict.Transports["polling"] || !rep.Verdict.Transports["websocket"] {
				t.Errorf("transports %v", rep.Verdict.Transports)
			}
		})
	}
}

func TestDoctorServerProblems(t *testing.T) {
	cfg := fastPing
	cfg.Version = "4"
	s := testserver.Start(t, cfg)
	t.Run("wrong path", func(t *testing.T) {
		doctor(t, s.URL(), "--path", "/wrong").expect(t, 3, "handshake", "Nothing answers at /wrong/ (HTTP 404)", "--path")
	})
	t.Run("version mismatch", func(t *testing.T) {
		doctor(t, s.URL(), "--eio", "3").expect(t, 3, "handshake", "Version mismatch", "allowEIO3")
	})
	t.Run("refused namespace", func(t *testing.T) {
		doctor(t, s.URL()+"/admin", "-a", `{"token":"bad"}`).expect(t, 6, "namespace", `refused /admin: "Not authorized"`, "--auth")
	})
	t.Run("admitted namespace", func(t *testing.T) {
		doctor(t, s.URL()+"/admin", "-a", `{"token":"ok"}`).expect(t, 0, "")
	})
	t.Run("nothing listens", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		doctor(t, "http://"+addr).expect(t, 3, "tcp", "connection refused")
	})
}

func TestDoctorNginx(t *testing.T) {
	cfg := fastPing
	cfg.Version = "4"
	a := testserver.Start(t, cfg)
	t.Run("configured", func(t *testing.T) {
		url := testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{a.Port}})
		rep := doctor(t, url)
		rep.expect(t, 0, "")
		if _, facts := rep.step("handshake"); !strings.HasPrefix(facts["server"], "nginx") {
			t.Errorf("handshake facts %v", facts)
		}
	})
	t.Run("no upgrade headers", func(t *testing.T) {
		url := testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{a.Port}, NoUpgrade: true})
		rep := doctor(t, url)
		rep.expect(t, 6, "websocket", "a proxy between here and the server does not forward the Upgrade", "proxy_set_header Upgrade")
		if st, facts := rep.step("upgrade"); st != "fail" {
			t.Errorf("upgrade step %s %v", st, facts)
		}
		if rep.Verdict.Summary != "Polling works; WebSocket does not." {
			t.Errorf("summary %q", rep.Verdict.Summary)
		}
	})
	t.Run("read timeout below pingInterval", func(t *testing.T) {
		slow := testserver.Start(t, testserver.Config{Version: "4", PingInterval: 3 * time.Second})
		url := testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{slow.Port}, ReadTimeout: "1s"})
		rep := doctor(t, url)
		rep.expect(t, 6, "heartbeat", "The connection dropped after", "proxy_read_timeout")
	})
	t.Run("watch behind a short read timeout", func(t *testing.T) {
		slow := testserver.Start(t, testserver.Config{Version: "4", PingInterval: 3 * time.Second})
		url := testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{slow.Port}, ReadTimeout: "1s"})
		r := sio(t, "", "doctor", url, "--watch", "7s", "--heartbeat-wait", "0", "-o", "json")
		var rep struct {
			report
			Drops []struct {
				LivedMS float64 `json:"lived_ms"`
				Reason  string  `json:"reason"`
			} `json:"drops"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("exit %d, %v:\n%s%s", r.code, err, r.stdout, r.stderr)
		}
		if len(rep.Drops) < 2 {
			t.Fatalf("drops %+v; report %s", rep.Drops, r.stdout)
		}
		for _, d := range rep.Drops {
			if d.LivedMS < 800 || d.LivedMS > 2500 {
				t.Errorf("a drop after %.0fms, want about the 1s timeout", d.LivedMS)
			}
		}
		rep.expect(t, 6, "watch", "a fixed interval", "shorter than the server's ping interval", "proxy_read_timeout")
	})
	t.Run("body limit below maxPayload", func(t *testing.T) {
		big := testserver.Start(t, testserver.Config{Version: "4", MaxPayload: 100_000, PingInterval: 500 * time.Millisecond})
		url := testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{big.Port}, BodyLimit: "10k"})
		rep := doctor(t, url, "--max-size", "--heartbeat-wait", "0")
		rep.expect(t, 6, "size", "Over polling", "takes less than the server does", "client_max_body_size")
		_, facts := rep.step("size")
		if !strings.Contains(facts["websocket limit"], "maxHttpBufferSize") || !strings.Contains(facts["polling"], "413") {
			t.Errorf("size facts %v", facts)
		}
	})
	t.Run("round robin without stickiness", func(t *testing.T) {
		b := testserver.Start(t, cfg)
		url := testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{a.Port, b.Port}})
		rep := doctor(t, url)
		rep.expect(t, 6, "sticky", "Session ID unknown", "the load balancer is not sticky", "ip_hash")
		if len(rep.Verdict.Problems) != 1 {
			t.Errorf("problems besides stickiness: %+v", rep.Verdict.Problems)
		}
		if !rep.Verdict.Transports["websocket"] || rep.Verdict.Transports["polling"] {
			t.Errorf("transports %v", rep.Verdict.Transports)
		}
	})
}

// cert writes a certificate and key made for the test: self-signed for
// names, valid until notAfter.
func cert(t *testing.T, dir, name string, notAfter time.Time, dnsNames []string, ips ...net.IP) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "sio test " + name},
		NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter,
		DNSNames: dnsNames, IPAddresses: ips, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o644)
	return certFile, keyFile
}

func TestDoctorTLS(t *testing.T) {
	cfg := fastPing
	cfg.Version = "4"
	s := testserver.Start(t, cfg)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	year := time.Now().Add(365 * 24 * time.Hour)
	loopback := net.ParseIP("127.0.0.1")

	selfCert, selfKey := cert(t, dir, "self", year, []string{"localhost"}, loopback)
	url := testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{s.Port}, Cert: selfCert, Key: selfKey})
	t.Run("self-signed", func(t *testing.T) {
		rep := doctor(t, url)
		rep.expect(t, 6, "tls", "unknown authority", "--cacert FILE", "-k")
		if _, facts := rep.step("tls"); facts["subject"] != "CN=sio test self" || !strings.HasPrefix(facts["protocol"], "TLS 1.") {
			t.Errorf("TLS facts %v", facts)
		}
		if len(rep.Verdict.Problems) != 1 {
			t.Errorf("after TLS, more problems: %+v", rep.Verdict.Problems)
		}
	})
	t.Run("--cacert", func(t *testing.T) { doctor(t, url, "--cacert", selfCert).expect(t, 0, "") })
	t.Run("-k", func(t *testing.T) { doctor(t, url, "-k").expect(t, 0, "") })

	oldCert, oldKey := cert(t, dir, "expired", time.Now().Add(-24*time.Hour), []string{"localhost"}, loopback)
	url = testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{s.Port}, Cert: oldCert, Key: oldKey})
	t.Run("expired", func(t *testing.T) {
		doctor(t, url, "--cacert", oldCert).expect(t, 6, "tls", "has expired", "Renew")
	})

	otherCert, otherKey := cert(t, dir, "other", year, []string{"example.org"})
	url = testserver.StartNginx(t, testserver.Nginx{Upstreams: []int{s.Port}, Cert: otherCert, Key: otherKey})
	t.Run("name mismatch", func(t *testing.T) {
		doctor(t, url, "--cacert", otherCert).expect(t, 6, "tls", "not valid for 127.0.0.1: it names example.org")
	})
}

// TestDoctorTrace: --trace shows the doctor's own requests too, and
// neither the trace nor the report shows a credential in the query.
func TestDoctorTrace(t *testing.T) {
	_, url := serve(t)
	r := sio(t, "", "doctor", url, "--trace", "--heartbeat-wait", "0", "-q", "token=s3cret", "-o", "text")
	if r.code != 0 || !strings.Contains(r.stderr, "> GET http") || !strings.Contains(r.stderr, "token=[redacted]") {
		t.Errorf("exit %d, trace:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Errorf("the doctor shows the token:\n%s\n%s", r.stdout, r.stderr)
	}
}

// TestDoctorWebTransport says that a server offers WebTransport, which
// sio does not use, and checks the rest.
func TestDoctorWebTransport(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4", Transports: []string{"polling", "websocket", "webtransport"}})
	r := sio(t, "", "doctor", s.URL(), "--heartbeat-wait", "0", "-o", "text")
	if r.code != 0 || !strings.Contains(r.stdout, "the server offers WebTransport (HTTP/3) as well; sio does not use it") || !strings.Contains(r.stdout, "Everything works") {
		t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestDoctorHTTP2 says when the server speaks HTTP/2, and that the
// WebSocket still got its HTTP/1.1 connection.
func TestDoctorHTTP2(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	target, _ := url.Parse(s.URL())
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(target))
	front.EnableHTTP2 = true
	front.StartTLS()
	defer front.Close()
	r := sio(t, "", "doctor", front.URL, "-k", "--heartbeat-wait", "0", "-o", "text")
	if r.code != 0 || !strings.Contains(r.stdout, "HTTP/2 when offered (ALPN h2): a WebSocket still needs an HTTP/1.1 connection") || !strings.Contains(r.stdout, "Everything works") {
		t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestDoctorOrigin checks what a browser page would get from socket.io 4
// servers configured right and wrong for it.
// TestDoctorMaxSize finds a server's own maxHttpBufferSize on both
// transports, as its handshake announces it.
func TestDoctorMaxSize(t *testing.T) {
	t.Parallel()
	url := testserver.Start(t, testserver.Config{Version: "4", MaxPayload: 20_000, PingInterval: 500 * time.Millisecond}).URL()
	rep := doctor(t, url, "--max-size", "--heartbeat-wait", "0")
	rep.expect(t, 0, "")
	_, facts := rep.step("size")
	for _, tr := range []string{"polling", "websocket"} {
		if !strings.Contains(facts[tr], "ended the session") || !strings.Contains(facts[tr+" limit"], "maxHttpBufferSize") {
			t.Errorf("%s: %v", tr, facts)
		}
	}
	if !strings.Contains(facts["announced"], "20000") {
		t.Errorf("facts %v", facts)
	}
}

func TestDoctorOrigin(t *testing.T) {
	t.Parallel()
	const page = "https://app.example"
	for _, tc := range []struct {
		name  string
		cfg   testserver.Config
		flags []string
		texts []string // the browser step's problem says each; none: it passes
	}{
		{"right", testserver.Config{CORS: page, CORSCredentials: true}, nil, nil},
		{"no cors", testserver.Config{CORS: "none"}, nil, []string{"sends no CORS headers", "cors: { origin"}},
		{"not listed", testserver.Config{CORS: "https://other.example"}, nil, []string{"not in its cors.origin list", page}},
		{"credentials with *", testserver.Config{CORSCredentials: true}, nil, []string{"browsers refuse that pair"}},
		{"header not allowed", testserver.Config{CORS: page, CORSHeaders: []string{"content-type"}}, []string{"-H", "X-Api-Key: k"}, []string{"does not allow the header x-api-key", "allowedHeaders"}},
		{"allowRequest", testserver.Config{AllowOrigin: "https://other.example"}, nil, []string{"HTTP 403", "WebSockets, but not from " + page}},
		{"cookie", testserver.Config{CORS: page, CORSCredentials: true, Cookie: "io"}, nil, []string{"cookie io", "SameSite=None"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.Version = "4"
			url := testserver.Start(t, cfg).URL()
			rep := doctor(t, append([]string{url, "--origin", page + "/", "--heartbeat-wait", "0"}, tc.flags...)...)
			status, facts := rep.step("browser")
			if len(tc.texts) == 0 {
				if status != "ok" || rep.Verdict.Code != 0 {
					t.Errorf("browser step %s, verdict %d %+v; facts %v", status, rep.Verdict.Code, rep.Verdict.Problems, facts)
				}
				return
			}
			rep.expect(t, 6, "browser", tc.texts...)
			if !rep.Verdict.Transports["polling"] || !rep.Verdict.Transports["websocket"] {
				t.Errorf("a CORS problem changed sio's own transports: %v", rep.Verdict.Transports)
			}
		})
	}
	// Without --origin the step says what it would check.
	url := testserver.Start(t, testserver.Config{Version: "4"}).URL()
	rep := doctor(t, url, "--heartbeat-wait", "0")
	if status, facts := rep.step("browser"); status != "skip" || !strings.Contains(facts["skipped"], "--origin") {
		t.Errorf("without --origin: %s %v", status, facts)
	}
	if r := sio(t, "", "doctor", url, "--origin", "app.example/path"); r.code != 2 {
		t.Errorf("a bad --origin: exit %d, %s", r.code, r.stderr)
	}
}

// TestDoctorProbeLost runs the doctor through a proxy that loses the
// probe of a polling session's first WebSocket, as @socket.io/sticky can
// on a busy machine: the upgrade step tries again on a new session and,
// when that one's probe is answered, says what was lost; when every probe
// is lost it keeps blaming what sits in front of the server.
func TestDoctorProbeLost(t *testing.T) {
	t.Parallel()
	cfg := fastPing
	cfg.Version = "4"
	s := testserver.Start(t, cfg)
	p := testserver.StartFaultProxy(t, strings.TrimPrefix(s.URL(), "http://"))
	p.DropProbes(1)
	rep := doctor(t, p.URL(), "--connect-timeout", "2s")
	rep.expect(t, 6, "upgrade", "lost the first frame sent on a new WebSocket")
	if status, facts := rep.step("upgrade"); status != "warn" || !strings.Contains(facts["attempt 1"], "no upgrade within 2s") {
		t.Errorf("the upgrade step: %s %v", status, facts)
	}
	p.DropProbes(3)
	rep = doctor(t, p.URL(), "--connect-timeout", "2s")
	rep.expect(t, 6, "upgrade", "a proxy buffers or drops WebSocket frames")
}
