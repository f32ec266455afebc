package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// recordTypes are the types the record form offers, the common first.
var recordTypes = []string{"A", "AAAA", "CNAME", "ALIAS", "MX", "TXT", "SRV", "CAA", "NS", "PTR",
	"HTTPS", "SVCB", "TLSA", "SSHFP", "NAPTR", "URI", "DS", "SPF", "HINFO"}

// recordKind is which fields the form shows for a type.
type recordKind struct {
	Kind  string // "address", "host", "mx", "srv", "caa", "text", "raw"
	Label string // the content field's label
	Hint  string // under the content field
}

var recordKinds = map[string]recordKind{
	"A":     {"address", "IPv4 address", "For example 192.0.2.1."},
	"AAAA":  {"address", "IPv6 address", "For example 2001:db8::1."},
	"CNAME": {"host", "Target host name", "The name this one is an alias of, for example www.example.net. Not at the apex: use ALIAS there."},
	"ALIAS": {"host", "Target host name", "Answered with the target's A and AAAA records; allowed at the apex."},
	"NS":    {"host", "Name server", "Delegates this name to that server, for example ns1.example.net."},
	"PTR":   {"host", "Host name", "The name this address points to."},
	"MX":    {"mx", "Mail server", "The host that receives mail, for example mail.example.com. Lower priorities are tried first."},
	"SRV":   {"srv", "", ""},
	"CAA":   {"caa", "", ""},
	"TXT":   {"text", "Text", "Written as it is (long text is split for you), or as quoted strings: \"part one\" \"part two\"."},
	"SPF":   {"text", "Text", "An SPF policy, for example v=spf1 mx -all. Most mail servers read SPF from TXT records."},
}

// kindOf returns the form's fields for a type: the generic master-file
// rdata field when the type has no form of its own.
func kindOf(t string) recordKind {
	if k, ok := recordKinds[t]; ok {
		return k
	}
	return recordKind{"raw", "Data", "The record's data as in a zone file, for example for HTTPS: 1 . alpn=h2."}
}

// recordForm is the record form: the fields as typed, and what was wrong
// with them in plain words, by field.
type recordForm struct {
	ID       int64 // 0 when creating
	Type     string
	Name     string
	TTL      string
	Priority string
	Content  string
	// SRV
	Weight, Port, Target string
	// CAA
	Flags, Tag, Value string

	Errors  map[string]string
	Problem string // what is not one field's
}

func (f recordForm) Kind() recordKind { return kindOf(f.Type) }

// HasPriority is whether the type has a priority field.
func (f recordForm) HasPriority() bool { return f.Type == "MX" || f.Type == "SRV" }

// formFromRecord fills the form with a stored record, the content split
// into the type's fields.
func formFromRecord(rec store.Record) recordForm {
	f := recordForm{ID: rec.ID, Type: rec.Type, Name: rec.Name, TTL: strconv.FormatUint(uint64(rec.TTL), 10), Content: rec.Content}
	if rec.Priority != nil {
		f.Priority = strconv.Itoa(int(*rec.Priority))
	}
	switch f.Type {
	case "SRV":
		if p := strings.Fields(rec.Content); len(p) == 3 {
			f.Weight, f.Port, f.Target = p[0], p[1], p[2]
		}
	case "CAA":
		if p := strings.SplitN(rec.Content, " ", 3); len(p) == 3 {
			f.Flags, f.Tag = p[0], p[1]
			if v, err := strconv.Unquote(p[2]); err == nil {
				f.Value = v
			} else {
				f.Value = p[2]
			}
		}
	}
	return f
}

// readRecordForm reads the form as posted.
func readRecordForm(r *http.Request, typ string) recordForm {
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := recordForm{Type: typ, Name: g("name"), TTL: g("ttl"), Priority: g("priority"), Content: g("content"),
		Weight: g("weight"), Port: g("port"), Target: g("target"), Flags: g("flags"), Tag: g("tag"), Value: g("value"),
		Errors: map[string]string{}}
	if f.Type == "TXT" || f.Type == "SPF" {
		// Text keeps its spaces; only line ends from the textarea go.
		f.Content = strings.TrimRight(strings.ReplaceAll(r.PostFormValue("content"), "\r\n", "\n"), "\n")
	}
	return f
}

// content composes the content from the type's fields.
func (f *recordForm) content() string {
	switch f.Type {
	case "SRV":
		return strings.Join([]string{f.Weight, f.Port, f.Target}, " ")
	case "CAA":
		return fmt.Sprintf("%s %s %s", f.Flags, f.Tag, strconv.Quote(f.Value))
	}
	return f.Content
}

// numbers reads TTL and priority; problems go to Errors.
func (f *recordForm) numbers() (ttl *uint32, prio *uint16) {
	if f.TTL != "" {
		n, err := strconv.ParseUint(f.TTL, 10, 32)
		if err != nil {
			f.Errors["ttl"] = "Enter the TTL as a number of seconds, for example 3600 for an hour."
		} else {
			t := uint32(n)
			ttl = &t
		}
	}
	if f.HasPriority() {
		if f.Priority == "" {
			f.Priority = "0"
		}
		n, err := strconv.ParseUint(f.Priority, 10, 16)
		if err != nil {
			f.Errors["priority"] = "Enter the priority as a number from 0 to 65535."
		} else {
			p := uint16(n)
			prio = &p
		}
	}
	if f.Type == "SRV" {
		for _, c := range []struct{ key, v, what string }{{"weight", f.Weight, "weight"}, {"port", f.Port, "port"}} {
			if _, err := strconv.ParseUint(c.v, 10, 16); err != nil {
				f.Errors[c.key] = "Enter the " + c.what + " as a number from 0 to 65535."
			}
		}
		switch {
		case f.Target == "":
			f.Errors["target"] = "Enter the host that offers the service, or . if there is none."
		case strings.ContainsAny(f.Target, " \t"):
			f.Errors["target"] = "Enter one host name, without spaces."
		}
	}
	if f.Type == "CAA" {
		if _, err := strconv.ParseUint(f.Flags, 10, 8); err != nil {
			f.Errors["flags"] = "Enter the flags as a number from 0 to 255; 0 is usual."
		}
		// Tags other than the form's own (from the API or an import)
		// are kept; the zone rules judge them.
		if f.Tag == "" {
			f.Errors["tag"] = "Choose what the record allows, for example issue."
		}
		if f.Value == "" {
			f.Errors["value"] = "Enter the certificate authority's domain, for example letsencrypt.org, or for iodef a mailto: or https: address."
		}
	}
	return ttl, prio
}

// refused puts the store's refusal on the form's fields, in plain words.
// It returns err when it is not a refusal.
func (f *recordForm) refused(err error) error { return recordRefusal(err, f.addError) }

// recordRefusal hands each field a record write was refused for to add,
// whether the store or the record's rules refused it; it returns err when
// it is not a refusal.
func recordRefusal(err error, add func(field, msg string)) error {
	var ve *store.ValidationError
	var re *zone.RecordError
	switch {
	case errors.As(err, &ve):
		for _, fe := range ve.Fields {
			add(fe.Field, fe.Msg)
		}
	case errors.As(err, &re):
		add(re.Field, re.Msg)
	default:
		return err
	}
	return nil
}

func (f *recordForm) addError(field, msg string) {
	raw := msg
	msg = plainFieldProblem(field, msg)
	switch field {
	case "name", "ttl", "priority":
	case "type":
		// The type is chosen already; what is wrong is where it is
		// (a CNAME at the apex).
		field = "name"
	case "content":
		// The types with fields of their own show it beside the field at
		// fault, or above them.
		switch {
		case f.Type == "SRV" && strings.HasPrefix(raw, "SRV weight"):
			field = "weight"
		case f.Type == "SRV" && strings.HasPrefix(raw, "SRV port"):
			field = "port"
		case f.Type == "SRV" && strings.Contains(raw, "not a host name"):
			field = "target"
		case f.Type == "CAA" && strings.Contains(raw, "tag "):
			field = "tag"
		case f.Type == "SRV" || f.Type == "CAA":
			field = "composite"
		}
	default:
		f.Problem = strings.TrimSpace(f.Problem + " " + msg)
		return
	}
	if f.Errors[field] != "" {
		msg = f.Errors[field] + " " + msg
	}
	f.Errors[field] = msg
}

// caaTag is a CAA property tag the form offers.
type caaTag struct{ Tag, Meaning string }

// caaTags are the registered CAA property tags (IANA's "Certification
// Authority Restriction Properties").
var caaTags = []caaTag{
	{"issue", "may issue certificates"},
	{"issuewild", "may issue wildcard certificates"},
	{"iodef", "where to report problems"},
	{"issuemail", "may issue S/MIME certificates"},
	{"issuevmc", "may issue verified mark certificates"},
	{"contactemail", "address for domain validation"},
	{"contactphone", "phone number for domain validation"},
}

// CAATags are the tags the tag field offers: the registered ones, and the
// record's own when it is another.
func (f recordForm) CAATags() []caaTag {
	if f.Tag == "" || slices.ContainsFunc(caaTags, func(t caaTag) bool { return t.Tag == f.Tag }) {
		return caaTags
	}
	return append(slices.Clip(caaTags), caaTag{f.Tag, "as the record has it"})
}

// recordPage is the data of the record form's page.
type recordPage struct {
	Domain store.Domain
	Form   recordForm
	Types  []string
}
