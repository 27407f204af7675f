package engineio

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadMessage reads messages of every size around the scratch
// buffer's, whole or a byte at a time, and passes a failure on.
func TestReadMessage(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 1500, 70000} {
		msg := bytes.Repeat([]byte{'x'}, n)
		for name, r := range map[string]io.Reader{"whole": bytes.NewReader(msg), "bytewise": iotest.OneByteReader(bytes.NewReader(msg))} {
			got, err := readMessage(r)
			if err != nil || !bytes.Equal(got, msg) || got == nil {
				t.Errorf("%d bytes %s: %d bytes, %v", n, name, len(got), err)
			}
		}
	}
	cut := errors.New("cut")
	for _, n := range []int{10, 600} {
		r := io.MultiReader(bytes.NewReader(make([]byte, n)), iotest.ErrReader(cut))
		if _, err := readMessage(r); !errors.Is(err, cut) {
			t.Errorf("cut after %d bytes: %v", n, err)
		}
	}
}
