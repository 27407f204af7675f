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
