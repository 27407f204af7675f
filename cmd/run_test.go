package cmd

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/sioserver"
	"github.com/siocli/sio/internal/testserver"
)

// connOpts are the connection flags' defaults, as cobra would fill them.
func connOpts(url string) ConnOptions {
	return ConnOptions{URL: url, Path: "/socket.io", Transport: "auto", EIO: "auto", Parser: "json",
		ConnectTimeout: 5 * time.Second, ReconnectDelay: time.Second, ReconnectDelayMax: 5 * time.Second}
}

func streams(in string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errb}, &out, &errb
}

func TestEmitRun(t *testing.T) {
	url := testserver.InProcess(t, sioserver.Options{})
	ios, out, errb := streams("")
	err := emitRun(&EmitOptions{IO: ios, Conn: connOpts(url), Event: "echo", Args: []string{"hi", "42"}, Ack: true,
		Timeout: 5 * time.Second, Output: "json", Then: []string{`echo {"a": 1} --ack`}})
	if err != nil || !strings.Contains(out.String(), `"args":["hi",42]`) || !strings.Contains(out.String(), `"args":[{"a": 1}]`) {
		t.Errorf("%v\n%s%s", err, out, errb)
	}
	refused := testserver.InProcess(t, sioserver.Options{RequireAuth: map[string]json.RawMessage{"token": json.RawMessage(`"x"`)}})
	ios, _, _ = streams("")
	err = emitRun(&EmitOptions{IO: ios, Conn: connOpts(refused), Event: "echo", Timeout: time.Second, Output: "json"})
	if exitCode(err) != ExitRefused {
		t.Errorf("refused: exit %d, %v", exitCode(err), err)
	}
}

func TestRunRun(t *testing.T) {
	url := testserver.InProcess(t, sioserver.Options{})
	ios, out, _ := streams("emit echo 1 --expect [1]\nemit --ack echo \"v\" --expect [\"w\"]\n")
	err := runRun(&RunOptions{IO: ios, Conn: connOpts(url), File: "-", Output: "text"})
	if exitCode(err) != ExitCheckFailed || !strings.Contains(out.String(), "1 passed, 1 failed") {
		t.Errorf("exit %d: %s", exitCode(err), out)
	}
	ios, out, _ = streams("ns /admin --auth {\"token\":\"no\"}\n")
	refused := testserver.InProcess(t, sioserver.Options{RequireAuth: map[string]json.RawMessage{"token": json.RawMessage(`"x"`)}})
	o := connOpts(refused)
	o.Namespaces = []string{"/open"}
	err = runRun(&RunOptions{IO: ios, Conn: o, File: "-", Output: "text"})
	if exitCode(err) != ExitRefused {
		t.Errorf("a refused ns: exit %d: %s", exitCode(err), out)
	}
}

func TestReplRunPiped(t *testing.T) {
	url := testserver.InProcess(t, sioserver.Options{})
	ios, out, errb := streams("emit echo hi --ack\nfrob\nexit\n")
	err := replRun(&ReplOptions{IO: ios, Conn: connOpts(url), Output: "auto", Timeout: 5 * time.Second})
	if exitCode(err) != ExitError || !strings.Contains(out.String(), `"type":"ack"`) || !strings.Contains(errb.String(), "frob: unknown command") {
		t.Errorf("exit %d\n%s%s", exitCode(err), out, errb)
	}
}
