package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// part is one long-running piece of a role (the DNS server, the propagator,
// an HTTP listener…): it runs until its context ends and returns nil then.
type part struct {
	name string
	run  func(context.Context) error
}

// runParts runs every part until ctx ends, or until one of them stops on
// its own: then the others are stopped too, and that part's error is
// returned. A role is a set of parts that live and die together.
func runParts(ctx context.Context, parts ...part) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Go(func() {
			if err := p.run(ctx); err != nil && ctx.Err() == nil {
				cancel(fmt.Errorf("%s: %w", p.name, err))
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// httpPart serves srv on ln until ctx ends, then gives open requests 5 s to
// finish.
func httpPart(name string, srv *http.Server, ln net.Listener) part {
	return part{name, func(ctx context.Context) error {
		stop := context.AfterFunc(ctx, func() {
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(shutdown) //nolint:errcheck // closing anyway
		})
		defer stop()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}}
}

// listenMetrics binds the HTTP listener of /metrics (reg) and /healthz that
// the dns and edge roles have on an address of their own (serve has them on
// its API listener).
func listenMetrics(addr string, reg *prometheus.Registry, log *slog.Logger) (net.Listener, *http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen for metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError),
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return ln, srv, nil
}

// flagsOutcome turns the outcome of parsing a subcommand's flags into its
// exit: -h is a success, any other error a usage error that points to the
// command's help. stop says whether the command ends there.
func flagsOutcome(stderr io.Writer, cmd string, err error) (exit int, stop bool) {
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		return exitOK, true
	}
	fmt.Fprintf(stderr, "zonewarden %s: %v\nRun 'zonewarden help %s' for usage.\n", cmd, err, cmd)
	return exitUsage, true
}
