package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

const adminUsage = `Usage: zonewarden admin <command> [flags]

Commands:

	create-user  --email E --password-stdin
	             create a user and their personal account; prints
	             {"user_id":…,"account_id":…}
	create-token --email E [--name N]
	             create an API token of the user's personal account; prints
	             {"account_id":…,"token":"…"}. The token is shown only once.

Both take --data DIR or --database URL, as serve does, and bring the
database's schema up to date first.
`

// runAdmin is `zonewarden admin`: the chores of an operator, for automation
// and the first start. Results are JSON on stdout, logs on stderr.
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet("zonewarden admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	sc := StoreConfig{Data: "./data"}
	storeFlags(fs, &sc)
	lf := &logFlags{level: slog.LevelWarn, format: "text"}
	lf.bind(fs)
	var email, name string
	var passwordStdin bool
	fs.StringVar(&email, "email", "", "the user's email `address` (required)")
	switch cmd {
	case "create-user":
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input (required)")
	case "create-token":
		fs.StringVar(&name, "name", "admin", "the token's `name`, to tell it from others")
	case "help", "-h", "--help":
		fmt.Fprint(stdout, adminUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "zonewarden admin: unknown command %q\n\n%s", cmd, adminUsage)
		return exitUsage
	}
	err := parseFlags(fs, rest, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil {
		var errs []error
		if email == "" {
			errs = append(errs, errors.New("--email is required"))
		}
		if cmd == "create-user" && !passwordStdin {
			errs = append(errs, errors.New("--password-stdin is required: the password is read from standard input, never from the command line"))
		}
		err = errors.Join(append(errs, sc.validate(), lf.validate())...)
	}
	if err != nil {
		fmt.Fprintf(stderr, "zonewarden admin %s: %v\n", cmd, err)
		return exitUsage
	}
	log := newLogger(stderr, lf.format, lf.level)

	var out any
	switch cmd {
	case "create-user":
		var password string
		password, err = readPassword(stdin)
		if err == nil {
			out, err = createUser(ctx, sc, log, email, password)
		}
	case "create-token":
		out, err = createToken(ctx, sc, log, email, name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "zonewarden admin %s: %v\n", cmd, err)
		return exitError
	}
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "zonewarden admin %s: %v\n", cmd, err)
		return exitError
	}
	return exitOK
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

type createdUser struct {
	UserID    int64 `json:"user_id"`
	AccountID int64 `json:"account_id"`
}

func createUser(ctx context.Context, sc StoreConfig, log *slog.Logger, email, password string) (createdUser, error) {
	st, err := openStore(ctx, sc, log)
	if err != nil {
		return createdUser{}, err
	}
	defer st.Close()
	u, a, err := st.CreateUser(ctx, email, password)
	if err != nil {
		return createdUser{}, err // the store's error names the user already
	}
	return createdUser{UserID: u.ID, AccountID: a.ID}, nil
}

type createdToken struct {
	AccountID int64  `json:"account_id"`
	Token     string `json:"token"`
}

// createToken makes an account token of the user's personal account.
func createToken(ctx context.Context, sc StoreConfig, log *slog.Logger, email, name string) (createdToken, error) {
	st, err := openStore(ctx, sc, log)
	if err != nil {
		return createdToken{}, err
	}
	defer st.Close()
	u, err := st.UserByEmail(ctx, email)
	if err != nil {
		return createdToken{}, fmt.Errorf("find user %s: %w", email, err)
	}
	accounts, err := st.Accounts(ctx, u.ID)
	if err != nil {
		return createdToken{}, fmt.Errorf("accounts of %s: %w", email, err)
	}
	var acc *store.Account
	for i := range accounts {
		if !accounts[i].Personal {
			continue
		}
		if role, err := st.Role(ctx, accounts[i].ID, u.ID); err == nil && role == store.RoleOwner {
			acc = &accounts[i]
			break
		}
	}
	if acc == nil {
		return createdToken{}, fmt.Errorf("user %s has no personal account", email)
	}
	tok, _, err := st.CreateToken(ctx, store.NewToken{AccountID: acc.ID, Name: name})
	if err != nil {
		return createdToken{}, fmt.Errorf("create token for account %d: %w", acc.ID, err)
	}
	return createdToken{AccountID: acc.ID, Token: tok}, nil
}
