// Command zonewarden is Zonewarden's one binary; each role is a subcommand.
// See internal/app and docs/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/zonewarden/zonewarden/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
