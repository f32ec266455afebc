package app

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain removes the binary, if a test built one.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binDir holds the binary once a test has built it.
var binDir string

// builtBinary builds zonewarden once for all the tests of the package that
// run it as a process.
var builtBinary = sync.OnceValues(func() (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "zonewarden-bin")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "zonewarden")
	if out, err := exec.Command(gobin, "build", "-o", bin, "github.com/zonewarden/zonewarden/cmd/zonewarden").CombinedOutput(); err != nil {
		return "", &buildError{err, out}
	}
	return bin, nil
})

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + string(e.out) }

// buildBinary returns the built binary, or skips the test when there is no
// go tool to build it with.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := builtBinary()
	if _, ok := err.(*buildError); err != nil && !ok {
		t.Skipf("no go tool to build the binary: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// process is a running zonewarden whose JSON log lines arrive on logs.
type process struct {
	cmd     *exec.Cmd
	logs    chan map[string]any
	exited  chan struct{} // closed when the process has exited
	waitErr error         // set before exited is closed
}

// environ is what a process gets: no ZONEWARDEN_* from the caller.
func environ() []string { return []string{"PATH=" + os.Getenv("PATH")} }

// startProcess runs bin with args (which should ask for JSON logs) and kills
// it when the test ends.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), logs: make(chan map[string]any, 100), exited: make(chan struct{})}
	p.cmd.Env = environ()
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Logf("zonewarden: %s", sc.Text())
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				select {
				case p.logs <- rec:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill() // an error when it has exited already
		<-p.exited           // no t.Logf after the test
	})
	return p
}

// waitLog returns the next log record whose message is msg.
func (p *process) waitLog(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case rec := <-p.logs:
			if rec["msg"] == msg {
				return rec
			}
		case <-p.exited:
			t.Fatalf("zonewarden exited waiting for %q: %v", msg, p.waitErr)
		case <-deadline:
			t.Fatalf("no %q log line in 30s", msg)
		}
	}
}

// signal sends sig, failing the test if the process has gone.
func (p *process) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// terminate sends SIGTERM and expects a clean exit.
func (p *process) terminate(t *testing.T) {
	t.Helper()
	p.signal(t, syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.waitErr != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", p.waitErr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("still running 30s after SIGTERM")
	}
}
