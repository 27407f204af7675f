package sioclient

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/siocli/sio/pkg/codec"
)

func TestRedactConnect(t *testing.T) {
	p := &codec.Packet{Type: codec.Connect, Namespace: "/admin?token=s3cret&room=a", Data: json.RawMessage(`{"token":"s3cret","n":{"deep":"s3cret"},"pid":"p1"}`)}
	r := redactConnect(p)
	if r == nil || strings.Contains(r.Namespace, "s3cret") || strings.Contains(string(r.Data), "s3cret") || !strings.Contains(string(r.Data), `"pid":"p1"`) || !strings.Contains(r.Namespace, "room=a") {
		t.Errorf("redacted %+v %s", r, r.Data)
	}
	if string(p.Data) != `{"token":"s3cret","n":{"deep":"s3cret"},"pid":"p1"}` {
		t.Errorf("the packet sent changed: %s", p.Data)
	}
	if redactConnect(&codec.Packet{Type: codec.Connect, Namespace: "/"}) != nil {
		t.Error("a CONNECT with nothing secret was redacted")
	}
}
