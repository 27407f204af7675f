package conform

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

	"github.com/fatih/color"

	"github.com/siocli/sio/internal/output"
)

// Printer writes the records of a run as they come: a line a check for
// people (what was sent and what came back under a check that failed),
// or one JSON object a line for programs. It lives here rather than in
// internal/output, as the doctor's does, because only sio conform prints
// these records; it takes output's colours and its escaping of what a
// server sent.
type Printer struct {
	w                   io.Writer
	json                bool
	ok, bad, dim, label *color.Color
}

// NewPrinter returns a Printer writing to w: JSON lines, or text in
// colour or not.
func NewPrinter(w io.Writer, json, colour bool) *Printer {
	mk := func(a ...color.Attribute) *color.Color { return output.Color(colour && !json, a...) }
	return &Printer{w: w, json: json, ok: mk(color.FgGreen, color.Bold), bad: mk(color.FgRed, color.Bold), dim: mk(color.Faint), label: mk(color.FgBlue)}
}

// Start writes what is checked, before the checks (text only).
func (p *Printer) Start(s Summary) {
	if p.json {
		return
	}
	what := "the protocol checks"
	if s.Suite != Protocol {
		what = "the " + string(s.Suite) + " suite"
	}
	fmt.Fprintf(p.w, "sio conform %s: %s, Engine.IO %d\n\n", output.Visible(s.URL), what, s.EIO)
}

// Check writes one check's record.
func (p *Printer) Check(r Record) {
	if p.json {
		p.writeJSON(r)
		return
	}
	ms := p.dim.Sprintf("%.0f ms", r.MS)
	switch r.Result {
	case Pass:
		fmt.Fprintf(p.w, "%s %-40s %s\n", p.ok.Sprint("✓"), r.Name, ms)
	case Skip:
		fmt.Fprintf(p.w, "%s %s\n", p.dim.Sprint("-"), p.dim.Sprintf("%-40s %s", r.Name, output.Visible(r.Why)))
		return
	default:
		fmt.Fprintf(p.w, "%s %-40s %s\n", p.bad.Sprint("✗"), r.Name, ms)
		p.fact("sent", r.Sent)
		p.fact("got", r.Got)
		p.fact("why", r.Why)
	}
	if r.Note != "" {
		fmt.Fprintf(p.w, "    %s\n", p.dim.Sprint(output.Visible(r.Note)))
	}
}

func (p *Printer) fact(key, value string) {
	fmt.Fprintf(p.w, "    %s %s\n", p.label.Sprintf("%-4s", key), output.Visible(value))
}

// Summary writes the counts.
func (p *Printer) Summary(s Summary) {
	if p.json {
		p.writeJSON(s)
		return
	}
	c := p.ok
	if s.Failed > 0 {
		c = p.bad
	}
	fmt.Fprintf(p.w, "\n%s\n", c.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped))
}

func (p *Printer) writeJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	p.w.Write(append(b, '\n'))
}

// The JUnit XML report, as CI systems read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitMessage `xml:"failure"`
	Skipped *junitMessage `xml:"skipped"`
	Out     string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(ms float64) string { return strconv.FormatFloat(ms/1000, 'f', 3, 64) }

// WriteJUnit writes the report as JUnit XML: one test suite, one test
// case a check, the failures with what was sent and what came back.
func WriteJUnit(w io.Writer, rep *Report) error {
	s := rep.Summary
	suite := junitSuite{
		Name: "sio conform " + string(s.Suite), Tests: len(rep.Records), Failures: s.Failed, Skipped: s.Skipped,
		Timestamp:  rep.Started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{{"url", s.URL}, {"eio", strconv.Itoa(s.EIO)}},
	}
	for _, r := range rep.Records {
		c := junitCase{Class: "sio.conform." + string(r.Suite), Name: r.Name, Time: seconds(r.MS), Out: r.Note}
		switch r.Result {
		case Fail:
			c.Failure = &junitMessage{Message: r.Why, Text: fmt.Sprintf("sent: %s\ngot: %s\n", r.Sent, r.Got)}
		case Skip:
			c.Skipped = &junitMessage{Message: r.Why}
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Time = seconds(float64(rep.Took.Microseconds()) / 1000)
	doc := junitSuites{Name: "sio conform", Tests: suite.Tests, Failures: s.Failed, Skipped: s.Skipped, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
