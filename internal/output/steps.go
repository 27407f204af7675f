package output

// Step is the line sio run prints, with -o json, for each step of a
// script.
type Step struct {
	Error string  `json:"error,omitempty"` // why the step failed
	Line  int     `json:"line"`            // where the step starts, from 1
	MS    float64 `json:"ms"`              // how long it took
	Note  string  `json:"note,omitempty"`  // what it found: an ack, a value set
	OK    bool    `json:"ok"`
	Step  string  `json:"step"` // as written, on one line
}

// Summary is the last line sio run prints with -o json.
type Summary struct {
	Passed int `json:"passed"`
	Failed int `json:"failed"`
}
