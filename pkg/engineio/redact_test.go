package engineio

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestErrorsRedactTheURL: the error of a request that failed, or was
// redirected away, names the URL without its credentials.
func TestErrorsRedactTheURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	away := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/socket.io/?"+r.URL.RawQuery, http.StatusFound)
	}))
	defer away.Close()

	for _, base := range []string{closed, away.URL, "http://user:s3cretU@" + strings.TrimPrefix(closed, "http://")} {
		opts := &Options{Transports: []Transport{Polling}, Version: Version4, ConnectTimeout: 5 * time.Second, Redact: []string{"pin"}}
		_, err := Dial(context.Background(), base+"/?token=s3cretT&pin=s3cretP&room=lobby", opts)
		if err == nil {
			t.Fatalf("%s: no error", base)
		}
		if msg := err.Error(); strings.Contains(msg, "s3cret") || !strings.Contains(msg, "room=lobby") {
			t.Errorf("%s: %s", base, msg)
		}
		var re *RedirectError
		if errors.As(err, &re) && (strings.Contains(re.From, "s3cret") || strings.Contains(re.Location, "s3cret")) {
			t.Errorf("the redirect keeps the secrets: %+v", re)
		}
	}
}

func TestRedactJSONText(t *testing.T) {
	for in, want := range map[string]string{
		`42/admin,["all_sockets",[{"handshake":{"headers":{"authorization":"Bearer s3cret","x-pin":"s3cret","host":"h"},"query":{"token":"s3cret","EIO":"4"},"url":"/socket.io/?EIO=4&token=s3cret&t=1"}}]]`: `42/admin,["all_sockets",[{"handshake":{"headers":{"authorization":"[redacted]","x-pin":"[redacted]","host":"h"},"query":{"token":"[redacted]","EIO":"4"},"url":"/socket.io/?EIO=4&token=[redacted]&t=1"}}]]`,
		"0{\"sid\":\"abc\",\"upgrades\":[\"websocket\"]}\x1e40{\"sid\":\"def\"}":     "0{\"sid\":\"abc\",\"upgrades\":[\"websocket\"]}\x1e40{\"sid\":\"def\"}",
		`42["chat",{"password" : "s3cret\"q", "n": 1, "note": "a \"quoted\" word"}]`: `42["chat",{"password" : "[redacted]", "n": 1, "note": "a \"quoted\" word"}]`,
		`42["x",{"token":7,"name":"bob"},"https://u:s3cret@h/"]`:                     `42["x",{"token":7,"name":"bob"},"https://[redacted]@h/"]`,
		`42["cut","s3cr`:  `42["cut","s3cr`,
		`not json at all`: `not json at all`,
	} {
		if got := string(RedactJSONText([]byte(in), "x-pin")); got != want {
			t.Errorf("RedactJSONText(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}
