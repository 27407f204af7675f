// Package doctor finds out why a Socket.IO connection or its WebSocket
// upgrade fails: it runs the connection's steps one at a time (name
// resolution and TCP, TLS, the polling handshake, session stickiness, a
// direct WebSocket, the upgrade, the namespace connect, a heartbeat),
// records what each found, and draws a verdict with the likely fix.
package doctor

import (
	"github.com/siocli/sio/internal/outcome"

	"bytes"
	"encoding/json"
	"time"
)

// Status is how a step went.
type Status string

// The statuses of a step.
const (
	OK   Status = "ok"
	Warn Status = "warn" // it works, with a caveat
	Fail Status = "fail"
	Skip Status = "skip" // not run: it does not apply or an earlier step failed
)

// Fact is one thing a step found, such as "sid" and its value.
type Fact struct {
	Key, Value string
}

// Facts keep their order and print as a JSON object.
type Facts []Fact

// MarshalJSON writes the facts as one object, in order.
func (fs Facts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		v, _ := json.Marshal(f.Value)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Step is one step of the diagnosis.
type Step struct {
	Number   int           `json:"step"`
	Name     string        `json:"name"`
	Title    string        `json:"title"`
	Status   Status        `json:"status"`
	Duration time.Duration `json:"-"`
	MS       float64       `json:"ms"`
	Facts    Facts         `json:"facts"`
	// Problem says what is wrong and Fix what would most likely mend it,
	// for a step that failed or warns.
	Problem string `json:"problem,omitempty"`
	Fix     string `json:"fix,omitempty"`
}

func (s *Step) fact(k, v string) { s.Facts = append(s.Facts, Fact{k, v}) }

func (s *Step) fail(problem, fix string) {
	s.Status, s.Problem, s.Fix = Fail, problem, fix
}

func (s *Step) warn(problem, fix string) {
	s.Status, s.Problem, s.Fix = Warn, problem, fix
}

// Finding is a problem and its fix, as the verdict lists them.
type Finding struct {
	Step    string `json:"step"`
	Problem string `json:"problem"`
	Fix     string `json:"fix,omitempty"`
}

// Verdict sums the report up.
type Verdict struct {
	// Kind is the outcome: OK when a connection works over the best
	// transport the server offers, Expectation when a problem was found,
	// Unreachable when nothing connects.
	Kind outcome.Kind `json:"-"`
	// Code is the exit code Kind stands for, set by the command that
	// prints the report.
	Code int `json:"code"`
	// Transports says which transports work.
	Transports map[string]bool `json:"transports"`
	Summary    string          `json:"summary"`
	Problems   []Finding       `json:"problems"`
}

// Report is the whole diagnosis.
type Report struct {
	URL       string  `json:"url"`
	Namespace string  `json:"namespace"`
	Engine    int     `json:"eio,omitempty"` // the Engine.IO version found
	Steps     []*Step `json:"steps"`
	Verdict   Verdict `json:"verdict"`
}
