package wire

import "testing"

func TestParseErrorBody(t *testing.T) {
	for body, want := range map[string]ErrorCode{
		`{"code":1,"message":"Session ID unknown"}`: CodeUnknownSID,
		`{"code":0}`:                 CodeTransportUnknown,
		`{"message":"no code"}`:      CodeNone,
		`Session ID unknown`:         CodeNone,
		``:                           CodeNone,
		`{"code":"1","message":"x"}`: CodeNone,
	} {
		code, _, ok := ParseErrorBody([]byte(body))
		if code != want || ok != (want != CodeNone) {
			t.Errorf("ParseErrorBody(%q) = %v, %v; want %v", body, code, ok, want)
		}
	}
	if _, msg, _ := ParseErrorBody([]byte(`{"code":3,"message":"Bad request"}`)); msg != "Bad request" {
		t.Errorf("message %q", msg)
	}
}
