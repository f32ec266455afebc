package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// api is a JSON-over-HTTP client; both servers get the same transport
// settings, with enough idle connections kept for every concurrent client.
type api struct {
	base   string
	header http.Header
	client *http.Client
}

func newAPI(base string, header http.Header, conns int) *api {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns * 2
	return &api{base: strings.TrimRight(base, "/"), header: header, client: &http.Client{Transport: tr, Timeout: 5 * time.Minute}}
}

// do sends in (JSON, unless nil) and decodes the answer into out (unless
// nil); a status other than want is an error carrying the body.
func (a *api) do(ctx context.Context, method, path string, in any, want int, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	for k, v := range a.header {
		req.Header[k] = v
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return &statusError{status: resp.StatusCode, msg: fmt.Sprintf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))}
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// statusError is an answer with an unexpected status.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// zonewarden speaks DNSimple's API v2.
type zonewarden struct {
	api     *api
	account string
	dns     string
	proc    int
}

func newZonewarden(base, token, account, dns string, pid, conns int) *zonewarden {
	h := http.Header{"Authorization": {"Bearer " + token}}
	return &zonewarden{api: newAPI(base, h, conns), account: account, dns: dns, proc: pid}
}

func (z *zonewarden) name() string    { return "zonewarden" }
func (z *zonewarden) dnsAddr() string { return z.dns }
func (z *zonewarden) pid() int        { return z.proc }

func (z *zonewarden) createZone(ctx context.Context, zone string) error {
	return z.api.do(ctx, "POST", "/v2/"+z.account+"/domains", map[string]string{"name": zone}, http.StatusCreated, nil)
}

type zwRecord struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Content string `json:"content"`
	TTL     int    `json:"ttl"`
}

func (z *zonewarden) createRecord(ctx context.Context, zone string, r record) error {
	in := zwRecord{Name: r.name, Type: "A", Content: r.ip, TTL: 300}
	return z.api.do(ctx, "POST", "/v2/"+z.account+"/zones/"+zone+"/records", in, http.StatusCreated, nil)
}

func (z *zonewarden) createRecords(ctx context.Context, zone string, rs []record) error {
	var in struct {
		Creates []zwRecord `json:"creates"`
	}
	for _, r := range rs {
		in.Creates = append(in.Creates, zwRecord{Name: r.name, Type: "A", Content: r.ip, TTL: 300})
	}
	return z.api.do(ctx, "POST", "/v2/"+z.account+"/zones/"+zone+"/batch", in, http.StatusOK, nil)
}

// list pages through GET …/records with per_page=100, DNSimple's largest
// page, as a client that wants every record does.
func (z *zonewarden) list(ctx context.Context, zone string) (int, error) {
	return z.listQuery(ctx, zone, "")
}

// listQuery pages through GET …/records with per_page=100 and query (filters
// and sort, "&sort=name:desc&type=A") added.
func (z *zonewarden) listQuery(ctx context.Context, zone, query string) (int, error) {
	n := 0
	for page := 1; ; page++ {
		var out struct {
			Data       []struct{ ID int64 } `json:"data"`
			Pagination struct {
				TotalPages   int `json:"total_pages"`
				TotalEntries int `json:"total_entries"`
			} `json:"pagination"`
		}
		path := fmt.Sprintf("/v2/%s/zones/%s/records?per_page=100&page=%d%s", z.account, zone, page, query)
		if err := z.api.do(ctx, "GET", path, nil, http.StatusOK, &out); err != nil {
			return n, err
		}
		n += len(out.Data)
		if page >= out.Pagination.TotalPages {
			if n != out.Pagination.TotalEntries {
				return n, fmt.Errorf("listed %d records of %d", n, out.Pagination.TotalEntries)
			}
			return n, nil
		}
	}
}

// zoneFile gets the zone file, every record in one response, and returns
// its number of lines.
func (z *zonewarden) zoneFile(ctx context.Context, zone string) (int, error) {
	var out struct {
		Data struct {
			Zone string `json:"zone"`
		} `json:"data"`
	}
	if err := z.api.do(ctx, "GET", "/v2/"+z.account+"/zones/"+zone+"/file", nil, http.StatusOK, &out); err != nil {
		return 0, err
	}
	return strings.Count(out.Data.Zone, "\n"), nil
}

// powerDNS speaks PowerDNS's API (/api/v1).
type powerDNS struct {
	api  *api
	dns  string
	proc int
}

func newPowerDNS(base, key, dns string, pid, conns int) *powerDNS {
	return &powerDNS{api: newAPI(base, http.Header{"X-Api-Key": {key}}, conns), dns: dns, proc: pid}
}

func (p *powerDNS) name() string    { return "powerdns" }
func (p *powerDNS) dnsAddr() string { return p.dns }
func (p *powerDNS) pid() int        { return p.proc }

// createZone creates a Native zone with the same two NS as Zonewarden's
// zones; PowerDNS makes its SOA.
func (p *powerDNS) createZone(ctx context.Context, zone string) error {
	in := map[string]any{"name": zone + ".", "kind": "Native", "nameservers": []string{"ns1.zonewarden.test.", "ns2.zonewarden.test."}}
	return p.api.do(ctx, "POST", "/api/v1/servers/localhost/zones", in, http.StatusCreated, nil)
}

type pdRRset struct {
	Name       string     `json:"name"`
	Type       string     `json:"type"`
	TTL        int        `json:"ttl"`
	ChangeType string     `json:"changetype"`
	Records    []pdRecord `json:"records"`
}

type pdRecord struct {
	Content  string `json:"content"`
	Disabled bool   `json:"disabled"`
}

func rrset(zone string, r record) pdRRset {
	return pdRRset{Name: r.name + "." + zone + ".", Type: "A", TTL: 300, ChangeType: "REPLACE", Records: []pdRecord{{Content: r.ip}}}
}

// createRecord PATCHes the zone with one RRset of one record: PowerDNS has no
// per-record create, and this is the closest.
func (p *powerDNS) createRecord(ctx context.Context, zone string, r record) error {
	in := map[string][]pdRRset{"rrsets": {rrset(zone, r)}}
	return p.api.do(ctx, "PATCH", "/api/v1/servers/localhost/zones/"+zone+".", in, http.StatusNoContent, nil)
}

func (p *powerDNS) createRecords(ctx context.Context, zone string, rs []record) error {
	var in struct {
		RRsets []pdRRset `json:"rrsets"`
	}
	for _, r := range rs {
		in.RRsets = append(in.RRsets, rrset(zone, r))
	}
	return p.api.do(ctx, "PATCH", "/api/v1/servers/localhost/zones/"+zone+".", in, http.StatusNoContent, nil)
}

// list GETs the zone, which carries every RRset.
func (p *powerDNS) list(ctx context.Context, zone string) (int, error) {
	var out struct {
		RRsets []struct {
			Records []struct {
				Content string `json:"content"`
			} `json:"records"`
		} `json:"rrsets"`
	}
	if err := p.api.do(ctx, "GET", "/api/v1/servers/localhost/zones/"+zone+".", nil, http.StatusOK, &out); err != nil {
		return 0, err
	}
	n := 0
	for _, s := range out.RRsets {
		n += len(s.Records)
	}
	return n, nil
}
