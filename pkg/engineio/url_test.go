package engineio

import "testing"

func TestParseServerURL(t *testing.T) {
	for in, want := range map[string]string{
		"localhost:3000":       "http://localhost:3000",
		"ws://h:1/x?a=b":       "http://h:1/x?a=b",
		"wss://h":              "https://h",
		"https://h/socket.io/": "https://h/socket.io/",
		"http://[::1]:80/":     "http://[::1]:80/",
	} {
		u, err := ParseServerURL(in)
		if err != nil || u.String() != want {
			t.Errorf("ParseServerURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"ftp://h", "http://", "http://h:x:y"} {
		if _, err := ParseServerURL(bad); err == nil {
			t.Errorf("ParseServerURL(%q) accepted", bad)
		}
	}
}

// TestRequestURL: the URL of a request as a Conn makes it, for tools that
// make their own.
func TestRequestURL(t *testing.T) {
	opts := &Options{Path: "/socket.io", WebSocketPath: "/ws", NoTimestamp: true, Query: map[string][]string{"token": {"x"}}}
	for _, tc := range []struct {
		t    Transport
		v    Version
		sid  string
		want string
	}{
		{Polling, Version4, "", "http://h:1/socket.io/?EIO=4&a=b&b64=1&token=x&transport=polling"},
		{Polling, Version3, "S", "http://h:1/socket.io/?EIO=3&a=b&b64=1&sid=S&token=x&transport=polling"},
		{WebSocket, Version4, "S", "http://h:1/ws?EIO=4&a=b&sid=S&token=x&transport=websocket"},
	} {
		u, err := RequestURL("h:1/ignored?a=b", opts, tc.t, tc.v, tc.sid)
		if err != nil || u.String() != tc.want {
			t.Errorf("%s %v %q: %v, %v; want %s", tc.t, tc.v, tc.sid, u, err, tc.want)
		}
	}
	if _, err := RequestURL("ftp://h", nil, Polling, Version4, ""); err == nil {
		t.Error("a bad URL accepted")
	}
}
