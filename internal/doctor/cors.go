package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// simpleHeaders are those a browser sends without a preflight (with the
// Content-Type socket.io-client's POSTs use).
var simpleHeaders = []string{"accept", "accept-language", "content-language", "content-type"}

// browser checks what a page at the --origin would get: the polling
// handshake with its Origin, a preflight for the extra headers given (as
// socket.io-client's extraHeaders), the WebSocket with that Origin, and
// whether a sticky-session cookie the handshake set would come back from
// that page.
func (r *run) browser(s *Step) {
	origin := r.cfg.Origin
	switch {
	case origin == "":
		skip(s, "not checked: give --origin https://your.page to check what a browser page there gets (CORS, origin checks, cookies)")
		return
	case !r.reachable:
		skip(s, "no connection")
		return
	}
	fact(s, "origin", origin)
	var problems, fixes []string
	add := func(p, f string) { problems, fixes = append(problems, p), append(fixes, f) }
	hdr := http.Header{"Origin": {origin}}
	c := r.client(true)
	v := r.version
	if v == wire.VersionAuto {
		v = wire.Version4
	}

	// The handshake, as XMLHttpRequest sends it.
	res, err := r.doWith(c, http.MethodGet, r.pollURL(v, ""), nil, hdr)
	polling := r.pollingOK
	if err != nil {
		fact(s, "polling", "failed: "+err.Error())
	} else {
		acao, acac := res.header.Get("Access-Control-Allow-Origin"), res.header.Get("Access-Control-Allow-Credentials")
		fact(s, "polling", fmt.Sprintf("%d %s", res.status, http.StatusText(res.status)))
		fact(s, "Access-Control-Allow-Origin", absent(acao))
		fact(s, "Access-Control-Allow-Credentials", absent(acac))
		switch {
		case res.status == http.StatusForbidden:
			add(fmt.Sprintf("The server refuses the polling handshake from %s (HTTP 403): its allowRequest or an origin check turns the page's origin down.", origin),
				"Let the origin in where the server checks it (socket.io's allowRequest, or the proxy's rule).")
		case res.status != http.StatusOK:
			add(fmt.Sprintf("The polling handshake from %s got HTTP %d.", origin, res.status), "Run with --trace to see the exchange.")
		case acao == "" && polling && (acac != "" || strings.Contains(strings.ToLower(strings.Join(res.header.Values("Vary"), ",")), "origin")):
			add(fmt.Sprintf("The server answers CORS, but not for %s: the page's origin is not in its cors.origin list (it varies its answer by Origin and allows none here).", origin),
				fmt.Sprintf("Add %s to the server's cors.origin list (exactly: scheme, host and port).", origin))
		case acao == "" && polling:
			add(fmt.Sprintf("The server sends no CORS headers, so a page at %s cannot read its polling answers (the browser blocks them; WebSocket is not subject to CORS).", origin),
				fmt.Sprintf("socket.io 3 and 4 send none unless told: new Server(httpServer, { cors: { origin: %q } }) (a list or a function also works); socket.io 2 takes origins: %q. Behind a proxy that answers for it, add the headers there.", origin, origin+":*"))
		case acao != "*" && acao != origin:
			add(fmt.Sprintf("The server allows the origin %s, not %s: the page's origin is not in its CORS list.", acao, origin),
				fmt.Sprintf("Add %s to the server's cors.origin list (exactly: scheme, host and port).", origin))
		case acao == "*" && strings.EqualFold(acac, "true"):
			add("The server answers Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true: browsers refuse that pair, so a client with withCredentials: true (needed for cookie-based sticky sessions) fails.",
				fmt.Sprintf("Name the origin instead of *: cors: { origin: %q, credentials: true }.", origin))
		}
		r.checkStickyCookies(origin, res, acao, acac, add)
	}

	// A preflight for the extra headers: a browser sends OPTIONS first,
	// and the polling requests only if it allows them.
	var custom []string
	for k := range r.cfg.Manager.Engine.Header {
		if lk := strings.ToLower(k); !slices.Contains(simpleHeaders, lk) && lk != "origin" {
			custom = append(custom, lk)
		}
	}
	slices.Sort(custom)
	if len(custom) > 0 {
		ph := http.Header{"Origin": {origin}, "Access-Control-Request-Method": {http.MethodGet}, "Access-Control-Request-Headers": {strings.Join(custom, ",")}}
		pre, err := r.doWith(c, http.MethodOptions, r.pollURL(v, ""), nil, ph)
		if err != nil {
			fact(s, "preflight", "failed: "+err.Error())
		} else {
			allowed := strings.ToLower(pre.header.Get("Access-Control-Allow-Headers"))
			fact(s, "preflight", fmt.Sprintf("OPTIONS for %s: %d %s, Access-Control-Allow-Headers %s", strings.Join(custom, ", "), pre.status, http.StatusText(pre.status), absent(allowed)))
			var missing []string
			for _, h := range custom {
				if allowed != "*" && !slices.Contains(splitList(allowed), h) {
					missing = append(missing, h)
				}
			}
			switch {
			case pre.status < 200 || pre.status > 299:
				add(fmt.Sprintf("The preflight (OPTIONS) a browser sends before polling with the header %s got HTTP %d, so the browser sends no polling request.", strings.Join(custom, ", "), pre.status),
					"Answer OPTIONS with CORS headers: socket.io's cors option does; a proxy in front must pass OPTIONS through.")
			case len(missing) > 0:
				add(fmt.Sprintf("The preflight does not allow the header %s (Access-Control-Allow-Headers: %s), so a page that sets it (extraHeaders) cannot poll.", strings.Join(missing, ", "), absent(allowed)),
					fmt.Sprintf("Add it to cors.allowedHeaders: [%q]. Browsers send extraHeaders only with polling; over WebSocket pass such values in auth or the query.", strings.Join(missing, `", "`)))
			}
		}
	}

	// The WebSocket, with the page's Origin.
	if r.wsOK {
		eo := r.engineOptions(wire.WebSocket)
		eo.Header = eo.Header.Clone()
		if eo.Header == nil {
			eo.Header = http.Header{}
		}
		eo.Header.Set("Origin", origin)
		ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
		conn, err := engineio.Dial(ctx, r.cfg.URL, &eo)
		cancel()
		if err == nil {
			fact(s, "websocket", "101 Switching Protocols with the Origin")
			conn.Close()
		} else {
			var he *engineio.HTTPError
			if errors.As(err, &he) {
				fact(s, "websocket", fmt.Sprintf("%d %s with the Origin (101 without it)", he.StatusCode, http.StatusText(he.StatusCode)))
			} else {
				fact(s, "websocket", "failed with the Origin: "+output.Describe(err))
			}
			add(fmt.Sprintf("The server takes WebSockets, but not from %s: an origin check refuses the page's Origin (socket.io's allowRequest, a proxy rule, or a server that takes only its cors.origin list on WebSockets).", origin),
				"Let the origin in where the WebSocket is checked: allowRequest, or the proxy's rule.")
		}
	}

	if len(problems) > 0 {
		fail(s, strings.Join(problems, " "), strings.Join(fixes, " "))
	}
}

// checkStickyCookies says when a cookie that sticky sessions need would
// not come back from a page at origin: it is sent cross-site only with
// SameSite=None and Secure, and only by a client with withCredentials,
// which needs the page's origin and credentials allowed.
func (r *run) checkStickyCookies(origin string, res *httpResult, acao, acac string, add func(p, f string)) {
	if !crossSite(origin, r.base) {
		return
	}
	cookies := (&http.Response{Header: res.header}).Cookies()
	for _, ck := range cookies {
		var why []string
		if ck.SameSite != http.SameSiteNoneMode {
			why = append(why, "it lacks SameSite=None")
		}
		if !ck.Secure {
			why = append(why, "it is not Secure")
		}
		if acao != origin || !strings.EqualFold(acac, "true") {
			why = append(why, "the server does not allow credentials from "+origin+" (withCredentials needs Access-Control-Allow-Origin: "+origin+" and Access-Control-Allow-Credentials: true)")
		}
		if len(why) == 0 {
			continue
		}
		add(fmt.Sprintf("The handshake sets the cookie %s, which a load balancer may need for sticky sessions, but a page at %s will not send it back: %s.", output.Visible(ck.Name), origin, strings.Join(why, "; ")),
			"Set the cookie with SameSite=None; Secure (over https), allow credentials for the origin (cors: { origin, credentials: true }), and connect with withCredentials: true; or use WebSocket only, which needs no stickiness.")
	}
}

// crossSite approximates whether a page at origin and the server are
// different sites, where cookies need SameSite=None: different hosts
// (ignoring the port) that do not share their last two labels.
func crossSite(origin string, server *url.URL) bool {
	o, err := url.Parse(origin)
	if err != nil {
		return true
	}
	a, b := strings.ToLower(o.Hostname()), strings.ToLower(server.Hostname())
	if a == b {
		return false
	}
	site := func(h string) string {
		parts := strings.Split(h, ".")
		if len(parts) <= 2 {
			return h
		}
		return strings.Join(parts[len(parts)-2:], ".")
	}
	return site(a) != site(b)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// absent shows an empty header value as such.
func absent(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
