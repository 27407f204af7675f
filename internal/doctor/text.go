package doctor

import (
	"github.com/siocli/sio/internal/outcome"

	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"

	"github.com/siocli/sio/internal/output"
)

// Printer writes a report as it is made, for people.
type Printer struct {
	w                       io.Writer
	ok, warn, bad, dim, key *color.Color
}

// NewPrinter returns a Printer writing to w, in colour or not.
func NewPrinter(w io.Writer, colour bool) *Printer {
	mk := func(a ...color.Attribute) *color.Color { return output.Color(colour, a...) }
	return &Printer{w: w, ok: mk(color.FgGreen, color.Bold), warn: mk(color.FgYellow, color.Bold), bad: mk(color.FgRed, color.Bold), dim: mk(color.Faint), key: mk(color.FgBlue)}
}

// Header writes what is being diagnosed.
func (p *Printer) Header(url, namespace string) {
	fmt.Fprintf(p.w, "sio doctor %s (namespace %s)\n\n", url, namespace)
}

// Step writes a step: a note when a long one begins, its mark, duration
// and facts when it ends.
func (p *Printer) Step(s *Step) {
	if s.Status == "" {
		if s.Waiting != "" {
			fmt.Fprintf(p.w, "%s\n", p.dim.Sprintf("  … %d. %s: %s", s.Number, s.Title, s.Waiting))
		}
		return
	}
	mark := map[Status]string{OK: p.ok.Sprint("✓"), Warn: p.warn.Sprint("!"), Fail: p.bad.Sprint("✗"), Skip: p.dim.Sprint("-")}[s.Status]
	title := fmt.Sprintf("%d. %s", s.Number, s.Title)
	if s.Status == Skip {
		why := ""
		for _, f := range s.Facts {
			if f.Key == "skipped" {
				why = f.Value
			}
		}
		fmt.Fprintf(p.w, "%s %s\n", mark, p.dim.Sprintf("%-38s skipped: %s", title, why))
		return
	}
	fmt.Fprintf(p.w, "%s %-38s %s\n", mark, title, p.dim.Sprint(ms(s.Duration)))
	width := 0
	for _, f := range s.Facts {
		width = max(width, len(f.Key))
	}
	for _, f := range s.Facts {
		fmt.Fprintf(p.w, "    %s  %s\n", p.key.Sprintf("%-*s", width, f.Key), output.Visible(f.Value))
	}
}

// Watch writes a line of --watch as it happens.
func (p *Printer) Watch(l WatchLine) {
	c := p.dim
	if l.Bad {
		c = p.bad
	}
	fmt.Fprintf(p.w, "    %s  %s\n", p.dim.Sprint(l.Time.Local().Format("15:04:05.000")), c.Sprint(output.Visible(l.Text)))
}

// Verdict writes the verdict.
func (p *Printer) Verdict(v Verdict) {
	c := map[outcome.Kind]*color.Color{outcome.OK: p.ok, outcome.Unreachable: p.bad, outcome.Expectation: p.warn}[v.Kind]
	fmt.Fprintf(p.w, "\n%s %s\n", c.Sprint("Verdict:"), v.Summary)
	for _, f := range v.Problems {
		fmt.Fprintf(p.w, "\n  %s %s\n", p.bad.Sprint("✗"), wrap(output.Visible(f.Problem), 4))
		if f.Fix != "" {
			fmt.Fprintf(p.w, "    %s %s\n", p.ok.Sprint("Fix:"), wrap(f.Fix, 4))
		}
	}
}

// wrap folds text at 80 columns, indenting continued lines.
func wrap(s string, indent int) string {
	var b strings.Builder
	col := indent
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if col+1+len(w) > 80 {
				b.WriteString("\n" + strings.Repeat(" ", indent+2))
				col = indent + 2
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
