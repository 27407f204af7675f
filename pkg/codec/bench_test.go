package codec

import (
	"bytes"
	"testing"
)

var (
	smallEvent = []byte(`2["chat",{"user":"ann","text":"hello","n":42}]`)
	blob64K    = bytes.Repeat([]byte{7}, 64<<10)
)

func BenchmarkEncodeSmallEvent(b *testing.B) {
	p := &Packet{Type: Event, Namespace: "/", ID: 12, HasID: true, Data: smallEvent[1:]}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (JSONParser{}).Encode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSmallEvent(b *testing.B) {
	d := JSONParser{}.NewDecoder()
	m := Message{Data: smallEvent}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decode(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeBinary64K(b *testing.B) {
	b.SetBytes(int64(len(blob64K)))
	b.ReportAllocs()
	for b.Loop() {
		data, blobs, err := MarshalArgs("file", map[string]any{"name": "a.bin", "data": blob64K})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := (JSONParser{}).Encode(&Packet{Type: Event, Data: data, Attachments: blobs}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBinary64K(b *testing.B) {
	d := JSONParser{}.NewDecoder()
	head := Message{Data: []byte(`51-["file",{"data":{"_placeholder":true,"num":0},"name":"a.bin"}]`)}
	att := Message{Data: blob64K, Binary: true}
	b.SetBytes(int64(len(blob64K)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decode(head); err != nil {
			b.Fatal(err)
		}
		if p, err := d.Decode(att); err != nil || p == nil {
			b.Fatal(err)
		}
	}
}
