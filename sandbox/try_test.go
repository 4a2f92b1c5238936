//go:build linux

package sandbox

import (
	"bytes"
	"context"
	"testing"
)

func TestTry(t *testing.T) {
	s := newTestSandbox(t, Config{})
	var out, errb bytes.Buffer
	res, err := s.Run(context.Background(), Spec{Argv: []string{"sh", "-c", "id; hostname; ls /; ls /etc; cat /proc/self/status | grep -i cap; ip addr 2>&1 | head -3; echo $HOME; pwd"}, Stdout: &out, Stderr: &errb})
	t.Logf("mode %s res %+v err %v\nstdout:\n%s\nstderr:\n%s", s.Mode(), res, err, out.String(), errb.String())
}
