package doctor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/engineio/wire"
	"github.com/siocli/sio/pkg/sioclient"
)

// sizeEvent is the event the size probe emits; servers ignore events
// they have no handler for.
const sizeEvent = "sio-doctor-size"

// maxProbe bounds the size probe when the server announces no maxPayload.
const maxProbe = 10 << 20

// sizeProbes bounds the probes of one transport.
const sizeProbes = 18

// probeResult is what one probe saw: accepted, or the session ended and
// why.
type probeResult struct {
	ok     bool
	reason string
	err    error
}

// maxSize finds the largest message the server takes on each transport
// that works, growing emits until the session ends, then narrowing down,
// each probe on a connection of its own; and compares that with the
// maxPayload the handshake announced.
func (r *run) maxSize(s *Step) {
	if !r.nsConnected {
		skip(s, "no namespace connected")
		return
	}
	announced := 0
	if r.hs != nil {
		announced = r.hs.MaxPayload
	}
	// Past what the server announces too, to see that it holds to it.
	bound := announced + announced/4
	if bound <= 0 {
		bound = maxProbe
	}
	if announced > 0 {
		fact(s, "announced", fmt.Sprintf("maxPayload %d bytes (%s), the server's maxHttpBufferSize", announced, output.Bytes(int64(announced))))
	} else {
		fact(s, "announced", fmt.Sprintf("no maxPayload (Engine.IO 3, or engine.io before 6.2): probing up to %s", output.Bytes(maxProbe)))
	}
	var problems, fixes []string
	transports := []wire.Transport{}
	if r.pollingOK && r.stickyOK {
		transports = append(transports, wire.Polling)
	}
	if r.wsOK || r.upgradeOK {
		transports = append(transports, wire.WebSocket)
	}
	for _, tr := range transports {
		largest, first, res := r.sizeSearch(tr, bound)
		switch {
		case first == 0 && announced > 0:
			fact(s, string(tr), fmt.Sprintf("every size up to %s taken, more than the announced maxPayload: the server does not hold to it", sizeText(largest)))
		case first == 0:
			fact(s, string(tr), fmt.Sprintf("every size up to %s taken", sizeText(largest)))
		case largest == 0:
			fact(s, string(tr), fmt.Sprintf("even %s ended the session: %s", sizeText(first), res.describe()))
		default:
			fact(s, string(tr), fmt.Sprintf("up to %s taken; %s ended the session: %s", sizeText(largest), sizeText(first), res.describe()))
		}
		if first > 0 && announced > 0 && largest >= announced*95/100 {
			fact(s, string(tr)+" limit", "the server's own: maxHttpBufferSize ("+sizeText(announced)+"), as announced")
		}
		if first == 0 || announced <= 0 || largest >= announced*95/100 {
			continue
		}
		// Less than the server announces: something in between is
		// stricter.
		p := fmt.Sprintf("Over %s, a message of %s (the server announces %s) ended the session (%s): something between here and the server takes less than the server does, so clients are disconnected after a big emit the server would take.",
			tr, sizeText(first), sizeText(announced), res.describe())
		f := "Raise the proxy's limit above the server's maxHttpBufferSize, or lower maxHttpBufferSize to it so that clients learn the real limit from the handshake."
		if tr == wire.Polling {
			f = "Raise the proxy's request body limit above the server's maxHttpBufferSize (" + bodyLimitFor(r.between) + "), or lower maxHttpBufferSize to it so that clients learn the real limit from the handshake."
		}
		problems, fixes = append(problems, p), append(fixes, f)
	}
	if len(problems) > 0 {
		fail(s, strings.Join(problems, " "), strings.Join(fixes, " "))
		return
	}
	fact(s, "note", "a message over the limit ends the session: the client sees a disconnect (transport close, or transport error with HTTP 413 over polling) right after the emit; the server's maxHttpBufferSize sets it")
}

// bodyLimitFor names the request body limit of the proxy found.
func bodyLimitFor(proxy string) string {
	switch proxy {
	case nginx:
		return "here nginx: `client_max_body_size`, default 1m"
	case apache:
		return "here Apache httpd: `LimitRequestBody`"
	case haproxy:
		return "here HAProxy: a `http-request deny if { req.body_size gt … }` rule, or `tune.bufsize`"
	case caddy:
		return "here Caddy: `request_body { max_size }`"
	}
	return "nginx `client_max_body_size` (default 1m), Apache `LimitRequestBody`, Caddy `request_body { max_size }`"
}

func sizeText(n int) string {
	return fmt.Sprintf("%d bytes (%s)", n, output.Bytes(int64(n)))
}

func (p probeResult) describe() string {
	if p.err != nil {
		return p.reason + ": " + output.Describe(p.err)
	}
	return p.reason
}

// sizeSearch returns the largest size taken and the smallest that ended
// the session (0 when none did up to bound), with how it ended.
func (r *run) sizeSearch(tr wire.Transport, bound int) (largest, first int, res probeResult) {
	n := 0
	probe := func(size int) probeResult {
		n++
		return r.sizeProbe(tr, size)
	}
	size := 1 << 10
	for size <= bound && n < sizeProbes {
		p := probe(size)
		if !p.ok {
			first, res = size, p
			break
		}
		largest = size
		if size == bound {
			return largest, 0, probeResult{}
		}
		size = min(size*4, bound)
	}
	if first == 0 {
		return largest, 0, probeResult{}
	}
	for first-largest > max(256, largest/50) && n < sizeProbes {
		mid := largest + (first-largest)/2
		if p := probe(mid); p.ok {
			largest = mid
		} else {
			first, res = mid, p
		}
	}
	return largest, first, res
}

// sizeProbe connects the namespace over tr, emits a message of size
// bytes on the wire and reports whether the session outlived it.
func (r *run) sizeProbe(tr wire.Transport, size int) probeResult {
	eo := r.engineOptions(tr)
	eo.NoUpgrade, eo.SendOversize = true, true
	opts := r.cfg.Manager
	opts.Engine, opts.NoReconnect = eo, true
	var mu sync.Mutex
	closed := make(chan probeResult, 1)
	opts.OnLifecycle = func(l sioclient.Lifecycle) {
		if l.Type != sioclient.LifecycleClose && l.Type != sioclient.LifecycleDisconnect {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		select {
		case closed <- probeResult{reason: l.Reason, err: l.Err}:
		default:
		}
	}
	m, err := sioclient.NewManager(r.cfg.URL, &opts)
	if err != nil {
		return probeResult{reason: "no client", err: err}
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	so := m.Socket(r.cfg.Namespace, &r.cfg.Socket)
	if err := so.Connect(ctx); err != nil {
		return probeResult{reason: "the connect failed", err: err}
	}
	overhead := len(`42["` + sizeEvent + `",""]`)
	if r.cfg.Namespace != "/" {
		overhead += len(r.cfg.Namespace) + 1
	}
	if err := so.Emit(sizeEvent, strings.Repeat("x", max(0, size-overhead))); err != nil {
		return probeResult{reason: "the emit failed", err: err}
	}
	select {
	case p := <-closed:
		return p
	case <-time.After(800 * time.Millisecond):
		return probeResult{ok: true}
	case <-r.ctx.Done():
		return probeResult{reason: "interrupted", err: r.ctx.Err()}
	}
}
