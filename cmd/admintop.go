package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/siocli/sio/internal/admin"
	"github.com/siocli/sio/internal/admintop"
	"github.com/siocli/sio/internal/output"
)

// top shows the live view: full screen on a terminal, redrawn every
// --interval and on each stats report, until q, Ctrl-C or --duration;
// otherwise a line a node every --interval.
func (s *adminSession) top(ctx context.Context) error {
	model := admintop.New()
	redraw := make(chan struct{}, 1)
	defer s.cl.Observe(func(ch admin.Change) {
		if ch.Kind == admin.StatsReceived {
			model.Stats(*ch.Stats)
		}
		select {
		case redraw <- struct{}{}:
		default:
		}
	})()
	var limit <-chan time.Time
	if s.opts.Duration > 0 {
		t := time.NewTimer(s.opts.Duration)
		defer t.Stop()
		limit = t.C
	}
	tick := time.NewTicker(s.opts.Interval)
	defer tick.Stop()

	in, inOK := s.opts.IO.In.(*os.File)
	outF, outOK := s.opts.IO.Out.(*os.File)
	if !s.opts.IO.OutTTY || !outOK {
		return s.topLines(ctx, model, tick.C, limit)
	}
	var keys <-chan byte
	if s.opts.IO.InTTY && inOK {
		restore, err := rawInput(in)
		if err == nil {
			defer restore()
			k, stop := readKeys(in)
			defer stop()
			keys = k
		}
	}
	resized := make(chan os.Signal, 1)
	notifyResize(resized)
	defer signal.Stop(resized)

	fmt.Fprint(outF, "\x1b[?1049h\x1b[?25l") // the alternate screen, no cursor
	defer fmt.Fprint(outF, "\x1b[?25h\x1b[?1049l")
	title := "sio admin top  " + s.opts.Conn.shown(s.opts.Conn.URL) + " " + s.opts.AdminNS
	paused := false
	draw := func() {
		w, h := termSize(outF)
		lines := model.Render(admintop.Frame{Title: title, Now: time.Now(), Width: w, Height: h,
			Sockets: s.cl.Sockets(), Listed: s.cl.Listed(), Paused: paused})
		var b strings.Builder
		b.WriteString("\x1b[H")
		for _, l := range lines {
			b.WriteString(l)
			b.WriteString("\x1b[K\r\n")
		}
		b.WriteString("\x1b[J")
		fmt.Fprint(outF, b.String())
	}
	draw()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-limit:
			return nil
		case <-s.lost:
			return s.lostErr()
		case k := <-keys:
			switch k {
			case 'q', 'Q', 3: // 3: Ctrl-C, when the terminal is raw
				return nil
			case 's', 'S':
				model.CycleSort()
			case 'p', 'P', ' ':
				paused = !paused
			}
			draw()
		case <-resized:
			draw()
		case <-redraw:
			if !paused {
				draw()
			}
		case <-tick.C:
			if !paused {
				draw()
			}
		}
	}
}

// topRow is a node's line of top in JSON.
type topRow struct {
	Time           time.Time `json:"time"`
	Type           string    `json:"type"` // top
	Server         string    `json:"server"`
	Clients        int       `json:"clients"`
	PollingClients int       `json:"polling_clients"`
	Connections    float64   `json:"connections_per_s"`
	Disconnections float64   `json:"disconnections_per_s"`
	PacketsIn      float64   `json:"packets_in_per_s"`
	PacketsOut     float64   `json:"packets_out_per_s"`
	BytesIn        float64   `json:"bytes_in_per_s"`
	BytesOut       float64   `json:"bytes_out_per_s"`
}

// topLines prints a line a node every tick: text, or JSON with -o json
// (or auto when piped).
func (s *adminSession) topLines(ctx context.Context, model *admintop.Model, tick <-chan time.Time, limit <-chan time.Time) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-limit:
			return nil
		case <-s.lost:
			return s.lostErr()
		case now := <-tick:
			if s.out.Format() == output.Text {
				for _, l := range model.Lines(now) {
					fmt.Fprintln(s.opts.IO.Out, l)
				}
				continue
			}
			stats, rates := model.NodeRates()
			enc := json.NewEncoder(s.opts.IO.Out)
			for i, st := range stats {
				r := rates[i]
				enc.Encode(topRow{Time: now, Type: "top", Server: st.ServerID, Clients: st.Clients, PollingClients: st.PollingClients,
					Connections: r.Connections, Disconnections: r.Disconnections, PacketsIn: r.PacketsIn, PacketsOut: r.PacketsOut,
					BytesIn: r.BytesIn, BytesOut: r.BytesOut})
			}
		}
	}
}
