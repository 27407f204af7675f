package wire

import (
	"reflect"
	"testing"
)

// roundTrip checks that packets that decoded encode to a payload that
// decodes to the same packets.
func roundTrip(t *testing.T, packets []Packet, v Version) {
	enc := EncodePayload(nil, packets, v)
	again, err := DecodePayload(enc, v, false)
	if err != nil {
		t.Fatalf("re-decoding %q: %v", enc, err)
	}
	if len(packets) == 0 && len(again) == 0 {
		return
	}
	for i := range packets {
		if len(packets[i].Data) == 0 {
			packets[i].Data = nil
		}
	}
	for i := range again {
		if len(again[i].Data) == 0 {
			again[i].Data = nil
		}
	}
	if !reflect.DeepEqual(packets, again) {
		t.Fatalf("round trip changed the packets:\n%v\n%v", packets, again)
	}
}

// Seeds are payloads captured from real servers (socket.io 2.5 and 4.8)
// and the cases of the engine.io-protocol test suite.

func FuzzDecodePayloadEIO4(f *testing.F) {
	for _, s := range []string{capturedEIO4Open, capturedEIO4Bin, "4hello\x1e2\x1e4world", "6", "1", "3probe", "", "b", "4\x1e"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		packets, err := DecodePayload(body, Version4, false)
		if err != nil {
			return
		}
		roundTrip(t, packets, Version4)
	})
}

func FuzzDecodePayloadEIO3(f *testing.F) {
	for _, s := range []string{capturedEIO3Open, capturedEIO3Echo, "6:4hello6:4world", "2:4€", "10:b4AQIDBA==", "0:", "1:6", "3:4😀", "2:4😀"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		packets, err := DecodePayload(body, Version3, false)
		if err != nil {
			return
		}
		roundTrip(t, packets, Version3)
	})
}

func FuzzDecodePayloadXHR2(f *testing.F) {
	f.Add(capturedXHR2)
	f.Add([]byte("\x00\x06\xff4hello\x01\x05\xff\x04\x01\x02\x03\x04"))
	f.Add([]byte("\x00\x01\xff6"))
	f.Fuzz(func(t *testing.T, body []byte) {
		packets, err := DecodePayload(body, Version3, true)
		if err != nil {
			return
		}
		for _, p := range packets {
			if !p.Type.valid() {
				t.Fatalf("invalid type %d decoded", p.Type)
			}
		}
	})
}

// FuzzDecodeFrame covers WebSocket frames of both versions.
func FuzzDecodeFrame(f *testing.F) {
	f.Add([]byte("0"+capturedEIO4Open[1:]), false, false)
	f.Add([]byte("3probe"), false, true)
	f.Add([]byte{4, 1, 2, 3, 4}, true, true)
	f.Add([]byte("b4AQIDBA=="), false, true)
	f.Fuzz(func(t *testing.T, data []byte, binary, v3 bool) {
		v := Version4
		if v3 {
			v = Version3
		}
		p, err := DecodeFrame(data, binary, v)
		if err == nil && !p.Type.valid() {
			t.Fatalf("invalid type %d decoded", p.Type)
		}
	})
}

// FuzzParseHandshake parses open packets' JSON, seeded with what real
// servers sent: whatever it accepts has heartbeat values a timer can take.
func FuzzParseHandshake(f *testing.F) {
	f.Add([]byte(capturedEIO4Open[1:]))
	f.Add([]byte(capturedEIO3Open[4:99]))
	f.Add([]byte(`{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000}`))
	f.Add([]byte(`{"sid":"x","pingInterval":1e300,"pingTimeout":0.0001,"maxPayload":1e10}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHandshake(data)
		if err != nil {
			return
		}
		if h.SID == "" || h.PingInterval < minHeartbeat || h.PingInterval > maxHeartbeat || h.PingTimeout < minHeartbeat || h.PingTimeout > maxHeartbeat || h.MaxPayload < 0 {
			t.Fatalf("accepted %+v", h)
		}
	})
}
