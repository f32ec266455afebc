package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"

	"github.com/zonewarden/zonewarden/internal/api"
	"github.com/zonewarden/zonewarden/internal/store"
)

// errorBody is DNSimple's error shape.
type errorBody struct {
	Message string         `json:"message"`
	Errors  map[string]any `json:"errors"`
}

func decodeError(t *testing.T, body []byte) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil || e.Message == "" {
		t.Fatalf("not DNSimple's error body: %s (%v)", body, err)
	}
	return e
}

// TestProtocol checks what every client meets whatever the endpoint:
// authentication, errors in DNSimple's shape (never HTML, never a 500),
// request ids, and what real clients send.
func TestProtocol(t *testing.T) {
	e := newEnv(t, dbPath(t))
	acc := fmt.Sprintf("/v2/%d", e.accountA.ID)
	seed(t, e)

	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		message                         string // a part of it
	}{
		{"no credentials", "GET", "/v2/whoami", "", "", 401, "Authentication failed"},
		{"bad token", "GET", "/v2/whoami", "zw_nope", "", 401, "Authentication failed"},
		{"no credentials, unknown path", "GET", "/v2/nothing/here", "", "", 401, "Authentication failed"},
		{"unknown path", "GET", "/v2/nothing/here/at/all", e.tokenA, "", 404, "No API endpoint"},
		{"outside /v2", "GET", "/", e.tokenA, "", 404, "No API endpoint"},
		{"wrong method", "PUT", acc + "/domains", e.tokenA, "", 405, "not allowed"},
		{"wrong method on whoami", "DELETE", "/v2/whoami", e.tokenA, "", 405, "not allowed"},
		{"registrar", "POST", acc + "/registrar/domains/example.com/registrations", e.tokenA, "{}", 501, "Domain registration is not supported"},
		{"certificates", "GET", acc + "/domains/example.com/certificates", e.tokenA, "", 501, "certificates"},
		{"dnssec", "POST", acc + "/domains/example.com/dnssec", e.tokenA, "", 501, "DNSSEC"},
		{"email forwards", "GET", acc + "/domains/example.com/email_forwards", e.tokenA, "", 501, "Email forwarding"},
		{"services", "GET", "/v2/services", e.tokenA, "", 501, "services"},
		{"vanity", "PUT", acc + "/vanity/example.com", e.tokenA, "", 501, "Vanity"},
		{"pushes", "GET", acc + "/pushes", e.tokenA, "", 501, "pushes"},
		{"template of a missing domain", "POST", acc + "/domains/example.net/templates/t", e.tokenA, "", 404, "Domain `example.net` not found"},
		{"missing template", "POST", acc + "/domains/example.com/templates/nope", e.tokenA, "", 404, "Template `nope` not found"},
		{"bad contact id", "GET", acc + "/contacts/abc", e.tokenA, "", 404, "Contact `abc` not found"},
		{"unknown TLD", "GET", "/v2/tlds/nope", e.tokenA, "", 404, "TLD `nope` not found"},
		{"unknown TLD path", "GET", "/v2/tlds/com/nothing", e.tokenA, "", 404, "No API endpoint"},
		{"wrong method on a TLD", "DELETE", "/v2/tlds/com", e.tokenA, "", 405, "not allowed"},
		{"bad webhook id", "GET", acc + "/webhooks/abc", e.tokenA, "", 404, "Webhook `abc` not found"},
		{"bad JSON", "POST", acc + "/domains", e.tokenA, `{"name":`, 400, "Invalid JSON"},
		{"wrong JSON type", "POST", acc + "/zones/example.com/records", e.tokenA, `{"name":"x","type":"A","content":"192.0.2.1","ttl":"soon"}`, 400, "Validation failed"},
		{"empty body", "POST", acc + "/domains", e.tokenA, "", 400, "Validation failed"},
		{"bad page", "GET", acc + "/domains?page=zero", e.tokenA, "", 400, "Validation failed"},
		{"bad sort", "GET", acc + "/domains?sort=color:asc", e.tokenA, "", 400, "Validation failed"},
		{"bad record id", "GET", acc + "/zones/example.com/records/abc", e.tokenA, "", 404, "Record `abc` not found"},
		{"record of a missing zone", "GET", acc + "/zones/example.net/records/1", e.tokenA, "", 404, "Zone `example.net` not found"},
		{"missing account", "GET", "/v2/999/domains", e.tokenA, "", 404, "Account `999` not found"},
		{"not an account", "GET", "/v2/abc/domains", e.tokenA, "", 404, "Account `abc` not found"},
		{"SOA is the system's", "POST", acc + "/zones/example.com/records", e.tokenA, `{"name":"","type":"SOA","content":"a b 1 2 3 4 5"}`, 400, "Validation failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := e.do(t, tc.method, tc.path, tc.token, tc.body)
			if status != tc.status {
				t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, status, body, tc.status)
			}
			if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if got := decodeError(t, body); !strings.Contains(got.Message, tc.message) {
				t.Errorf("message %q, want it to contain %q", got.Message, tc.message)
			}
			if h.Get("X-Request-Id") == "" || h.Get("X-RateLimit-Limit") == "" {
				t.Errorf("headers %v", h)
			}
			if status == 405 && h.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}

	// What clients send: an empty body with Content-Type: application/json
	// on a DELETE, "@" and FQDNs for names, zone names with a final dot.
	status, _, body := e.do(t, "POST", acc+"/zones/example.com./records", e.tokenA, `{"name":"@","type":"TXT","content":"apex","unknown_field":1}`)
	if status != 201 || !strings.Contains(string(body), `"name":""`) {
		t.Errorf("@ record: %d %s", status, body)
	}
	status, _, body = e.do(t, "POST", acc+"/zones/EXAMPLE.com/records", e.tokenA, `{"name":"mail.example.com.","type":"A","content":"192.0.2.25"}`)
	if status != 201 || !strings.Contains(string(body), `"name":"mail"`) {
		t.Errorf("FQDN record: %d %s", status, body)
	}
	var rec struct{ Data struct{ ID int64 } }
	json.Unmarshal(body, &rec)
	status, _, body = e.do(t, "DELETE", fmt.Sprintf("%s/zones/example.com/records/%d", acc, rec.Data.ID), e.tokenA, "")
	if status != 204 || len(body) != 0 {
		t.Errorf("DELETE with empty JSON body: %d %s", status, body)
	}
}

func dbPath(t *testing.T) string { return t.TempDir() + "/zonewarden.db" }

func TestRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := newEnv(t, dbPath(t), func(c *api.Config) {
		c.RateLimit = 3
		c.Now = func() time.Time { return now }
	})
	for i, want := range []string{"2", "1", "0"} {
		status, h, body := e.do(t, "GET", "/v2/whoami", e.tokenA, "")
		if status != 200 || h.Get("X-RateLimit-Limit") != "3" || h.Get("X-RateLimit-Remaining") != want {
			t.Errorf("request %d: %d %v %s", i, status, h, body)
		}
		if got, want := h.Get("X-RateLimit-Reset"), fmt.Sprint(now.Add(time.Hour).Unix()); got != want {
			t.Errorf("reset %s, want %s", got, want)
		}
	}
	status, h, body := e.do(t, "GET", "/v2/whoami", e.tokenA, "")
	if status != 429 || h.Get("X-RateLimit-Remaining") != "0" || h.Get("Retry-After") == "" {
		t.Errorf("4th request: %d %v", status, h)
	}
	decodeError(t, body)
	// Another token has its own window.
	if status, _, _ := e.do(t, "GET", "/v2/whoami", e.tokenB, ""); status != 200 {
		t.Errorf("other token: %d", status)
	}
	// The window ends.
	now = now.Add(time.Hour)
	if status, h, _ := e.do(t, "GET", "/v2/whoami", e.tokenA, ""); status != 200 || h.Get("X-RateLimit-Remaining") != "2" {
		t.Errorf("after the window: %d %v", status, h)
	}
}

// TestBasicAuth authenticates as a user with email and password, as
// DNSimple allows, with a one-time password once 2FA is on.
func TestBasicAuth(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := newEnv(t, dbPath(t), func(c *api.Config) { c.Now = func() time.Time { return now } })
	ctx := context.Background()
	c := dnsimple.NewClient(dnsimple.BasicAuthHTTPClient(ctx, "alice@example.com", password))
	c.BaseURL = e.srv.URL
	who, err := c.Identity.Whoami(ctx)
	if err != nil || who.Data.User == nil || who.Data.User.Email != "alice@example.com" || who.Data.Account != nil {
		t.Fatalf("whoami: %+v, %v", who, err)
	}
	accounts, err := c.Accounts.ListAccounts(ctx, nil)
	if err != nil || len(accounts.Data) != 1 || accounts.Data[0].ID != e.accountA.ID {
		t.Errorf("accounts: %+v, %v", accounts, err)
	}
	// carol is in her own account and, read-only, in A.
	c2 := dnsimple.NewClient(dnsimple.BasicAuthHTTPClient(ctx, "carol@example.com", password))
	c2.BaseURL = e.srv.URL
	accounts, err = c2.Accounts.ListAccounts(ctx, nil)
	if err != nil || len(accounts.Data) != 2 {
		t.Errorf("carol's accounts: %+v, %v", accounts, err)
	}

	bad := dnsimple.NewClient(dnsimple.BasicAuthHTTPClient(ctx, "alice@example.com", "wrong password"))
	bad.BaseURL = e.srv.URL
	if _, err := bad.Identity.Whoami(ctx); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong password: %v", err)
	}

	const secret = "JBSWY3DPEHPK3PXP"
	if err := e.st.SetOTPSecret(ctx, e.alice.ID, secret); err != nil {
		t.Fatal(err)
	}
	basic := func(otp string) (int, http.Header) {
		req, _ := http.NewRequest("GET", e.srv.URL+"/v2/whoami", nil)
		req.SetBasicAuth("alice@example.com", password)
		if otp != "" {
			req.Header.Set("X-Dnsimple-OTP", otp)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	if status, h := basic(""); status != 401 || h.Get("X-Dnsimple-OTP") != "required" {
		t.Errorf("2FA without OTP: %d %v", status, h)
	}
	if status, _ := basic("000000"); status != 401 {
		t.Errorf("2FA with a wrong OTP: %d", status)
	}
	if status, _ := basic(totp(t, secret, now)); status != 200 {
		t.Errorf("2FA with the OTP: %d", status)
	}
	// A code works once: replayed, or an earlier one, it is refused.
	if status, h := basic(totp(t, secret, now)); status != 401 || h.Get("X-Dnsimple-OTP") != "required" {
		t.Errorf("2FA with the OTP used again: %d %v", status, h)
	}
	if status, _ := basic(totp(t, secret, now.Add(-30*time.Second))); status != 401 {
		t.Errorf("2FA with the previous step's OTP after the current one: %d", status)
	}
}

// TestBasicAuthThrottle: wrong passwords and codes sent with HTTP Basic are
// throttled as the dashboard's sign-ins are (and counted with them, in the
// store), so the API is no side door for guessing; asking for the code
// with the right password is not a guess, and tokens are not throttled.
func TestBasicAuthThrottle(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := newEnv(t, dbPath(t), func(c *api.Config) { c.Now = func() time.Time { return now } })
	ctx := context.Background()
	whoami := func(email, pw, otp string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", e.srv.URL+"/v2/whoami", nil)
		req.SetBasicAuth(email, pw)
		if otp != "" {
			req.Header.Set("X-Dnsimple-OTP", otp)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range store.SignInPerEmail {
		if r := whoami("alice@example.com", "wrong password", ""); r.StatusCode != 401 {
			t.Fatalf("wrong password %d: %d", i+1, r.StatusCode)
		}
	}
	r := whoami("alice@example.com", password, "")
	if r.StatusCode != 429 || r.Header.Get("Retry-After") != "900" {
		t.Errorf("the right password after %d wrong ones: %d, Retry-After %q; want 429 after 900 s", store.SignInPerEmail, r.StatusCode, r.Header.Get("Retry-After"))
	}
	if _, err := e.client(e.tokenA, nil).Identity.Whoami(ctx); err != nil {
		t.Errorf("a token while the user's sign-ins are throttled: %v", err)
	}
	now = now.Add(store.SignInWindow)
	if r := whoami("alice@example.com", password, ""); r.StatusCode != 200 {
		t.Errorf("the right password after the window: %d", r.StatusCode)
	}

	// Codes: asking for one is free, guessing is counted.
	const secret = "JBSWY3DPEHPK3PXP"
	if err := e.st.SetOTPSecret(ctx, e.alice.ID, secret); err != nil {
		t.Fatal(err)
	}
	for range store.SignInPerEmail + 1 {
		if r := whoami("alice@example.com", password, ""); r.StatusCode != 401 || r.Header.Get("X-Dnsimple-OTP") != "required" {
			t.Fatalf("no code: %d", r.StatusCode)
		}
	}
	for i := range store.SignInPerEmail {
		if r := whoami("alice@example.com", password, fmt.Sprintf("%06d", i)); r.StatusCode != 401 {
			t.Fatalf("wrong code %d: %d", i+1, r.StatusCode)
		}
	}
	if r := whoami("alice@example.com", password, totp(t, secret, now)); r.StatusCode != 429 {
		t.Errorf("the right code after %d wrong ones: %d, want 429", store.SignInPerEmail, r.StatusCode)
	}
}

// totp computes RFC 6238's code, independently of the package's.
func totp(t *testing.T, secret string, now time.Time) string {
	key, err := base32.StdEncoding.DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(now.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[19] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

// TestHugePage: a page number past any list (whose offset would overflow)
// is an empty page, never a 500, on every kind of list.
func TestHugePage(t *testing.T) {
	e := newEnv(t, dbPath(t))
	seed(t, e)
	acc := fmt.Sprintf("/v2/%d", e.accountA.ID)
	for _, path := range []string{"/v2/tlds", acc + "/domains", acc + "/zones", acc + "/zones/example.com/records", acc + "/zones/example.com/records?type=A&sort=name:desc"} {
		for _, page := range []string{"4611686018427387904", "9223372036854775807"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			status, _, body := e.do(t, "GET", path+sep+"per_page=100&page="+page, e.tokenA, "")
			if status != 200 || !strings.Contains(string(body), `"data":[]`) {
				t.Errorf("GET %s page %s: %d %s", path, page, status, body)
			}
		}
	}
}

// TestUpdateType: a record's type does not change. Sending it back as it
// is (clients send the whole record) is fine; another is a 400 on
// record_type, alone and in a batch, with nothing changed.
func TestUpdateType(t *testing.T) {
	e := newEnv(t, dbPath(t))
	_, recordID := seed(t, e)
	path := fmt.Sprintf("/v2/%d/zones/example.com/records/%d", e.accountA.ID, recordID)
	if status, _, body := e.do(t, "PATCH", path, e.tokenA, `{"type":"a","ttl":600}`); status != 200 || !strings.Contains(string(body), `"ttl":600`) {
		t.Errorf("PATCH with its own type: %d %s", status, body)
	}
	status, _, body := e.do(t, "PATCH", path, e.tokenA, `{"type":"AAAA","content":"2001:db8::1"}`)
	if status != 400 || !strings.Contains(string(body), `"record_type":["an A record cannot become AAAA: delete it and create an AAAA record`) {
		t.Errorf("PATCH to another type: %d %s", status, body)
	}
	batch := fmt.Sprintf("/v2/%d/zones/example.com/batch", e.accountA.ID)
	status, _, body = e.do(t, "POST", batch, e.tokenA, fmt.Sprintf(`{"updates":[{"id":%d,"type":"MX"}]}`, recordID))
	if status != 400 || !strings.Contains(string(body), "cannot become MX") {
		t.Errorf("batch update to another type: %d %s", status, body)
	}
	rec, err := e.st.Record(context.Background(), e.accountA.ID, "example.com", recordID)
	if err != nil || rec.Type != "A" || rec.TTL != 600 {
		t.Errorf("the record after: %+v, %v", rec, err)
	}
}
