package codec

import (
	"reflect"
	"testing"
)

// Seeds are packets captured from real servers (socket.io 2.5 and 4.8) plus
// the edge cases of the reference parser.
var packetSeeds = []string{
	`0`, `0{"sid":"VGByCdn-7WFXacmcAAAH"}`, `0{"sid":"VGByCdn-7WFXacmcAAAH","pid":"x1"}`,
	`0/admin,`, `0/admin?token=ok,`, `0/random`, `4/admin,"Not authorized"`,
	`4/admin,{"message":"Not authorized","data":{"code":42}}`, `4/nope,{"message":"Invalid namespace"}`,
	`2["echo-back","a",{"b":1}]`, `21["echo","x"]`, `31["x"]`, `2/admin,7["x"]`, `3/admin,7[]`,
	`2["hi","ok","/admin#oJMtxnFNpCo7UKxOAAAE"]`, `2["tick",25,"Q816oq4"]`, `2["echo-back","😀€é"]`,
	`51-["bin-back",{"_placeholder":true,"num":0},"€"]`,
	`52-789["m",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`,
	`62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`,
	`1`, `1/admin,`, `2{}`, `2abc["a"]`, `abc`, ``, `511-["a"]`, `50-["a"]`,
}

// FuzzDecode checks that no message sequence panics the decoder, and that
// whatever decodes encodes back to a packet that decodes the same.
func FuzzDecode(f *testing.F) {
	for _, s := range packetSeeds {
		f.Add(s, []byte{1, 2, 3, 4}, uint8(2), false)
		f.Add(s, []byte{}, uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, msg string, blob []byte, blobs uint8, v4 bool) {
		version := V5
		if v4 {
			version = V4
		}
		parser := JSONParser{Version: version}
		d := parser.NewDecoder()
		p, err := d.Decode(Message{Data: []byte(msg)})
		for i := 0; err == nil && p == nil && i < int(blobs%12); i++ {
			p, err = d.Decode(Message{Data: blob, Binary: true})
		}
		if err != nil || p == nil {
			return
		}
		if p.Type.IsBinary() && len(p.Attachments) == 0 {
			return // protocol 4 accepts these; they have no encoding
		}
		msgs, err := parser.Encode(p)
		if err != nil {
			return // a v4 packet whose payload v5 rules forbid, say
		}
		d2 := parser.NewDecoder()
		var q *Packet
		for _, m := range msgs {
			if q, err = d2.Decode(m); err != nil {
				t.Fatalf("re-decoding %v: %v", msgs, err)
			}
		}
		if q == nil {
			t.Fatalf("re-decoding %v gave no packet", msgs)
		}
		if len(q.Attachments) == 0 {
			q.Attachments = nil
		}
		if len(p.Attachments) == 0 {
			p.Attachments = nil
		}
		if p.Type == Event && len(p.Attachments) > 0 {
			p.Type = BinaryEvent
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the packet:\n%#v\n%#v", p, q)
		}
	})
}

// FuzzReplacePlaceholders checks that the placeholder walker never panics on
// any JSON.
func FuzzReplacePlaceholders(f *testing.F) {
	f.Add([]byte(`["x",{"_placeholder":true,"num":0},{"a":[{"_placeholder":true,"num":1}]}]`))
	f.Add([]byte(`[{"\u005fplaceholder":true,"num":1e0}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		blobs := [][]byte{{1}, {2}}
		out, err := ReplacePlaceholders(data, blobs, func(dst, b []byte) []byte { return append(dst, "null"...) })
		if err == nil && len(out) == 0 && len(data) > 0 {
			t.Fatal("lost the input")
		}
	})
}
