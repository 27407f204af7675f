package doctor

import (
	"net/http"
	"strings"
)

// Proxies the doctor recognises, and how it tailors its fixes to each.
const (
	nginx      = "nginx"
	haproxy    = "HAProxy"
	apache     = "Apache httpd"
	caddy      = "Caddy"
	envoy      = "Envoy"
	cloudflare = "Cloudflare"
	awsELB     = "AWS ALB/ELB"
	heroku     = "Heroku's router"
)

// balancerCookies are the cookies load balancers set to keep a client on
// one server, by name (compared without regard to case).
var balancerCookies = map[string]string{
	"awsalb": awsELB, "awsalbcors": awsELB, "awselb": awsELB,
	"serverid": haproxy, "routeid": apache, "route": "a balancer (route cookie)",
	"__cf_bm": cloudflare,
}

// identify names the proxy or load balancer that a response's headers
// show, with the evidence; "" when none shows.
func identify(h http.Header) (name, evidence string) {
	server := h.Get("Server")
	ls := strings.ToLower(server)
	via := strings.ToLower(strings.Join(h.Values("Via"), ", "))
	switch {
	case strings.Contains(ls, "nginx"):
		return nginx, "Server: " + server
	case strings.Contains(ls, "apache"):
		return apache, "Server: " + server
	case strings.Contains(ls, "caddy") || strings.Contains(via, "caddy"):
		return caddy, "Server: " + server
	case strings.Contains(ls, "envoy") || h.Get("X-Envoy-Upstream-Service-Time") != "":
		return envoy, "Server: " + server
	case strings.Contains(ls, "cloudflare") || h.Get("Cf-Ray") != "":
		return cloudflare, "CF-Ray: " + h.Get("Cf-Ray")
	case strings.Contains(ls, "awselb"):
		return awsELB, "Server: " + server
	case strings.Contains(via, "vegur"):
		return heroku, "Via: " + h.Get("Via")
	case strings.Contains(ls, "haproxy"):
		return haproxy, "Server: " + server
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if who, ok := balancerCookies[strings.ToLower(c.Name)]; ok {
			return who, "its cookie " + c.Name
		}
	}
	return "", ""
}

// upgradeFix tells how to make the proxy found forward the WebSocket
// upgrade.
func upgradeFix(proxy string) string {
	switch proxy {
	case apache:
		return "Make Apache forward the upgrade: `ProxyPass / http://backend/ upgrade=websocket` (httpd 2.4.47 and later), or load mod_proxy_wstunnel and add `ProxyPass /socket.io/ ws://backend/socket.io/`. Until then clients can stay on polling (--transport polling)."
	case haproxy:
		return "HAProxy forwards WebSockets in `mode http` by itself: check that the frontend and backend are in mode http (not a rule that strips Connection/Upgrade), and set `timeout tunnel` for them. Until then clients can stay on polling (--transport polling)."
	case caddy:
		return "Caddy's reverse_proxy forwards WebSockets by itself: check for a `header_up` that removes Connection or Upgrade, or a matcher that sends /socket.io/ elsewhere. Until then clients can stay on polling (--transport polling)."
	case envoy:
		return "Let the route upgrade: `upgrade_configs: [{upgrade_type: websocket}]` on the HTTP connection manager or route. Until then clients can stay on polling (--transport polling)."
	case cloudflare:
		return "Turn WebSockets on in the zone's Network settings. Until then clients can stay on polling (--transport polling)."
	case awsELB:
		return "An ALB forwards WebSockets; a classic ELB must listen on TCP (or SSL), not HTTP. Until then clients can stay on polling (--transport polling)."
	}
	return proxyFix
}

// stickyFixFor tells how to make the balancer found sticky.
func stickyFixFor(proxy string, cookies []string) string {
	tail := " Or connect with WebSocket only (--transport websocket), where one connection carries the session."
	switch proxy {
	case nginx:
		return "Make nginx keep each client on one server: `ip_hash;` (or `hash $remote_addr consistent;`) in the upstream." + tail
	case haproxy:
		return "Make HAProxy keep each session on one server: `cookie SERVERID insert indirect nocache` in the backend with `cookie s1` on each server line, or `balance source`." + tail
	case apache:
		return "Make Apache keep each client on one member: mod_proxy_balancer with `ProxySet stickysession=ROUTEID` and a `route=` on each BalancerMember (with the ROUTEID cookie set by mod_headers)." + tail
	case caddy:
		return "Make Caddy keep each client on one upstream: `lb_policy cookie` (or `lb_policy ip_hash`) in reverse_proxy." + tail
	case envoy:
		return "Give the route a hash policy (cookie or source IP) with a ring_hash or maglev load balancer." + tail
	case awsELB:
		return "Turn on stickiness in the ALB's target group (a load-balancer-generated cookie, AWSALB)." + tail
	case heroku:
		return "Turn on Heroku's session affinity: heroku features:enable http-session-affinity." + tail
	}
	return stickyFix(cookies)
}
