package app

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// DNSConfig is the configuration of `zonewarden dns`. DefaultDNSConfig
// returns it with defaults; flags and ZONEWARDEN_* variables override them
// once, at start.
type DNSConfig struct {
	// Listen is the address served on UDP and TCP. Port 0 picks a free one.
	Listen string
	// Zones is the directory of zone files (*.zone, one zone per file).
	Zones string
	// Metrics, when set, is the address of the HTTP listener for /metrics
	// (Prometheus) and /healthz.
	Metrics string
	// ServerConfig is how DNS is answered, as for `zonewarden serve`.
	ServerConfig
}

// ServerConfig is how a role that answers DNS (`dns` and `serve`) answers
// it, and logs.
type ServerConfig struct {
	// NSID is sent in the EDNS NSID option when a client asks (RFC 5001).
	// Empty sends none; "auto" sends the host name.
	NSID string
	// Identity answers CH TXT id.server. and hostname.bind.; empty refuses
	// them. Defaults to the host name.
	Identity string
	// MaxUDPSize caps UDP responses whatever the client advertises.
	MaxUDPSize uint
	// Workers is the number of UDP sockets and workers; 0 is one per CPU.
	Workers int
	// TCPIdleTimeout closes TCP connections idle for that long (RFC 7766).
	TCPIdleTimeout time.Duration
	// TCPMaxConns caps concurrent TCP connections.
	TCPMaxConns int
	// AliasUpstream are the recursive resolvers (host:port) that resolve
	// ALIAS targets outside the served zones. Empty disables that: such
	// ALIAS owners answer SERVFAIL. Defaults to the first nameserver of
	// /etc/resolv.conf.
	AliasUpstream []string
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
	// LogFormat is "text" or "json".
	LogFormat string
}

// DefaultServerConfig returns the defaults. It reads the host name and
// /etc/resolv.conf, the sources of two of them.
func DefaultServerConfig() ServerConfig {
	host, _ := os.Hostname()
	return ServerConfig{
		Identity:       host,
		MaxUDPSize:     1232,
		TCPIdleTimeout: 10 * time.Second,
		TCPMaxConns:    1024,
		AliasUpstream:  resolvConfNameservers("/etc/resolv.conf", 1),
		LogLevel:       slog.LevelInfo,
		LogFormat:      "text",
	}
}

// DefaultDNSConfig returns the defaults of `zonewarden dns`.
func DefaultDNSConfig() DNSConfig {
	return DNSConfig{Listen: "127.0.0.1:5353", ServerConfig: DefaultServerConfig()}
}

// maxWorkers bounds --workers: each is a UDP socket and a goroutine, and
// more than a few per CPU only adds contention.
const maxWorkers = 1024

// Validate reports every problem in c at once.
func (c *DNSConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := checkHostPort(c.Listen); err != nil {
		bad("--listen %q: %w", c.Listen, err)
	}
	if c.Zones == "" {
		bad("--zones is required: the directory of zone files to serve")
	}
	if c.Metrics != "" {
		if err := checkHostPort(c.Metrics); err != nil {
			bad("--metrics %q: %w", c.Metrics, err)
		}
	}
	if len(c.NSID) > 128 {
		bad("--nsid is %d bytes long, at most 128", len(c.NSID))
	}
	if len(c.Identity) > 255 {
		bad("--identity is %d bytes long, at most 255", len(c.Identity))
	}
	if c.MaxUDPSize < 512 || c.MaxUDPSize > 65535 {
		bad("--max-udp-size %d is outside 512..65535", c.MaxUDPSize)
	}
	if c.Workers < 0 || c.Workers > maxWorkers {
		bad("--workers %d is outside 0..%d (0 is one per CPU)", c.Workers, maxWorkers)
	}
	if c.TCPIdleTimeout <= 0 {
		bad("--tcp-idle-timeout %s must be positive", c.TCPIdleTimeout)
	}
	if c.TCPMaxConns <= 0 {
		bad("--tcp-max-conns %d must be positive", c.TCPMaxConns)
	}
	for _, u := range c.AliasUpstream {
		if err := checkHostPort(u); err != nil {
			bad("--alias-upstream %q: %w", u, err)
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("--log-format %q is neither text nor json", c.LogFormat)
	}
	return errors.Join(errs...)
}

// nsid returns the NSID payload the engine sends.
func (c *DNSConfig) nsid() []byte {
	switch c.NSID {
	case "":
		return nil
	case "auto":
		host, _ := os.Hostname()
		return []byte(host)
	}
	return []byte(c.NSID)
}

// dnsFlags returns the flag set of `zonewarden dns`, bound to a config that
// holds the defaults.
func dnsFlags(output io.Writer) (*flag.FlagSet, *DNSConfig) {
	c := DefaultDNSConfig()
	fs := flag.NewFlagSet("zonewarden dns", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&c.Listen, "listen", c.Listen, "`address` to serve DNS on, UDP and TCP (port 0 picks one)")
	fs.StringVar(&c.Zones, "zones", c.Zones, "`directory` of zone files to serve (required)")
	fs.StringVar(&c.Metrics, "metrics", c.Metrics, "`address` for HTTP /metrics and /healthz (off when empty)")
	serverFlags(fs, &c.ServerConfig)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: zonewarden dns --zones DIR [flags]\n\n"+
			"Serve the zone files in DIR authoritatively. SIGHUP reloads them;\n"+
			"SIGINT or SIGTERM stops. Each flag can be set in the environment as\n"+
			"ZONEWARDEN_<FLAG> (--max-udp-size is ZONEWARDEN_MAX_UDP_SIZE).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs, &c
}

// parseDNSConfig reads the configuration from the environment (getenv) and
// then args; flags win. Every error it returns is a usage error (exit 2),
// flag.ErrHelp after printing the usage for -h.
func parseDNSConfig(args []string, getenv func(string) string, output io.Writer) (*DNSConfig, error) {
	fs, c := dnsFlags(output)
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if v := getenv(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", name, v, err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	fs.SetOutput(io.Discard) // errors are reported by the caller, once
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(output)
			fs.Usage()
			return nil, err
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (zone files are read from --zones DIR)", fs.Arg(0))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// envName is the environment variable of a flag: max-udp-size is
// ZONEWARDEN_MAX_UDP_SIZE.
func envName(flagName string) string {
	return "ZONEWARDEN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// addrList is a comma-separated list of host:port; a missing port is 53.
type addrList []string

func (l *addrList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *addrList) Set(s string) error {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		out = append(out, withDefaultPort(f, "53"))
	}
	*l = out
	return nil
}

// withDefaultPort adds port to an address that has none: "192.0.2.1",
// "2001:db8::1" and "[2001:db8::1]" become host:port.
func withDefaultPort(addr, port string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(strings.Trim(addr, "[]"), port)
}

func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// resolvConfNameservers returns up to max nameserver addresses (host:53)
// from a resolv.conf file; none when it can't be read.
func resolvConfNameservers(path string, max int) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(out) < max {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "nameserver" {
			continue
		}
		a, err := netip.ParseAddr(fields[1])
		if err != nil {
			continue
		}
		out = append(out, netip.AddrPortFrom(a, 53).String())
	}
	return out
}

// serverFlags binds ServerConfig's flags to c.
func serverFlags(fs *flag.FlagSet, c *ServerConfig) {
	fs.StringVar(&c.NSID, "nsid", c.NSID, "EDNS NSID `string` to send when asked; \"auto\" is the host name (off when empty)")
	fs.StringVar(&c.Identity, "identity", c.Identity, "answer to CH TXT id.server and hostname.bind (refused when empty)")
	fs.UintVar(&c.MaxUDPSize, "max-udp-size", c.MaxUDPSize, "largest UDP response in `bytes`, whatever the client advertises")
	fs.IntVar(&c.Workers, "workers", c.Workers, "UDP sockets and workers (0 is one per CPU)")
	fs.DurationVar(&c.TCPIdleTimeout, "tcp-idle-timeout", c.TCPIdleTimeout, "close TCP connections idle for this `duration`")
	fs.IntVar(&c.TCPMaxConns, "tcp-max-conns", c.TCPMaxConns, "most concurrent TCP connections")
	fs.Var((*addrList)(&c.AliasUpstream), "alias-upstream", "comma-separated resolver `addresses` for ALIAS targets not served here, from /etc/resolv.conf by default; empty turns that off")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "lowest `level` logged: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log `format`: text or json")
}
