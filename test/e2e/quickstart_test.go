package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuickStart runs the README's first command as written (not on a
// terminal, so it stops after the emit).
func TestQuickStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join("..", "..", "scripts", "try.sh"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/try.sh: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `ack of hello  "world"  42`) || !strings.Contains(string(out), `hello (wants ack 0)  "world"  42`) {
		t.Errorf("scripts/try.sh printed:\n%s", out)
	}
}
