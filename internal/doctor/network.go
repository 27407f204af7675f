package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// proxy returns the configured choice of proxy, by default the
// environment's, as the connection would make it.
func (r *run) proxy() func(*http.Request) (*url.URL, error) {
	if p := r.cfg.Manager.Engine.Proxy; p != nil {
		return p
	}
	return http.ProxyFromEnvironment
}

// proxyFor returns the proxy a request to u goes through, or nil.
func (r *run) proxyFor(u *url.URL) *url.URL {
	p, err := r.proxy()(&http.Request{URL: u, Header: http.Header{}})
	if err != nil {
		return nil
	}
	return p
}

// target returns the host and port the URL names.
func (r *run) target() (host, port string) {
	host, port = r.base.Hostname(), r.base.Port()
	if port == "" {
		port = "80"
		if r.base.Scheme == "https" {
			port = "443"
		}
	}
	return host, port
}

// resolveAndDial resolves the server's (or the proxy's) name and opens a
// TCP connection to one of its addresses.
func (r *run) resolveAndDial(s *Step) {
	host, port := r.target()
	if p := r.proxyFor(r.base); p != nil {
		shown := *p
		shown.User = nil
		fact(s, "proxy", shown.String())
		host, port = p.Hostname(), p.Port()
		if port == "" {
			port = map[string]string{"https": "443", "socks5": "1080"}[p.Scheme]
			if port == "" {
				port = "80"
			}
		}
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	addrs := []string{host}
	if net.ParseIP(host) == nil {
		t0 := time.Now()
		var err error
		addrs, err = net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			fail(s, fmt.Sprintf("%s does not resolve: %v", host, unwrapDNS(err)),
				"Check the host name in the URL, or this machine's DNS settings.")
			return
		}
		fact(s, "resolved", fmt.Sprintf("%s → %s in %s", host, strings.Join(addrs, ", "), ms(time.Since(t0))))
	}
	var failed []string
	var last error
	for _, a := range addrs {
		addr := net.JoinHostPort(a, port)
		t0 := time.Now()
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			failed = append(failed, addr+": "+shortNetError(err))
			last = err
			continue
		}
		c.Close()
		fact(s, "connected", fmt.Sprintf("%s in %s", addr, ms(time.Since(t0))))
		r.reachable = true
		break
	}
	if len(failed) > 0 {
		fact(s, "failed", strings.Join(failed, "; "))
	}
	if r.reachable {
		return
	}
	switch {
	case errors.Is(last, syscall.ECONNREFUSED):
		fail(s, fmt.Sprintf("Nothing listens on port %s of %s (connection refused).", port, host),
			"Start the server, or check the host and port in the URL.")
	case timedOut(last):
		fail(s, fmt.Sprintf("No answer from %s port %s within %s: a firewall drops the packets, or the host is down.", host, port, r.cfg.Timeout),
			"Check the address, and the firewall rules between here and the server.")
	default:
		fail(s, fmt.Sprintf("Cannot connect to %s port %s: %s.", host, port, shortNetError(last)),
			"Check the host and port in the URL, and the network between here and the server.")
	}
}

func unwrapDNS(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		if de.IsNotFound {
			return "no such host"
		}
		return de.Err
	}
	return err.Error()
}

func shortNetError(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		var se *net.OpError
		if !errors.As(oe.Err, &se) {
			return oe.Err.Error()
		}
	}
	return err.Error()
}

// timedOut says whether err is a wait that ran out: a context's
// deadline, or a network timeout.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// checkTLS makes a TLS handshake with the server and describes its
// certificate; when verification fails it names why and what would work
// around it, and the later steps go on without verification.
func (r *run) checkTLS(s *Step) {
	switch {
	case r.base.Scheme != "https":
		skip(s, "plain http")
		return
	case !r.reachable:
		skip(s, "no TCP connection")
		return
	case r.proxyFor(r.base) != nil:
		skip(s, "through a proxy: the handshake checks the certificate")
		return
	}
	host, port := r.target()
	cfg := &tls.Config{}
	if r.tls != nil {
		cfg = r.tls.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	cfg.NextProtos = []string{"h2", "http/1.1"} // as a browser offers: to learn whether the server speaks HTTP/2
	dial := func(cfg *tls.Config) (*tls.Conn, error) {
		return tls.DialWithDialer(&net.Dialer{Timeout: r.cfg.Timeout}, "tcp", net.JoinHostPort(host, port), cfg)
	}
	conn, err := dial(cfg)
	if err == nil {
		describeTLS(s, conn.ConnectionState())
		conn.Close()
		if cfg.InsecureSkipVerify {
			fact(s, "verified", "no (-k)")
		} else {
			fact(s, "verified", "yes")
			leaf := conn.ConnectionState().PeerCertificates[0]
			if left := time.Until(leaf.NotAfter); left < 14*24*time.Hour {
				warn(s, fmt.Sprintf("The certificate expires in %s, on %s.", left.Round(time.Hour), leaf.NotAfter.Format(time.DateOnly)),
					"Renew the server's certificate.")
			}
		}
		return
	}
	problem, fix, certificate := explainTLS(err, host, r.cfg.Timeout)
	if !certificate {
		fail(s, problem, fix)
		r.reachable = false
		return
	}
	insecure := cfg.Clone()
	insecure.InsecureSkipVerify = true
	if conn, err2 := dial(insecure); err2 == nil {
		describeTLS(s, conn.ConnectionState())
		conn.Close()
	}
	fact(s, "verified", "no: "+problem)
	fact(s, "next steps", "run without verification, to find what else is wrong")
	fail(s, problem, fix)
	r.tls = insecure
}

// describeTLS adds the protocol and the certificate's facts.
func describeTLS(s *Step, st tls.ConnectionState) {
	fact(s, "protocol", tls.VersionName(st.Version)+", "+tls.CipherSuiteName(st.CipherSuite))
	if st.NegotiatedProtocol == "h2" {
		fact(s, "HTTP", "HTTP/2 when offered (ALPN h2): a WebSocket still needs an HTTP/1.1 connection (or RFC 8441, which sio does not use), so sio's WebSocket asks for HTTP/1.1; step 5 shows whether the server gave it")
	} else if st.NegotiatedProtocol != "" {
		fact(s, "HTTP", "ALPN "+st.NegotiatedProtocol)
	}
	if len(st.PeerCertificates) == 0 {
		return
	}
	leaf := st.PeerCertificates[0]
	fact(s, "subject", leaf.Subject.String())
	names := append([]string(nil), leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) > 0 {
		fact(s, "names", strings.Join(names, ", "))
	}
	fact(s, "issuer", leaf.Issuer.String())
	fact(s, "valid", leaf.NotBefore.UTC().Format(time.DateOnly)+" to "+leaf.NotAfter.UTC().Format(time.DateOnly))
}

// explainTLS says why a TLS handshake failed and what to do; certificate
// reports a verification failure, after which the rest can go on.
func explainTLS(err error, host string, timeout time.Duration) (problem, fix string, certificate bool) {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var he x509.HostnameError
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &ua):
		return "The certificate is signed by an unknown authority (self-signed, or a private CA).",
			"Pass the CA's certificate with --cacert FILE, or skip verification with -k (insecure).", true
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return "The certificate has expired or is not yet valid: " + ci.Detail + ".",
			"Renew the server's certificate (or check this machine's clock); -k skips verification (insecure).", true
	case errors.As(err, &ci):
		return "The certificate is invalid: " + ci.Error() + ".",
			"Fix the server's certificate; -k skips verification (insecure).", true
	case errors.As(err, &he):
		held := append([]string(nil), he.Certificate.DNSNames...)
		for _, ip := range he.Certificate.IPAddresses {
			held = append(held, ip.String())
		}
		return fmt.Sprintf("The certificate is not valid for %s: it names %s.", host, orNone(strings.Join(held, ", "))),
			"Connect with a name the certificate holds, or fix the certificate; -k skips verification (insecure).", true
	case errors.As(err, &rh):
		return "The server does not speak TLS on this port.", "Use http:// (or ws://) in the URL, or the server's TLS port.", false
	case timedOut(err):
		return fmt.Sprintf("No answer to the TLS handshake within %v: the port took the connection and said nothing, as a plain HTTP server does, or one that hangs.", timeout),
			"Use http:// (or ws://) if the server does not speak TLS on this port; otherwise check that it answers.", false
	}
	return "The TLS handshake failed: " + err.Error() + ".", "Check the server's TLS settings (protocol versions, ciphers).", false
}

func orNone(s string) string {
	if s == "" {
		return "no names"
	}
	return s
}
