package wire

import (
	"bytes"
	"reflect"
	"testing"
)

func TestEncodeBinaryPayloadRoundTrip(t *testing.T) {
	packets := []Packet{msg(`51-["b",{"_placeholder":true,"num":0},"€"]`), binMsg(1, 2, 3, 4), {Type: PacketPing}}
	body := EncodeBinaryPayload(nil, packets)
	want := []byte{0, 4, 5, 0xFF} // text, 45 bytes
	if !bytes.HasPrefix(body, want) {
		t.Fatalf("header % x, want % x", body[:4], want)
	}
	got, err := DecodePayload(body, Version3, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, packets) {
		t.Fatalf("round trip:\n got %v\nwant %v", got, packets)
	}
}

func TestFrameRoundTrip(t *testing.T) {
	for _, v := range []Version{Version3, Version4} {
		for _, b64 := range []bool{false, true} {
			for _, p := range []Packet{msg("hello"), binMsg(0, 0xFF), {Type: PacketPing, Data: []byte("probe")}} {
				frame, binary := AppendFrame(nil, p, v, b64)
				if binary == b64 && p.Binary {
					t.Errorf("%v b64=%v %v: binary frame %v", v, b64, p, binary)
				}
				got, err := DecodeFrame(frame, binary, v)
				if err != nil || !reflect.DeepEqual(got, p) {
					t.Errorf("%v b64=%v: %v → %q → %v, %v", v, b64, p, frame, got, err)
				}
			}
		}
	}
}
