package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

const tsigUsage = `Usage: zonewarden tsig <command> [flags]

Commands:

	add NAME [--algorithm hmac-sha256|hmac-sha512] [--secret-stdin]
	        create a TSIG key with a random secret and print it, once, as
	        NAME:ALGORITHM:SECRET (what zonewarden edge --tsig takes);
	        with --secret-stdin, take the base64 secret of a key your
	        secondaries already use from standard input instead
	list    print every key's name, algorithm and creation time (no secrets)
	remove NAME
	        delete a key; transfers signed with it are refused within
	        5 seconds

TSIG keys sign zone transfers and NOTIFY between this primary and its
secondaries (serve --transfer-allow, --notify-key). Each command takes
--data DIR or --database URL and --secret-key-file, as serve does; the
secret is stored sealed with that key.
`

// runTSIG is `zonewarden tsig`: the operator's TSIG keys.
func runTSIG(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, tsigUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "add", "list", "remove":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, tsigUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "zonewarden tsig: unknown command %q\n\n%s", cmd, tsigUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("zonewarden tsig "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	sc := StoreConfig{Data: "./data"}
	storeFlags(fs, &sc)
	lf := &logFlags{level: slog.LevelWarn, format: "text"}
	lf.bind(fs)
	algorithm := "hmac-sha256"
	var secretStdin bool
	if cmd == "add" {
		fs.StringVar(&algorithm, "algorithm", algorithm, "HMAC `algorithm`: hmac-sha256 or hmac-sha512")
		fs.BoolVar(&secretStdin, "secret-stdin", false, "read the key's base64 secret from standard input (an existing key) instead of generating one")
	}
	// NAME may come before the flags or after them.
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	err := parseFlagsArgs(fs, rest, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil {
		if name == "" && fs.NArg() > 0 {
			name = fs.Arg(0)
		}
		var errs []error
		switch {
		case cmd == "list" && (name != "" || fs.NArg() > 0):
			errs = append(errs, errors.New("list takes no arguments"))
		case cmd != "list" && name == "":
			errs = append(errs, errors.New("the key's NAME is required"))
		case fs.NArg() > 1 || (fs.NArg() == 1 && fs.Arg(0) != name):
			errs = append(errs, fmt.Errorf("unexpected argument %q", fs.Arg(fs.NArg()-1)))
		}
		if algorithm != "hmac-sha256" && algorithm != "hmac-sha512" {
			errs = append(errs, fmt.Errorf("--algorithm %q is not hmac-sha256 or hmac-sha512", algorithm))
		}
		err = errors.Join(append(errs, sc.validate(), lf.validate())...)
	}
	if err != nil {
		fmt.Fprintf(stderr, "zonewarden tsig %s: %v\nRun 'zonewarden tsig help' for usage.\n", cmd, err)
		return exitUsage
	}
	log := newLogger(stderr, lf.format, lf.level)
	st, err := openStore(ctx, sc, log)
	if err != nil {
		fmt.Fprintf(stderr, "zonewarden tsig %s: %v\n", cmd, err)
		return exitError
	}
	defer st.Close()
	switch cmd {
	case "add":
		var k store.TSIGKey
		secret := ""
		if secretStdin {
			if secret, err = readPassword(stdin); err != nil {
				err = fmt.Errorf("read the secret: %w", err)
				break
			}
			secret = strings.TrimSpace(secret)
		}
		if k, err = st.ImportTSIGKey(ctx, name, algorithm, secret); err == nil {
			// The only time the secret is shown.
			fmt.Fprintf(stdout, "%s:%s:%s\n", k.Name, strings.TrimSuffix(k.Algorithm, "."), k.Secret)
		}
	case "list":
		var keys []store.TSIGKey
		if keys, err = st.TSIGKeys(ctx); err == nil {
			for _, k := range keys {
				fmt.Fprintf(stdout, "%s\t%s\t%s\n", k.Name, strings.TrimSuffix(k.Algorithm, "."), k.CreatedAt.Format("2006-01-02T15:04:05Z"))
			}
		}
	case "remove":
		err = st.DeleteTSIGKey(ctx, name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "zonewarden tsig %s: %v\n", cmd, err)
		return exitError
	}
	return exitOK
}

// parseFlagsArgs is parseFlags that leaves positional arguments to the
// caller.
func parseFlagsArgs(fs *flag.FlagSet, args []string, getenv func(string) string, output io.Writer) error {
	var pos []string
	for {
		err := parseFlags(fs, args, getenv, output)
		if err == nil {
			break
		}
		var ua *unexpectedArgError
		if !errors.As(err, &ua) {
			return err // an unknown flag, a bad value, -h: not a positional
		}
		// parseFlags refuses the first positional argument: keep it and
		// read the flags after it.
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(pos)
}
