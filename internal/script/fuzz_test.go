package script

import (
	"strings"
	"testing"
)

// FuzzParse: the script parser ends on any input, and every step it
// accepts parses again on its own.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"emit --ack echo {\"id\": \"u1\", \"ok\": true} --expect [{\"ok\": true}]\nset id = args[0].id\nemit --ack echo ${id} --expect [\"u1\"]\n",
		"emit ask \"ready?\"\nexpect question [\"ready?\"]\nreply yes\nexpect answered [\"yes\"]\n",
		"connect http://127.0.0.1:3000 -n /admin --auth {\"token\":\"ok\"}\nexpect-error {\"message\":\"x\"}\n",
		"emit disconnect-me\nexpect-disconnect io server disconnect\nsleep 10ms\nprint all good for ${id}\n",
		"emit --ack echo {\n  \"id\": ${id}\n} --expect [{}]\nexpect answered [true] --within 2s\n",
		"emit x {\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		steps, err := Parse(src)
		if err != nil {
			return
		}
		for _, st := range steps {
			if _, err := Parse(st.Text); err != nil && !strings.Contains(st.Text, "\r") {
				t.Fatalf("step %q of an accepted script: %v", st.Text, err)
			}
		}
	})
}
