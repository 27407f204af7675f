package output

import (
	"fmt"
	"strconv"
	"time"

	"github.com/fatih/color"
)

// palette colours the parts of a text line; without colour every function
// returns its input.
type palette struct {
	on                                  bool
	pretty, full                        bool // args over several lines; long values kept whole
	dim, ns, event, lifecycle, bad, key *color.Color
	str, num, lit                       *color.Color
}

func newPalette(on bool) palette {
	p := palette{on: on}
	mk := func(attrs ...color.Attribute) *color.Color { return Color(on, attrs...) }
	p.dim = mk(color.Faint)
	p.ns = mk(color.FgCyan)
	p.event = mk(color.FgGreen, color.Bold)
	p.lifecycle = mk(color.FgYellow)
	p.bad = mk(color.FgRed, color.Bold)
	p.key = mk(color.FgBlue)
	p.str = mk(color.FgGreen)
	p.num = mk(color.FgMagenta)
	p.lit = mk(color.FgYellow)
	return p
}

// Color returns a colour that is on or off whatever the terminal, so that
// the caller decides (colour only on a terminal, and not with NO_COLOR).
func Color(on bool, attrs ...color.Attribute) *color.Color {
	c := color.New(attrs...)
	if on {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	return c
}

// paint writes s, made Visible, in the colour c.
func (p palette) paint(b []byte, c *color.Color, s string) []byte {
	s = Visible(s)
	if !p.on {
		return append(b, s...)
	}
	return append(b, c.Sprint(s)...)
}

// appendText writes a record as a readable line:
//
//	12:00:01.123 /admin  chat  "hi" {"n":1}
//	12:00:01.200 /admin  ack of chat  "ok"  (1.2ms)
//	12:00:02.000 /       ● disconnect  transport close
func (p palette) appendText(b []byte, r *Record) []byte {
	b = p.paint(b, p.dim, r.Time.Local().Format(time.TimeOnly+".000"))
	b = append(b, ' ')
	ns := r.NS
	if ns == "" {
		ns = "*"
	}
	b = p.paint(b, p.ns, fmt.Sprintf("%-6s", ns))
	b = append(b, ' ')
	if r.Client != "" {
		b = p.paint(b, p.dim, r.Client)
		b = append(b, "  "...)
	}
	switch r.Type {
	case "event":
		b = p.paint(b, p.event, r.Event)
		if r.AckID != nil {
			b = p.paint(b, p.dim, " (wants ack "+strconv.FormatUint(*r.AckID, 10)+")")
		}
		b = p.appendArgs(b, r.Args, r.argsTail)
	case "reply":
		b = p.paint(b, p.event, "reply")
		b = p.paint(b, p.dim, " to "+r.Event+" (ack "+strconv.FormatUint(*r.AckID, 10)+")")
		b = p.appendArgs(b, r.Args, false)
	case "ack":
		b = p.paint(b, p.event, "ack")
		b = p.paint(b, p.dim, " of "+r.Event)
		b = p.appendArgs(b, r.Args, false)
		if r.RTT != nil {
			took := r.RTT.Round(time.Microsecond).String()
			if r.Held != nil {
				took += "; sio held the emit " + r.Held.Round(time.Microsecond).String() + " first"
			}
			b = p.paint(b, p.dim, "  ("+took+")")
		}
	default:
		c := p.lifecycle
		if r.Error != "" || r.Message != nil || r.Type == "reconnect_failed" {
			c = p.bad
		}
		b = p.paint(b, c, "● "+r.Type)
		b = append(b, Visible(p.lifecycleDetail(r))...)
	}
	return b
}

func (p palette) lifecycleDetail(r *Record) string {
	s := ""
	add := func(f string, a ...any) { s += "  " + fmt.Sprintf(f, a...) }
	if r.Session != nil {
		add("sid %s, Engine.IO %d, Socket.IO protocol %d, %s", r.Session.SID, r.Session.Engine, r.Session.Protocol, r.Session.Transport)
	}
	if r.SocketID != "" {
		add("id %s", r.SocketID)
	}
	if r.Transport != "" {
		add("Engine.IO %d, %s, from %s", r.EIO, r.Transport, r.Remote)
	}
	if len(r.Auth) > 0 {
		add("auth %s", r.Auth)
	}
	if r.Recovered != nil && *r.Recovered {
		add("(state recovered)")
	}
	if r.Room != "" {
		add("room %s", r.Room)
	}
	if r.Reason != "" {
		add("%s", r.Reason)
	}
	if r.Attempt > 0 {
		add("attempt %d", r.Attempt)
	}
	if r.From != "" {
		add("%s -> %s", r.From, r.To)
	}
	if r.RTT != nil {
		add("rtt %s", r.RTT.Round(time.Microsecond))
	}
	if r.Message != nil {
		add("%s", *r.Message)
	}
	if len(r.Data) > 0 {
		add("%s", r.Data)
	}
	if r.Error != "" {
		add("%s", r.Error)
	}
	return s
}

// appendArgs writes each argument after two spaces, as coloured JSON. tail
// says args lacks its opening bracket.
func (p palette) appendArgs(b []byte, args []byte, tail bool) []byte {
	if tail {
		args = append([]byte{'['}, args...)
	}
	elems, err := splitArgs(args)
	if err != nil {
		return append(append(b, "  "...), Visible(string(args))...)
	}
	for i, e := range elems {
		elems[i] = visibleJSON(e)
	}
	if p.pretty {
		return p.appendPretty(b, elems)
	}
	for _, e := range elems {
		b = append(b, "  "...)
		b = p.appendJSON(b, e)
	}
	return b
}

// visibleJSON is Visible for an argument's JSON: its strings may hold
// bytes that are not UTF-8, C1 controls and bidirectional overrides raw.
func visibleJSON(e []byte) []byte {
	for _, c := range e {
		if c < 0x20 || c >= 0x7f {
			return []byte(Visible(string(e)))
		}
	}
	return e
}
