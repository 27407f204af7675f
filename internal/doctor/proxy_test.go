package doctor

import (
	"net/http"
	"strings"
	"testing"
)

func TestIdentify(t *testing.T) {
	for _, tc := range []struct {
		header http.Header
		want   string
	}{
		{http.Header{"Server": {"nginx/1.22.1"}}, nginx},
		{http.Header{"Server": {"Apache/2.4.71 (Debian)"}}, apache},
		{http.Header{"Server": {"Caddy"}, "Via": {"1.1 Caddy"}}, caddy},
		{http.Header{"Server": {"envoy"}}, envoy},
		{http.Header{"X-Envoy-Upstream-Service-Time": {"3"}}, envoy},
		{http.Header{"Server": {"cloudflare"}, "Cf-Ray": {"8a1b-AMS"}}, cloudflare},
		{http.Header{"Server": {"awselb/2.0"}}, awsELB},
		{http.Header{"Set-Cookie": {"AWSALB=abc; Path=/"}}, awsELB},
		{http.Header{"Via": {"1.1 vegur"}}, heroku},
		{http.Header{"Set-Cookie": {"SERVERID=s1; path=/"}}, haproxy},
		{http.Header{"Content-Type": {"text/plain"}}, ""},
	} {
		if got, evidence := identify(tc.header); got != tc.want || (got != "" && evidence == "") {
			t.Errorf("%v: %q (%q), want %q", tc.header, got, evidence, tc.want)
		}
	}
	for _, p := range []string{nginx, haproxy, apache, caddy, envoy, awsELB, heroku} {
		if f := stickyFixFor(p, nil); !strings.Contains(f, "WebSocket only") {
			t.Errorf("%s: %s", p, f)
		}
	}
	if !strings.Contains(upgradeFix(apache), "upgrade=websocket") || !strings.Contains(upgradeFix(""), "proxy_set_header Upgrade") {
		t.Error("upgrade fixes")
	}
	if !strings.HasPrefix(timeoutsFor(haproxy), "here HAProxy: `timeout tunnel`") {
		t.Error(timeoutsFor(haproxy))
	}
}
