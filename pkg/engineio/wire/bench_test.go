package wire

import (
	"bytes"
	"testing"
)

func BenchmarkEncodePayloadEIO4(b *testing.B) {
	packets := []Packet{msg(`2["chat",{"user":"ann","text":"hello"}]`), {Type: PacketPong}}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = EncodePayload(buf[:0], packets, Version4)
	}
}

func BenchmarkDecodePayloadEIO3(b *testing.B) {
	body := []byte(capturedEIO3Echo + capturedEIO3Echo + "1:3")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePayload(body, Version3, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePayloadEIO4Binary64K(b *testing.B) {
	body := EncodePayload(nil, []Packet{msg(`51-["file",{"_placeholder":true,"num":0}]`), binMsg(bytes.Repeat([]byte{7}, 64<<10)...)}, Version4)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePayload(body, Version4, false); err != nil {
			b.Fatal(err)
		}
	}
}
