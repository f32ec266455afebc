package app

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestServeProcessDashboardImport runs the binary and uses its dashboard
// over HTTP as a browser would, with a real session: sign in, add a
// domain, import a zone file (preview, then confirm), and the DNS listener
// of the process answers the imported records, asked with dig. The
// domain's delegation page asks --alias-upstream (a fake resolver here)
// and the process's own distribution check.
func TestServeProcessDashboardImport(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	resolver := fakeNSResolver(t, map[string][]string{"import.example.": {"ns1.example.net.", "ns2.example.net."}})

	p := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data", data,
		"--nameservers", "ns1.example.net,ns2.example.net", "--alias-upstream", resolver, "--log-format", "json")
	rec := p.waitLog(t, "serving")
	base, _ := rec["http"].(string)
	udp, _ := rec["udp"].(string)

	c := exec.Command(bin, "admin", "create-user", "--email", "web@example.com", "--password-stdin", "--data", data)
	c.Env = environ()
	c.Stdin = strings.NewReader("correct horse battery\n")
	out, err := c.Output()
	if err != nil {
		t.Fatalf("admin create-user: %v", err)
	}
	var user struct {
		AccountID int64 `json:"account_id"`
	}
	if err := json.Unmarshal(out, &user); err != nil {
		t.Fatal(err)
	}
	acct := "/a/" + strconv.FormatInt(user.AccountID, 10)

	b := newFormClient(t, base)
	b.post("/sign-in", "/sign-in", url.Values{"email": {"web@example.com"}, "password": {"correct horse battery"}}, http.StatusSeeOther)
	b.post(acct+"/domains/new", acct+"/domains", url.Values{"name": {"import.example"}}, http.StatusSeeOther)

	zoneFile := "$ORIGIN import.example.\n$TTL 300\n@ SOA ns.old. host.old. 1 2 3 4 5\n@ NS ns.old.\nwww A 192.0.2.81\n@ MX 10 mail\nmail A 192.0.2.82\n"
	imp := acct + "/domains/import.example/import"
	preview := b.multipart(imp, imp, map[string]string{"zone": zoneFile}, http.StatusOK)
	if !strings.Contains(preview, "adds 3, changes 0 and skips 2 records") {
		t.Fatalf("preview:\n%s", preview)
	}
	m := regexp.MustCompile(`name="digest" value="([^"]+)"`).FindStringSubmatch(preview)
	if m == nil {
		t.Fatal("no digest on the preview")
	}
	b.multipart(imp, imp+"/confirm", map[string]string{"zone": zoneFile, "digest": m[1]}, http.StatusSeeOther)

	waitAnswer(t, udp, "www.import.example.", dns.TypeA, 10*time.Second, "www.import.example.\t300\tIN\tA\t192.0.2.81")
	waitAnswer(t, udp, "import.example.", dns.TypeMX, 10*time.Second, "import.example.\t300\tIN\tMX\t10 mail.import.example.")
	if dig, err := exec.LookPath("dig"); err == nil {
		host, port, _ := net.SplitHostPort(udp)
		out, err := exec.Command(dig, "@"+host, "-p", port, "+short", "+norecurse", "mail.import.example.", "A").Output()
		if err != nil || strings.TrimSpace(string(out)) != "192.0.2.82" {
			t.Errorf("dig mail.import.example A: %q, %v", out, err)
		}
	}

	page := b.get(acct + "/domains/import.example/delegation")
	for _, w := range []string{"<strong>Yes.</strong> The domain is delegated to the name servers its zone lists: ns1.example.net, ns2.example.net.",
		"<strong>Yes.</strong> The name servers answer with the zone's latest version"} {
		if !strings.Contains(page, w) {
			t.Errorf("delegation page lacks %q:\n%s", w, page)
		}
	}
	p.terminate(t)
}

// formClient is a browser without a browser: a cookie jar, the CSRF token
// of the page a form is on, no redirects followed.
type formClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newFormClient(t *testing.T, base string) *formClient {
	jar, _ := cookiejar.New(nil)
	return &formClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (f *formClient) do(req *http.Request) (int, string) {
	f.t.Helper()
	resp, err := f.c.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (f *formClient) get(path string) string {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.base+path, nil)
	status, body := f.do(req)
	if status != http.StatusOK {
		f.t.Fatalf("GET %s: %d\n%s", path, status, body)
	}
	return body
}

func (f *formClient) csrf(page string) string {
	f.t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(f.get(page))
	if m == nil {
		f.t.Fatalf("no CSRF token on %s", page)
	}
	return m[1]
}

func (f *formClient) post(page, path string, form url.Values, want int) string {
	f.t.Helper()
	form.Set("csrf", f.csrf(page))
	req, _ := http.NewRequest("POST", f.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, body := f.do(req)
	if status != want {
		f.t.Fatalf("POST %s: %d, want %d\n%s", path, status, want, body)
	}
	return body
}

func (f *formClient) multipart(page, path string, fields map[string]string, want int) string {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", f.csrf(page))
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", f.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	status, out := f.do(req)
	if status != want {
		f.t.Fatalf("POST %s: %d, want %d\n%s", path, status, want, out)
	}
	return out
}

// fakeNSResolver answers NS queries on loopback UDP from a table, NXDOMAIN
// for other names.
func fakeNSResolver(t *testing.T, ns map[string][]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) }, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.RecursionAvailable = true
		name := q.Question[0].Name
		hosts, ok := ns[name]
		if !ok {
			m.Rcode = dns.RcodeNameError
		}
		if q.Question[0].Qtype == dns.TypeNS {
			for _, h := range hosts {
				m.Answer = append(m.Answer, &dns.NS{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 300}, Ns: h})
			}
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}
