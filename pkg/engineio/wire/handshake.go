package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Handshake is what the server said in its open packet.
type Handshake struct {
	SID          string
	Upgrades     []string
	PingInterval time.Duration
	PingTimeout  time.Duration
	// MaxPayload is the largest POST body the server takes; 0 when the
	// server did not say (engine.io before 6.2), in which case 1,000,000
	// bytes is assumed for batching.
	MaxPayload int
	// Raw is the open packet's JSON as the server sent it.
	Raw []byte
}

// The heartbeat values a handshake may announce: at least a millisecond
// (less would make the client ping or time out in a tight loop), at most
// JavaScript's longest timer, 2^31-1 ms (about 24.8 days).
const (
	minHeartbeat = time.Millisecond
	maxHeartbeat = math.MaxInt32 * time.Millisecond
)

// ParseHandshake parses the data of an open packet: its JSON, with a sid
// and pingInterval and pingTimeout in milliseconds within what a timer can
// take. A malformed handshake is an error naming the field.
func ParseHandshake(data []byte) (Handshake, error) {
	var v struct {
		SID          string   `json:"sid"`
		Upgrades     []string `json:"upgrades"`
		PingInterval *float64 `json:"pingInterval"`
		PingTimeout  *float64 `json:"pingTimeout"`
		MaxPayload   float64  `json:"maxPayload"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return Handshake{}, fmt.Errorf("bad open packet: %w", err)
	}
	if v.SID == "" || v.PingInterval == nil || v.PingTimeout == nil {
		return Handshake{}, errors.New("open packet lacks sid, pingInterval or pingTimeout")
	}
	interval, err := heartbeat("pingInterval", *v.PingInterval)
	if err != nil {
		return Handshake{}, err
	}
	timeout, err := heartbeat("pingTimeout", *v.PingTimeout)
	if err != nil {
		return Handshake{}, err
	}
	if v.MaxPayload < 0 || v.MaxPayload > math.MaxInt32 {
		return Handshake{}, fmt.Errorf("open packet: maxPayload %v is not a size in bytes", v.MaxPayload)
	}
	return Handshake{
		SID:          v.SID,
		Upgrades:     v.Upgrades,
		PingInterval: interval,
		PingTimeout:  timeout,
		MaxPayload:   int(v.MaxPayload),
		Raw:          append([]byte(nil), data...),
	}, nil
}

// heartbeat reads a heartbeat value in milliseconds.
func heartbeat(field string, ms float64) (time.Duration, error) {
	d := time.Duration(ms * float64(time.Millisecond))
	if math.IsNaN(ms) || ms*float64(time.Millisecond) > float64(maxHeartbeat) || d < minHeartbeat {
		return 0, fmt.Errorf("open packet: %s %v ms is outside 1 ms to %d ms", field, ms, maxHeartbeat.Milliseconds())
	}
	return d, nil
}

// LooksEIO3 reports whether a handshake body is an Engine.IO 3 payload:
// length-prefixed records, or (binary) an XHR2 binary payload.
func LooksEIO3(body []byte, binary bool) bool {
	if binary {
		return true
	}
	i := 0
	for i < len(body) && body[i] >= '0' && body[i] <= '9' {
		i++
	}
	return i > 0 && i < len(body) && body[i] == ':'
}
