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

func (p palette) paint(b []byte, c *color.Color, s string) []byte {
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
func (p palette) appendText(b []byte, r *record) []byte {
	b = p.paint(b, p.dim, r.time.Local().Format(time.TimeOnly+".000"))
	b = append(b, ' ')
	ns := r.ns
	if ns == "" {
		ns = "*"
	}
	b = p.paint(b, p.ns, fmt.Sprintf("%-6s", ns))
	b = append(b, ' ')
	if r.client != "" {
		b = p.paint(b, p.dim, r.client)
		b = append(b, "  "...)
	}
	switch r.typ {
	case "event":
		b = p.paint(b, p.event, r.event)
		if r.ackID != nil {
			b = p.paint(b, p.dim, " (wants ack "+strconv.FormatUint(*r.ackID, 10)+")")
		}
		b = p.appendArgs(b, r.args, r.argsTail)
	case "ack":
		b = p.paint(b, p.event, "ack")
		b = p.paint(b, p.dim, " of "+r.event)
		b = p.appendArgs(b, r.args, false)
		if r.rtt != nil {
			b = p.paint(b, p.dim, "  ("+r.rtt.Round(time.Microsecond).String()+")")
		}
	default:
		c := p.lifecycle
		if r.err != "" || r.message != nil || r.typ == "reconnect_failed" {
			c = p.bad
		}
		b = p.paint(b, c, "● "+r.typ)
		b = append(b, p.lifecycleDetail(r)...)
	}
	return b
}

func (p palette) lifecycleDetail(r *record) string {
	s := ""
	add := func(f string, a ...any) { s += "  " + fmt.Sprintf(f, a...) }
	if r.session != nil {
		add("sid %s, Engine.IO %d, Socket.IO protocol %d, %s", r.session.SID, r.session.Engine, r.session.Protocol, r.session.Transport)
	}
	if r.socketID != "" {
		add("id %s", r.socketID)
	}
	if r.transport != "" {
		add("Engine.IO %d, %s, from %s", r.eio, r.transport, r.remote)
	}
	if len(r.auth) > 0 {
		add("auth %s", r.auth)
	}
	if r.recovered != nil && *r.recovered {
		add("(state recovered)")
	}
	if r.reason != "" {
		add("%s", r.reason)
	}
	if r.attempt > 0 {
		add("attempt %d", r.attempt)
	}
	if r.from != "" {
		add("%s -> %s", r.from, r.to)
	}
	if r.rtt != nil {
		add("rtt %s", r.rtt.Round(time.Microsecond))
	}
	if r.message != nil {
		add("%s", *r.message)
	}
	if len(r.data) > 0 {
		add("%s", r.data)
	}
	if r.err != "" {
		add("%s", r.err)
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
		return append(append(b, "  "...), args...)
	}
	for _, e := range elems {
		b = append(b, "  "...)
		b = p.appendJSON(b, e)
	}
	return b
}
