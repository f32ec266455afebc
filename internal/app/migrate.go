package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
)

func migrateFlags(output io.Writer) (*flag.FlagSet, *StoreConfig, *logFlags) {
	c := StoreConfig{Data: "./data"}
	lf := &logFlags{level: slog.LevelInfo, format: "text"}
	fs := flag.NewFlagSet("zonewarden migrate", flag.ContinueOnError)
	fs.SetOutput(output)
	storeFlags(fs, &c)
	lf.bind(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: zonewarden migrate [--data DIR | --database URL]\n\n"+
			"Bring the database's schema up to date and exit. serve does it too when\n"+
			"it starts; several processes may do it at once.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs, &c, lf
}

// logFlags are --log-level and --log-format of the short-lived commands.
type logFlags struct {
	level  slog.Level
	format string
}

func (l *logFlags) bind(fs *flag.FlagSet) {
	fs.TextVar(&l.level, "log-level", l.level, "lowest `level` logged: debug, info, warn or error")
	fs.StringVar(&l.format, "log-format", l.format, "log `format`: text or json")
}

func (l *logFlags) validate() error {
	if l.format != "text" && l.format != "json" {
		return fmt.Errorf("--log-format %q is neither text nor json", l.format)
	}
	return nil
}

// runMigrate is `zonewarden migrate`.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	fs, c, lf := migrateFlags(stderr)
	err := parseFlags(fs, args, getenv, stderr)
	if err == nil {
		err = errors.Join(c.validate(), lf.validate())
	}
	if exit, stop := flagsOutcome(stderr, "migrate", err); stop {
		return exit
	}
	log := newLogger(stderr, lf.format, lf.level)
	st, err := openStore(ctx, *c, log)
	if err != nil {
		log.Error("migrate", "err", err)
		return exitError
	}
	defer st.Close()
	log.Info("database schema up to date", "database", c.describe())
	return exitOK
}
