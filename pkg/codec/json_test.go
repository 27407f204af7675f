package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func text(s string) Message        { return Message{Data: []byte(s)} }
func bin(b ...byte) Message        { return Message{Data: b, Binary: true} }
func raw(s string) json.RawMessage { return json.RawMessage(s) }

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		version Version
		in      []Message
		want    Packet
	}{
		{"connect root", V5, []Message{text("0")}, Packet{Type: Connect, Namespace: "/"}},
		{"connect auth", V5, []Message{text(`0{"token":"abc"}`)}, Packet{Type: Connect, Namespace: "/", Data: raw(`{"token":"abc"}`)}},
		{"connect reply", V5, []Message{text(`0{"sid":"VGByCdn-7WFXacmcAAAH"}`)}, Packet{Type: Connect, Namespace: "/", Data: raw(`{"sid":"VGByCdn-7WFXacmcAAAH"}`)}},
		{"namespace without comma", V5, []Message{text("0/random")}, Packet{Type: Connect, Namespace: "/random"}},
		{"namespace with comma", V5, []Message{text("0/admin,")}, Packet{Type: Connect, Namespace: "/admin"}},
		{"disconnect", V5, []Message{text("1/admin,")}, Packet{Type: Disconnect, Namespace: "/admin"}},
		{"event", V5, []Message{text(`2["echo","a",{"b":1}]`)}, Packet{Type: Event, Namespace: "/", Data: raw(`["echo","a",{"b":1}]`)}},
		{"numeric event name", V5, []Message{text(`2[42,"a"]`)}, Packet{Type: Event, Namespace: "/", Data: raw(`[42,"a"]`)}},
		{"event with ack id", V5, []Message{text(`21["echo","x"]`)}, Packet{Type: Event, Namespace: "/", ID: 1, HasID: true, Data: raw(`["echo","x"]`)}},
		{"ack id zero", V5, []Message{text(`20["x"]`)}, Packet{Type: Event, Namespace: "/", ID: 0, HasID: true, Data: raw(`["x"]`)}},
		{"ack in namespace", V5, []Message{text(`3/admin,7[]`)}, Packet{Type: Ack, Namespace: "/admin", ID: 7, HasID: true, Data: raw(`[]`)}},
		{"connect error object", V5, []Message{text(`4/admin,{"message":"Not authorized","data":{"code":42}}`)},
			Packet{Type: ConnectError, Namespace: "/admin", Data: raw(`{"message":"Not authorized","data":{"code":42}}`)}},
		{"connect error string", V5, []Message{text(`4"nope"`)}, Packet{Type: ConnectError, Namespace: "/", Data: raw(`"nope"`)}},
		{"binary event", V5, []Message{text(`51-["bin-back",{"_placeholder":true,"num":0},"€"]`), bin(1, 2, 3, 4)},
			Packet{Type: BinaryEvent, Namespace: "/", Data: raw(`["bin-back",{"_placeholder":true,"num":0},"€"]`), Attachments: [][]byte{{1, 2, 3, 4}}}},
		{"binary ack two attachments", V5, []Message{text(`62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`), bin(1), bin(2)},
			Packet{Type: BinaryAck, Namespace: "/", ID: 789, HasID: true, Data: raw(`[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`), Attachments: [][]byte{{1}, {2}}}},
		{"v4 namespace query", V4, []Message{text("0/admin?token=ok,")}, Packet{Type: Connect, Namespace: "/admin?token=ok"}},
		{"v4 error string", V4, []Message{text(`4/admin,"Not authorized"`)}, Packet{Type: ConnectError, Namespace: "/admin", Data: raw(`"Not authorized"`)}},
		{"v4 binary without attachments", V4, []Message{text(`50-["a"]`)}, Packet{Type: BinaryEvent, Namespace: "/", Data: raw(`["a"]`), Attachments: nil}},
		{"v4 event with offset", V4, []Message{text(`2["tick",25,"Q816oq4"]`)}, Packet{Type: Event, Namespace: "/", Data: raw(`["tick",25,"Q816oq4"]`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := JSONParser{Version: tt.version}.NewDecoder()
			var got *Packet
			for i, m := range tt.in {
				p, err := d.Decode(m)
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if (p != nil) != (i == len(tt.in)-1) {
					t.Fatalf("message %d: packet %v, want one only after the last message", i, p)
				}
				got = p
			}
			if got.Attachments != nil && len(got.Attachments) == 0 {
				got.Attachments = nil
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", *got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		version Version
		in      []Message
		want    error
	}{
		{"empty", V5, []Message{text("")}, ErrEmpty},
		{"unknown type", V5, []Message{text("7")}, ErrUnknownType},
		{"letter", V5, []Message{text("abc")}, ErrUnknownType},
		{"event object", V5, []Message{text("2{}")}, ErrInvalidPayload},
		{"event garbage", V5, []Message{text(`2abc["a"]`)}, ErrInvalidJSON},
		{"event empty array", V5, []Message{text(`2[]`)}, ErrInvalidPayload},
		{"event name bool", V5, []Message{text(`2[true]`)}, ErrInvalidPayload},
		{"reserved name", V5, []Message{text(`2["disconnect"]`)}, ErrReservedEvent},
		{"disconnect payload", V5, []Message{text(`1{}`)}, ErrInvalidPayload},
		{"connect string", V5, []Message{text(`0"x"`)}, ErrInvalidPayload},
		{"connect array", V5, []Message{text(`0[]`)}, ErrInvalidPayload},
		{"ack object", V5, []Message{text(`3{}`)}, ErrInvalidPayload},
		{"connect error number", V5, []Message{text(`41`)}, ErrInvalidPayload},
		{"attachments missing dash", V5, []Message{text(`51["a"]`)}, ErrIllegalAttachments},
		{"attachments not a number", V5, []Message{text(`5x-["a"]`)}, ErrIllegalAttachments},
		{"attachments zero", V5, []Message{text(`50-["a"]`)}, ErrIllegalAttachments},
		{"too many attachments", V5, []Message{text(`511-["a"]`)}, ErrTooManyAttachments},
		{"ack id overflow", V5, []Message{text(`299999999999999999999["a"]`)}, ErrIllegalID},
		{"placeholder out of range", V5, []Message{text(`51-["a",{"_placeholder":true,"num":1}]`), bin(1)}, ErrPlaceholder},
		{"placeholder num string", V5, []Message{text(`51-["a",{"_placeholder":true,"num":"0"}]`), bin(1)}, ErrPlaceholder},
		{"binary first", V5, []Message{bin(1)}, ErrUnexpectedBinary},
		{"text while awaiting", V5, []Message{text(`51-["a",{"_placeholder":true,"num":0}]`), text(`2["a"]`)}, ErrUnexpectedText},
		{"v4 event object", V4, []Message{text("2{}")}, ErrInvalidPayload},
		{"v4 garbage", V4, []Message{text(`2["a"`)}, ErrInvalidJSON},
	}
	tests = append(tests, struct {
		name    string
		version Version
		in      []Message
		want    error
	}{"nested too deep", V5, []Message{text(`2["deep",` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `]`)}, ErrInvalidJSON})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := JSONParser{Version: tt.version}.NewDecoder()
			var err error
			for _, m := range tt.in {
				if _, err = d.Decode(m); err != nil {
					break
				}
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			if tt.name == "nested too deep" && (!strings.Contains(err.Error(), "exceeded max depth") || de.Offset != 10008) {
				t.Errorf("the error does not say where and why: %v (offset %d)", err, de.Offset)
			}
		})
	}
}

func TestMaxAttachmentsOption(t *testing.T) {
	msg := text(`511-["a"]`)
	if _, err := (JSONParser{MaxAttachments: -1}).NewDecoder().Decode(msg); err != nil {
		t.Fatalf("no limit: %v", err)
	}
	if _, err := (JSONParser{MaxAttachments: 20}).NewDecoder().Decode(msg); err != nil {
		t.Fatalf("limit 20: %v", err)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		in   Packet
		want []Message
	}{
		{"connect root", Packet{Type: Connect}, []Message{text("0")}},
		{"connect auth", Packet{Type: Connect, Data: raw(`{"token":"abc"}`)}, []Message{text(`0{"token":"abc"}`)}},
		{"connect namespace", Packet{Type: Connect, Namespace: "/admin"}, []Message{text("0/admin,")}},
		{"v4 connect query", Packet{Type: Connect, Namespace: "/admin?token=ok"}, []Message{text("0/admin?token=ok,")}},
		{"event", Packet{Type: Event, Namespace: "/", Data: raw(`["echo","a",{"b":1}]`)}, []Message{text(`2["echo","a",{"b":1}]`)}},
		{"event ack zero", Packet{Type: Event, HasID: true, Data: raw(`["x"]`)}, []Message{text(`20["x"]`)}},
		{"ack namespace", Packet{Type: Ack, Namespace: "/admin", ID: 7, HasID: true, Data: raw(`[]`)}, []Message{text(`3/admin,7[]`)}},
		{"binary promoted", Packet{Type: Event, ID: 789, HasID: true, Data: raw(`["m",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`), Attachments: [][]byte{{1}, {2}}},
			[]Message{text(`52-789["m",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`), bin(1), bin(2)}},
		{"binary ack", Packet{Type: Ack, ID: 3, HasID: true, Data: raw(`[{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{9}}},
			[]Message{text(`61-3[{"_placeholder":true,"num":0}]`), bin(9)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSONParser{}.Encode(&tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Packet
		want error
	}{
		{"unknown type", Packet{Type: 9}, ErrUnknownType},
		{"reserved", Packet{Type: Event, Data: raw(`["connect"]`)}, ErrReservedEvent},
		{"event without name", Packet{Type: Event, Data: raw(`[]`)}, ErrInvalidPayload},
		{"binary without attachments", Packet{Type: BinaryEvent, Data: raw(`["a"]`)}, ErrIllegalAttachments},
		{"disconnect with attachments", Packet{Type: Disconnect, Attachments: [][]byte{{1}}}, ErrIllegalAttachments},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := JSONParser{}.Encode(&tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEventName(t *testing.T) {
	for in, want := range map[string]string{`["a\"b",1]`: `a"b`, `[42]`: "42", `[ "x" ]`: "x"} {
		p := Packet{Type: Event, Data: raw(in)}
		got, err := p.EventName()
		if err != nil || got != want {
			t.Errorf("EventName(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSplitArray(t *testing.T) {
	got, err := SplitArray([]byte(` [ "a,]" , {"b":[1,2]} ,3.5e1,null, [] ] `))
	if err != nil {
		t.Fatal(err)
	}
	want := []json.RawMessage{raw(`"a,]"`), raw(`{"b":[1,2]}`), raw(`3.5e1`), raw(`null`), raw(`[]`)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, err := SplitArray([]byte(`[]`)); err != nil || len(got) != 0 {
		t.Errorf("empty array: %v %v", got, err)
	}
	if _, err := SplitArray([]byte(`{}`)); err == nil {
		t.Error("object accepted as array")
	}
}

func TestMarshalArgs(t *testing.T) {
	data, blobs, err := MarshalArgs("m", map[string]any{"b": []any{[]byte{2}, 1}, "a": []byte{1}}, json.RawMessage(` {"k": 1} `), nil, true, 7, "<&>")
	if err != nil {
		t.Fatal(err)
	}
	want := `["m",{"a":{"_placeholder":true,"num":0},"b":[{"_placeholder":true,"num":1},1]},{"k": 1},null,true,7,"<&>"]`
	if string(data) != want {
		t.Errorf("data %s\nwant %s", data, want)
	}
	if !reflect.DeepEqual(blobs, [][]byte{{1}, {2}}) {
		t.Errorf("blobs %v", blobs)
	}
	if _, _, err := MarshalArgs(json.RawMessage(`{`)); !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("invalid raw JSON: %v", err)
	}
}

// TestMarshalEvent writes the name first, and numbers a bad argument from
// the first after it.
func TestMarshalEvent(t *testing.T) {
	data, blobs, err := MarshalEvent("chat \"1\"", "hi", []byte{1})
	if err != nil || string(data) != `["chat \"1\"","hi",{"_placeholder":true,"num":0}]` || len(blobs) != 1 {
		t.Errorf("MarshalEvent: %s %v %v", data, blobs, err)
	}
	if data, _, err := MarshalEvent("ping"); err != nil || string(data) != `["ping"]` {
		t.Errorf("no arguments: %s %v", data, err)
	}
	if _, _, err := MarshalEvent("x", 1, json.RawMessage(`{`)); err == nil || !strings.Contains(err.Error(), "argument 2") {
		t.Errorf("a bad second argument: %v", err)
	}
}

func TestReplacePlaceholders(t *testing.T) {
	data := []byte(`["x",{"_placeholder":true,"num":1},{"n":[{"num":0,"_placeholder":true}]},{"_placeholder":false,"num":0}]`)
	got, err := ReplacePlaceholders(data, [][]byte{{0xA}, {0xB}}, func(dst, blob []byte) []byte {
		return append(dst, []byte{'"', 'a' + blob[0] - 0xA, '"'}...)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `["x","b",{"n":["a"]},{"_placeholder":false,"num":0}]`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if _, err := ReplacePlaceholders(data, nil, nil); !errors.Is(err, ErrPlaceholder) {
		t.Errorf("missing attachment: %v", err)
	}
	deep := bytes.Repeat([]byte("["), maxDepth+2)
	deep = append(deep, bytes.Repeat([]byte("]"), maxDepth+2)...)
	if _, err := ReplacePlaceholders(deep, nil, nil); err == nil {
		t.Error("no error for nesting deeper than the limit")
	}
}
