package console

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/siocli/sio/internal/sioserver"
)

func TestExec(t *testing.T) {
	srv := sioserver.New(sioserver.Options{})
	defer srv.Close()
	var out bytes.Buffer
	c := New(srv, &out)
	for _, tc := range []struct{ line, err, out string }{
		{"", "", ""},
		{"# a comment", "", ""},
		{"emit", "emit: no event name", ""},
		{"emit connect", `emit: "connect" is a reserved event name`, ""},
		{"emit news hello {\"a\": 1} --ack", "", "sent to 0 clients on /\n"},
		{"emit news {\"a\": ", "incomplete input", ""},
		{"to", "to: wants an id or a room and an emit (use: to ID|ROOM emit EVENT [ARG...])", ""},
		{"to abc emit --ack", "emit: no event name", ""},
		{"to abc emit news", "no client, socket or room has that name: abc", ""},
		{"kick", "kick: wants a client or socket id (use: kick ID)", ""},
		{"kick abc", "no client, socket or room has that name: abc", ""},
		{"clients", "", "no clients\n"},
		{"bogus", "bogus: unknown command; try help", ""},
		// The shell's emit grammar: options anywhere, -- ends them.
		{"emit --ack news hello", "", "sent to 0 clients on /\n"},
		{"emit news -- --ack", "", "sent to 0 clients on /\n"},
		{"emit news --nope", "emit: unknown option --nope", ""},
	} {
		out.Reset()
		err := c.Exec(tc.line)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: error %v, want %q", tc.line, err, tc.err)
		}
		if out.String() != tc.out {
			t.Errorf("%q printed %q, want %q", tc.line, out.String(), tc.out)
		}
	}
	if err := c.Exec("ns admin"); err != nil || c.Prompt() != "serve /admin> " {
		t.Errorf("ns: %v, prompt %q", err, c.Prompt())
	}
	if err := c.Exec("exit"); !errors.Is(err, ErrQuit) {
		t.Errorf("exit: %v", err)
	}
	out.Reset()
	c.Exec("help")
	if !strings.Contains(out.String(), "to ID|ROOM emit EVENT") {
		t.Errorf("help: %s", out.String())
	}
}
