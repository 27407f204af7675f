package wire

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func msg(s string) Packet { return Packet{Type: PacketMessage, Data: []byte(s)} }
func binMsg(b ...byte) Packet {
	return Packet{Type: PacketMessage, Data: b, Binary: true}
}

// Captured from socket.io 2.5 (EIO3) and 4.8 (EIO4) servers.
const (
	capturedEIO3Open = `96:0{"sid":"-9WtPX5h1RsShmMGAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}2:40`
	capturedEIO4Open = `0{"sid":"Of_OEGHkcwrt9zvOAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
	capturedEIO4Bin  = "451-[\"bin-back\",{\"_placeholder\":true,\"num\":0},\"€\"]\x1ebAQIDBA=="
	capturedEIO3Echo = `22:42["echo-back","😀€é"]`
)

var capturedXHR2 = append(append([]byte{0, 5, 2, 0xff}, `451-["bin-back",{"_placeholder":true,"num":0},"€"]`...), 1, 5, 0xff, 4, 1, 2, 3, 4)

func TestDecodePayload(t *testing.T) {
	tests := []struct {
		name   string
		v      Version
		binary bool
		in     string
		want   []Packet
	}{
		{"eio4 batch", Version4, false, "4hello\x1e2\x1e4world", []Packet{msg("hello"), {Type: PacketPing}, msg("world")}},
		{"eio4 binary", Version4, false, "4hello\x1ebAQIDBA==", []Packet{msg("hello"), binMsg(1, 2, 3, 4)}},
		{"eio4 captured binary event", Version4, false, capturedEIO4Bin, []Packet{msg(`51-["bin-back",{"_placeholder":true,"num":0},"€"]`), binMsg(1, 2, 3, 4)}},
		{"eio4 noop", Version4, false, "6", []Packet{{Type: PacketNoop}}},
		{"eio3 batch", Version3, false, "6:4hello6:4world", []Packet{msg("hello"), msg("world")}},
		{"eio3 euro is one unit", Version3, false, "2:4€", []Packet{msg("€")}},
		{"eio3 binary", Version3, false, "10:b4AQIDBA==", []Packet{binMsg(1, 2, 3, 4)}},
		{"eio3 captured surrogates", Version3, false, capturedEIO3Echo, []Packet{msg(`2["echo-back","😀€é"]`)}},
		{"eio3 captured handshake", Version3, false, capturedEIO3Open, []Packet{
			{Type: PacketOpen, Data: []byte(capturedEIO3Open[4 : len(capturedEIO3Open)-4])}, msg("0")}},
		{"eio3 empty", Version3, false, "0:", nil},
		{"eio3 noop", Version3, false, "1:6", []Packet{{Type: PacketNoop}}},
		{"xhr2 suite", Version3, true, "\x00\x06\xff4hello\x01\x05\xff\x04\x01\x02\x03\x04", []Packet{msg("hello"), binMsg(1, 2, 3, 4)}},
		{"xhr2 captured", Version3, true, string(capturedXHR2), []Packet{msg(`51-["bin-back",{"_placeholder":true,"num":0},"€"]`), binMsg(1, 2, 3, 4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodePayload([]byte(tt.in), tt.v, tt.binary)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestDecodePayloadErrors(t *testing.T) {
	tests := []struct {
		name   string
		v      Version
		binary bool
		in     string
	}{
		{"eio4 empty record", Version4, false, "4a\x1e\x1e4b"},
		{"eio4 empty body", Version4, false, ""},
		{"eio4 bad type", Version4, false, "9x"},
		{"eio4 bad base64", Version4, false, "b!!"},
		{"eio3 eio4 body", Version3, false, capturedEIO4Open},
		{"eio3 runs past end", Version3, false, "5:4hi"},
		{"eio3 splits surrogate pair", Version3, false, "2:4😀"},
		{"eio3 huge length", Version3, false, "999999999:4x"},
		{"eio3 zero length", Version3, false, "0:4"},
		{"eio3 bad type", Version3, false, "2:9x"},
		{"xhr2 bad kind", Version3, true, "\x02\x01\xff4"},
		{"xhr2 no terminator", Version3, true, "\x00\x01\x02"},
		{"xhr2 runs past end", Version3, true, "\x00\x09\xff4hi"},
		{"xhr2 bad digit", Version3, true, "\x00\x0a\xff4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePayload([]byte(tt.in), tt.v, tt.binary)
			var pe *PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *PayloadError", err)
			}
		})
	}
}

func TestEncodePayload(t *testing.T) {
	tests := []struct {
		name string
		v    Version
		in   []Packet
		want string
	}{
		{"eio4", Version4, []Packet{msg("hello"), {Type: PacketPong}, binMsg(1, 2, 3, 4)}, "4hello\x1e3\x1ebAQIDBA=="},
		{"eio4 close", Version4, []Packet{{Type: PacketClose}}, "1"},
		{"eio3", Version3, []Packet{msg("hello"), msg("€"), msg("😀"), binMsg(1, 2, 3, 4)}, "6:4hello2:4€3:4😀10:b4AQIDBA=="},
		{"eio3 ping", Version3, []Packet{{Type: PacketPing}}, "1:2"},
		{"eio3 empty", Version3, nil, "0:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(EncodePayload(nil, tt.in, tt.v)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLooksEIO3(t *testing.T) {
	for body, want := range map[string]bool{capturedEIO3Open: true, capturedEIO4Open: false, "12": false, ":x": false} {
		if got := LooksEIO3([]byte(body), false); got != want {
			t.Errorf("LooksEIO3(%.10q) = %v", body, got)
		}
	}
}

func TestParseOpen(t *testing.T) {
	h, err := ParseHandshake([]byte(capturedEIO4Open[1:]))
	if err != nil {
		t.Fatal(err)
	}
	if h.SID != "Of_OEGHkcwrt9zvOAAAA" || h.PingInterval.Seconds() != 25 || h.PingTimeout.Seconds() != 20 || h.MaxPayload != 1000000 || !reflect.DeepEqual(h.Upgrades, []string{"websocket"}) {
		t.Errorf("handshake %+v", h)
	}
	for _, bad := range []string{`{}`, `{"sid":"x","pingInterval":0,"pingTimeout":1}`, `[1]`, `{"sid":"x","pingInterval":1}`} {
		if _, err := ParseHandshake([]byte(bad)); err == nil {
			t.Errorf("ParseHandshake(%s) accepted", bad)
		}
	}
	// Heartbeat values a timer cannot take are refused, naming the field.
	for bad, field := range map[string]string{
		`{"sid":"x","pingInterval":9.3e12,"pingTimeout":1}`:            "pingInterval",
		`{"sid":"x","pingInterval":1e300,"pingTimeout":1}`:             "pingInterval",
		`{"sid":"x","pingInterval":25000,"pingTimeout":0.001}`:         "pingTimeout",
		`{"sid":"x","pingInterval":25000,"pingTimeout":-5}`:            "pingTimeout",
		`{"sid":"x","pingInterval":25000,"pingTimeout":2147483648}`:    "pingTimeout",
		`{"sid":"x","pingInterval":1,"pingTimeout":1,"maxPayload":-1}`: "maxPayload",
	} {
		if _, err := ParseHandshake([]byte(bad)); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("ParseHandshake(%s): %v, want an error naming %s", bad, err, field)
		}
	}
	if h, err := ParseHandshake([]byte(`{"sid":"x","pingInterval":2147483647,"pingTimeout":1}`)); err != nil || h.PingTimeout != time.Millisecond {
		t.Errorf("the limits themselves: %+v %v", h, err)
	}
}

func TestCodeOf(t *testing.T) {
	if c, ok := CodeOf("Session ID unknown"); !ok || c != CodeUnknownSID {
		t.Errorf("CodeOf: %v %v", c, ok)
	}
	if _, ok := CodeOf("Bad Gateway"); ok {
		t.Error("a message engine.io does not send has a code")
	}
}

// TestDecodePayloadByteLengths reads an Engine.IO 3 payload whose lengths
// count bytes, as googollee/go-socket.io writes them (captured from it):
// the UTF-16 reading runs past the end, the byte reading is whole.
func TestDecodePayloadByteLengths(t *testing.T) {
	body := []byte("23:42[\"echo-back\",\"x€\"]\n1:6")
	ps, err := DecodePayload(body, Version3, false)
	if err != nil || len(ps) != 2 || string(ps[0].Data) != "2[\"echo-back\",\"x€\"]\n" || ps[1].Type != PacketNoop {
		t.Fatalf("%q: %+v, %v", body, ps, err)
	}
	// A payload whose lengths count characters is read as it says, even
	// where the bytes would also parse.
	ps, err = DecodePayload([]byte("3:4€\n"), Version3, false)
	if err != nil || len(ps) != 1 || string(ps[0].Data) != "€\n" {
		t.Fatalf("characters: %+v, %v", ps, err)
	}
}

// BenchmarkManyTinyPackets decodes a payload of a million noops: it
// allocates nothing per packet (compare B/op with the payload's size).
func BenchmarkManyTinyPackets(b *testing.B) {
	body := []byte(strings.Repeat("6\x1e", 1_000_000) + "6")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for range b.N {
		n := 0
		if err := EachPacket(body, Version4, false, func(Packet) { n++ }); err != nil || n != 1_000_001 {
			b.Fatal(n, err)
		}
	}
}
