package output

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/siocli/sio/internal/outcome"
)

// The one JSON object sio doctor prints with -o json: its schema, written
// here with the other output records.

// DoctorStatus is how a step went.
type DoctorStatus string

// The statuses of a step.
const (
	StepOK   DoctorStatus = "ok"
	StepWarn DoctorStatus = "warn" // it works, with a caveat
	StepFail DoctorStatus = "fail"
	StepSkip DoctorStatus = "skip" // not run: it does not apply or an earlier step failed
)

// DoctorFact is one thing a step found, such as "sid" and its value.
type DoctorFact struct {
	Key, Value string
}

// DoctorFacts keep their order and print as a JSON object.
type DoctorFacts []DoctorFact

// MarshalJSON writes the facts as one object, in order.
func (fs DoctorFacts) MarshalJSON() ([]byte, error) {
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

// DoctorStep is one step of the diagnosis.
type DoctorStep struct {
	Number   int           `json:"step"`
	Name     string        `json:"name"`
	Title    string        `json:"title"`
	Status   DoctorStatus  `json:"status"`
	Duration time.Duration `json:"-"`
	MS       float64       `json:"ms"`
	Facts    DoctorFacts   `json:"facts"`
	// Problem says what is wrong and Fix what would most likely mend it,
	// for a step that failed or warns.
	Problem string `json:"problem,omitempty"`
	Fix     string `json:"fix,omitempty"`
	// Waiting, set as a long step begins, says what it waits for.
	Waiting string `json:"-"`
}

// DoctorFinding is a problem and its fix, as the verdict lists them.
type DoctorFinding struct {
	Step    string `json:"step"`
	Problem string `json:"problem"`
	Fix     string `json:"fix,omitempty"`
}

// DoctorVerdict sums the report up.
type DoctorVerdict struct {
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
	Problems   []DoctorFinding `json:"problems"`
}

// DoctorReport is the whole diagnosis.
type DoctorReport struct {
	URL       string        `json:"url"`
	Namespace string        `json:"namespace"`
	Engine    int           `json:"eio,omitempty"` // the Engine.IO version found
	Steps     []*DoctorStep `json:"steps"`
	// Drops are the connections that ended while --watch held one.
	Drops   []DoctorDrop  `json:"drops,omitempty"`
	Verdict DoctorVerdict `json:"verdict"`
}

// DoctorDrop is a connection that ended while sio doctor --watch held it.
type DoctorDrop struct {
	At     time.Time     `json:"at"`
	Lived  time.Duration `json:"-"`
	Reason string        `json:"reason"`
	// SincePing is how long before the drop the last heartbeat was; -1
	// when there was none on that connection.
	SincePing time.Duration `json:"-"`
	LivedMS   float64       `json:"lived_ms"`
	PingMS    *float64      `json:"since_ping_ms,omitempty"`
}
