package script

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/pkg/sioclient"
)

// Hooks hear what a Loop's steps do, on the goroutine running them.
type Hooks struct {
	// Emit hears each emit as it is sent.
	Emit func(event string)
	// Ack hears the answer to each emit that waited for one, or why none
	// came (err, and a nil ack).
	Ack func(event string, ack *sioclient.Ack, err error)
}

// loopRefused are the steps a Loop cannot carry out: its session is
// connected once, by whoever owns it, and stays on one namespace.
var loopRefused = map[string]string{
	"connect":           "each client is connected once, with the command's options",
	"ns":                "each client stays on the namespace it was connected to",
	"use":               "each client stays on the namespace it was connected to",
	"disconnect":        "each client stays connected until the run ends",
	"reconnect":         "each client stays connected until the run ends",
	"expect-error":      "each client is connected once, with the command's options",
	"expect-disconnect": "each client stays connected until the run ends",
	"trace":             "use the command's --trace",
	"exit":              "the run ends by --duration or --iterations",
}

// maxLoopEvents bounds the events a Loop keeps for its expect steps.
const maxLoopEvents = 256

// Loop carries out the same steps again and again on one connected
// session, as each client of a load test does. It reports nothing: its
// Hooks hear the emits and acks, and Run returns the first step that
// failed.
type Loop struct {
	r     *runner
	steps []Step
}

// CheckLoop says whether steps can run in a Loop, naming the first that
// cannot.
func CheckLoop(steps []Step) error {
	table := commands(nil)
	for _, st := range steps {
		text, _ := cmdline.Expand(st.Text, placeholder)
		words, _ := cmdline.Split(text)
		p, err := table.Parse(words)
		if err != nil {
			return &SyntaxError{Line: st.Line, Err: err}
		}
		if why, ok := loopRefused[p.Spec.Name]; ok {
			return &SyntaxError{Line: st.Line, Err: fmt.Errorf("%s cannot be a load test's step: %s", p.Spec.Name, why)}
		}
	}
	return nil
}

// NewLoop returns a Loop of steps (checked by CheckLoop) on sess. The
// session's events must be handed to Observe.
func NewLoop(steps []Step, sess *session.Session, hooks Hooks) *Loop {
	r := &runner{vars: map[string]json.RawMessage{}, wake: make(chan struct{}, 1), sess: sess, hooks: hooks}
	r.table = commands(r)
	return &Loop{r: r, steps: steps}
}

// Observe takes an event of the session, for the expect steps; the
// oldest are let go beyond a bound, so that events nobody expects do not
// pile up.
func (l *Loop) Observe(e *sioclient.Event) {
	r := l.r
	r.mu.Lock()
	if len(r.events) >= maxLoopEvents {
		r.events = append(r.events[:0], r.events[1:]...)
	}
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.signal()
}

// Run carries out the steps once with vars set (besides those the steps
// set), and returns the first failure, naming its line.
func (l *Loop) Run(ctx context.Context, vars map[string]json.RawMessage) error {
	r := l.r
	for k, v := range vars {
		r.vars[k] = v
	}
	for i, st := range l.steps {
		r.next = l.steps[i+1:]
		if err := r.step(ctx, st); err != nil {
			return &StepError{Line: st.Line, Step: strings.ReplaceAll(st.Text, "\n", " "), Err: err}
		}
	}
	return nil
}

// StepError is a step that failed.
type StepError struct {
	Line int
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("line %d: %s: %v", e.Line, e.Step, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }
