// Package doctor finds out why a Socket.IO connection or its WebSocket
// upgrade fails: it runs the connection's steps one at a time (name
// resolution and TCP, TLS, the polling handshake, session stickiness, a
// direct WebSocket, the upgrade, the namespace connect, a heartbeat),
// records what each found, and draws a verdict with the likely fix.
package doctor

import "github.com/siocli/sio/internal/output"

// The report's types are output's, where every output record is written
// down; these names are the doctor's for them.
type (
	Status  = output.DoctorStatus
	Fact    = output.DoctorFact
	Facts   = output.DoctorFacts
	Step    = output.DoctorStep
	Finding = output.DoctorFinding
	Verdict = output.DoctorVerdict
	Report  = output.DoctorReport
)

// The statuses of a step.
const (
	OK   = output.StepOK
	Warn = output.StepWarn // it works, with a caveat
	Fail = output.StepFail
	Skip = output.StepSkip // not run: it does not apply or an earlier step failed
)

func fact(s *Step, k, v string) { s.Facts = append(s.Facts, Fact{Key: k, Value: v}) }

func fail(s *Step, problem, fix string) {
	s.Status, s.Problem, s.Fix = Fail, problem, fix
}

func warn(s *Step, problem, fix string) {
	s.Status, s.Problem, s.Fix = Warn, problem, fix
}
