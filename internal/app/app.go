// Package app wires Zonewarden together: it reads a subcommand's
// configuration once, from flags and the environment, builds the packages the
// role needs and runs them until the context ends. It is the only place that
// knows about all of them.
//
//	os.Exit(app.Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// Exit codes of Main.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // the command line or environment was wrong
)

const usage = `Zonewarden is simple, secure, self-hosted DNS hosting.

Usage:

	zonewarden <command> [flags]

Commands:

	serve     run the control plane (DNSimple-compatible API) and DNS in one process
	migrate   bring the database's schema up to date
	admin     create users and API tokens: zonewarden admin help
	tsig      TSIG keys for zone transfers: zonewarden tsig help
	dns       serve zones from a directory of zone files (authoritative DNS)
	edge      serve the zones of a primary as its secondary (zone transfers)
	version   print the version
	help      print this help, or a command's: zonewarden help serve

Every flag can also be set in the environment: --max-udp-size is
ZONEWARDEN_MAX_UDP_SIZE. Flags win over the environment.
`

// Main runs the subcommand named by args[0] with the rest of args and returns
// the process exit code: 0 on success, 1 when the command failed, 2 when it
// was called wrongly. ctx ending (SIGINT, SIGTERM in main) stops the command
// cleanly.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "dns":
		return runDNS(ctx, rest, stderr)
	case "serve":
		return runServe(ctx, rest, stderr)
	case "edge":
		return runEdge(ctx, rest, stderr)
	case "migrate":
		return runMigrate(ctx, rest, os.Getenv, stderr)
	case "admin":
		return runAdmin(ctx, rest, os.Getenv, os.Stdin, stdout, stderr)
	case "tsig":
		return runTSIG(ctx, rest, os.Getenv, os.Stdin, stdout, stderr)
	case "version", "--version", "-version":
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "zonewarden: version takes no argument, not %q\n", rest[0])
			return exitUsage
		}
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			var fs *flag.FlagSet
			switch rest[0] {
			case "dns":
				fs, _ = dnsFlags(io.Discard)
			case "serve":
				fs, _ = serveFlags(io.Discard)
			case "edge":
				fs, _ = edgeFlags(io.Discard)
			case "migrate":
				fs, _, _ = migrateFlags(io.Discard)
			case "admin":
				fmt.Fprint(stdout, adminUsage)
				return exitOK
			case "tsig":
				fmt.Fprint(stdout, tsigUsage)
				return exitOK
			}
			if fs != nil {
				fs.SetOutput(stdout)
				fs.Usage()
				return exitOK
			}
			fmt.Fprintf(stderr, "zonewarden: unknown command %q\n\n%s", rest[0], usage)
			return exitUsage
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "zonewarden: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

// versionString reports the module version the binary was built from (as
// `go install` records it) and the Go toolchain.
func versionString() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	return fmt.Sprintf("zonewarden %s %s %s/%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
