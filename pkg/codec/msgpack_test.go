package codec

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Vectors encoded by notepack.io, the msgpack library of
// socket.io-msgpack-parser, from the JavaScript objects named.
var msgpackVectors = []struct {
	name   string
	wire   []byte
	packet Packet
	encode bool // our encoder must give the same bytes
}{
	{"event with every kind of value",
		unhex("84a47479706502a4646174619da46563686fa16101cb3ff8000000000000fdcd012cd1ff38ce00011170c3c082a16ba176a16e90c403010203a7e282acf09f9880a36e7370a12fa2696405"),
		Packet{Type: Event, Namespace: "/", ID: 5, HasID: true,
			Data:        raw(`["echo","a",1,1.5,-3,300,-200,70000,true,null,{"k":"v","n":[]},{"_placeholder":true,"num":0},"€😀"]`),
			Attachments: [][]byte{{1, 2, 3}}}, true},
	{"connect reply", unhex("83a47479706500a46461746181a3736964a3616263a36e7370a62f61646d696e"),
		Packet{Type: Connect, Namespace: "/admin", Data: raw(`{"sid":"abc"}`)}, true},
	{"connect error", unhex("83a47479706504a46461746182a76d657373616765ae4e6f7420617574686f72697a6564a46461746181a4636f64652aa36e7370a62f61646d696e"),
		Packet{Type: ConnectError, Namespace: "/admin", Data: raw(`{"message":"Not authorized","data":{"code":42}}`)}, true},
	// notepack writes 1e21, an integer past 2^64, as a uint64 that
	// overflowed: 3875820019684212736 is what a JavaScript peer decodes too.
	{"date, undefined, number forms", unhex("83a47479706502a46461746194a164d7000000018bcfe5687bd4000084a161d40000a162cb3e7ad7f29abcaf48a163cf35c9adc5dea00000a164cf0020000000000000a36e7370a12f"),
		Packet{Type: Event, Namespace: "/", Data: raw(`["d","2023-11-14T22:13:20.123Z",null,{"b":1e-7,"c":3875820019684212736,"d":9007199254740992}]`)}, false},
	{"ack with a 300-byte blob", append(append(unhex("84a47479706503a46461746191c5012c"), bytes.Repeat([]byte{7}, 300)...), unhex("a36e7370a12fa2696400")...),
		Packet{Type: Ack, Namespace: "/", ID: 0, HasID: true, Data: raw(`[{"_placeholder":true,"num":0}]`), Attachments: [][]byte{bytes.Repeat([]byte{7}, 300)}}, true},
}

func TestMsgpackDecode(t *testing.T) {
	for _, tt := range msgpackVectors {
		t.Run(tt.name, func(t *testing.T) {
			p, err := MsgpackParser{}.NewDecoder().Decode(Message{Data: tt.wire, Binary: true})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*p, tt.packet) {
				t.Errorf("got  %s %q\nwant %s %q", p, p.Attachments, &tt.packet, tt.packet.Attachments)
			}
		})
	}
}

func TestMsgpackEncode(t *testing.T) {
	for _, tt := range msgpackVectors {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := MsgpackParser{}.Encode(&tt.packet)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 || !msgs[0].Binary {
				t.Fatalf("messages %v", msgs)
			}
			if tt.encode && !bytes.Equal(msgs[0].Data, tt.wire) {
				t.Errorf("got  %x\nwant %x", msgs[0].Data, tt.wire)
			}
			back, err := MsgpackParser{}.NewDecoder().Decode(msgs[0])
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*back, tt.packet) && tt.encode {
				t.Errorf("round trip %s", back)
			}
		})
	}
}

func TestMsgpackDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		wire    string
		version Version
		want    error
	}{
		{"not a map", "90", V5, ErrInvalidPayload},
		{"no type", "81a36e7370a12f", V5, ErrUnknownType},
		{"no nsp", "81a47479706502", V5, ErrInvalidPayload},
		{"binary type in v5", "82a47479706505a36e7370a12f", V5, ErrUnknownType},
		{"event without data", "82a47479706502a36e7370a12f", V5, ErrInvalidPayload},
		{"event object", "83a47479706502a46461746180a36e7370a12f", V5, ErrInvalidPayload},
		{"reserved name", "83a47479706502a46461746191a7636f6e6e656374a36e7370a12f", V5, ErrReservedEvent},
		{"truncated", "83a47479706502a46461746191a7636f6e", V5, ErrInvalidPayload},
		{"negative id", "84a47479706502a46461746191a178a36e7370a12fa26964ff", V5, ErrIllegalID},
		{"v4 connect with data", "83a47479706500a46461746180a36e7370a12f", V4, ErrInvalidPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MsgpackParser{Version: tt.version}.NewDecoder().Decode(Message{Data: unhex(tt.wire), Binary: true})
			if !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := (MsgpackParser{}).NewDecoder().Decode(Message{Data: []byte(`{"type":0,"nsp":"/"}`)}); err == nil {
		t.Error("a text message decoded in protocol 5")
	}
	// socket.io 2.x sends its piggybacked CONNECT as a JSON object.
	p, err := (MsgpackParser{Version: V4}).NewDecoder().Decode(Message{Data: []byte(`{"type":0,"nsp":"/"}`)})
	if err != nil || p.Type != Connect || p.Nsp() != "/" {
		t.Errorf("socket.io 2.x CONNECT: %v %v", p, err)
	}
}

// FuzzMsgpackDecode checks that no input panics the msgpack decoder and that
// what decodes encodes back to the same packet.
func FuzzMsgpackDecode(f *testing.F) {
	for _, v := range msgpackVectors {
		f.Add(v.wire, false)
	}
	f.Fuzz(func(t *testing.T, wire []byte, v4 bool) {
		mp := MsgpackParser{}
		if v4 {
			mp.Version = V4
		}
		p, err := mp.NewDecoder().Decode(Message{Data: wire, Binary: true})
		if err != nil {
			return
		}
		msgs, err := mp.Encode(p)
		if err != nil {
			return
		}
		q, err := mp.NewDecoder().Decode(msgs[0])
		if err != nil {
			t.Fatalf("re-decoding %x: %v", msgs[0].Data, err)
		}
		if p.Type.IsBinary() {
			p.Type -= 3
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the packet:\n%s\n%s", p, q)
		}
	})
}

// TestEncodeRefusesInvalidJSON: both parsers refuse the same malformed
// data with the same error, rather than sending it (JSON) or guessing at
// it (msgpack: [tx] would become [true]).
func TestEncodeRefusesInvalidJSON(t *testing.T) {
	for _, data := range []string{`["e",tx]`, `["e",1 2]`, `["e",`, `["e"]x`} {
		p := &Packet{Type: Event, Namespace: "/", Data: json.RawMessage(data)}
		_, jerr := JSONParser{Version: V5}.Encode(p)
		_, merr := MsgpackParser{Version: V5}.Encode(p)
		if jerr == nil || merr == nil || jerr.Error() != merr.Error() || !errors.Is(jerr, ErrInvalidPayload) {
			t.Errorf("%s: json %v, msgpack %v", data, jerr, merr)
		}
	}
}
