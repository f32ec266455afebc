package zone

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// Record is a record as DNSimple's API and dashboard show it: the owner
// relative to the zone, the type by name, and the rdata as one content
// string, with the preference of MX and the priority of SRV records in a
// field of their own.
//
// Content follows DNSimple's conventions: names in it are absolute whether or
// not they end in a dot ("mail.example.com" is that name, never one below the
// zone) and are written without the dot; SRV content is "weight port
// target"; TXT content is either text as it is ("v=spf1 -all", split into
// 255-byte strings as needed) or, when it starts with a double quote, a list
// of quoted strings (`"part one" "part two"`, with \" \\ and \DDD escapes);
// every other type is its master-file rdata (`0 issue "letsencrypt.org"`,
// `1 . alpn=h2`), with as many fields as the type has: HINFO is exactly two
// strings, CPU and OS (`"Intel Xeon" "Linux"`). Content with more or fewer
// is refused rather than stored joined or cut.
//
// Choices where DNSimple leaves room or differs:
//   - A missing MX or SRV priority is 0: the official Go client leaves
//     priority out when it is 0, so a required field would make null MX
//     records and priority-0 SRV records impossible to create with it.
//     A priority of 0 on other types is ignored for the same reason; any
//     other priority there is refused.
//   - URI, HTTPS and SVCB keep their priority in content, as in their
//     master-file form; DNSimple offers only MX and SRV a priority field.
//   - SPF is served as the SPF type (99), as asked, with TXT's content
//     rules; it is not rewritten to TXT, which would change what the API
//     answers. DNSimple's URL and POOL records are refused for now.
//   - DNAME, TLSA, URI, DS, CDS, CDNSKEY and DNSKEY, which DNSimple does not
//     offer or manages itself, are accepted because the engine serves them.
//   - RR converts SOA records, whose content is "mname rname serial refresh
//     retry expire minimum", so that system records can be read and written
//     back; that API clients may not create or edit them is the store's rule.
//   - Owner names are letters, digits, '-', '_' and '/' (RFC 2317 reverse
//     delegations), with an optional leading "*" label. Records read from
//     master files may have other owners; RecordFromRR shows them escaped,
//     and RR refuses them.
//   - Content names are kept in the case they were given; owner names are
//     lower-cased, as everywhere in this package.
type Record struct {
	// Name is relative to the zone, "" for the apex. RR also accepts what
	// NormalizeName accepts.
	Name string
	// Type is the type's mnemonic ("A", "MX", "ALIAS"); RR accepts any case.
	Type    string
	Content string
	// TTL is in seconds; 0 means DefaultTTL.
	TTL uint32
	// Priority is the MX preference or the SRV priority, nil for other types.
	Priority *uint16
}

// TTL bounds of records written through Record. 60 s is DNSimple's minimum;
// longer than a week would outlast what resolvers keep anyway (BIND caps
// cached TTLs at a week) and only delay the user's next change.
const (
	DefaultTTL = 3600
	MinTTL     = 60
	MaxTTL     = 7 * 24 * 3600
)

// RecordError is what is wrong with a Record, for the API to report against
// one of its fields. It wraps ErrInvalid.
type RecordError struct {
	// Field is the API field at fault: "name", "type", "content", "ttl"
	// or "priority".
	Field string
	Msg   string
}

func (e *RecordError) Error() string { return e.Field + ": " + e.Msg }

func (e *RecordError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, args ...any) *RecordError {
	return &RecordError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// shown is what a message quotes of s: content may be many kilobytes.
type shown string

func (s shown) String() string {
	const max = 80
	if len(s) <= max {
		return strconv.Quote(string(s))
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(string(s[:cut])) + fmt.Sprintf("… (%d bytes)", len(s))
}

// Name lengths in presentation form, without the final dot (RFC 1035 §2.3.4
// counts 255 octets on the wire, which is 253 characters of text).
const (
	maxLabel = 63
	maxName  = 253
)

// NormalizeName returns name relative to origin and lower-cased: "" for the
// apex, which may be given as "", "@" or origin itself; a name ending in a
// dot is taken as fully qualified and must be at or below origin; any other
// name is relative to origin, as in DNSimple ("www.example.com" in the zone
// example.com is www.example.com.example.com). The error is a *RecordError
// for the field "name".
func NormalizeName(origin, name string) (string, error) {
	origin = CanonicalName(origin)
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || n == "@" {
		return "", nil
	}
	if strings.HasSuffix(n, ".") {
		switch {
		case n == origin:
			return "", nil
		case origin == ".":
			n = strings.TrimSuffix(n, ".")
		case strings.HasSuffix(n, "."+origin):
			n = n[:len(n)-len(origin)-1]
		default:
			return "", fieldErr("name", "%v is not in the zone %s", shown(name), strings.TrimSuffix(origin, "."))
		}
	}
	if msg := checkLabels(n, true); msg != "" {
		return "", fieldErr("name", "%v %s", shown(name), msg)
	}
	total := len(n) + len(origin)
	if origin == "." {
		total = len(n)
	}
	if total > maxName {
		return "", fieldErr("name", "%v is too long: with the zone it makes a name of %d characters, more than %d", shown(name), total, maxName)
	}
	return n, nil
}

// checkLabels checks the labels of a dotless name, which may start with a
// "*" label when wildcard is set, and says what is wrong in words that follow
// the name.
func checkLabels(name string, wildcard bool) string {
	for i, rest, more := 0, name, true; more; i++ {
		var l string
		l, rest, more = strings.Cut(rest, ".")
		switch {
		case l == "":
			return "has an empty label"
		case len(l) > maxLabel:
			return fmt.Sprintf("has a label longer than %d characters", maxLabel)
		case l == "*" && wildcard && i == 0:
			continue
		}
		for _, c := range l {
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '/':
			case c == '*' && wildcard:
				return `has a "*" that is not the whole first label`
			case c >= utf8.RuneSelf:
				return fmt.Sprintf("contains %q; write international names in their xn-- form", c)
			default:
				return fmt.Sprintf("contains %q, which is not allowed in a name", c)
			}
		}
	}
	return ""
}

// recordType returns the code of a type RR accepts.
func recordType(t string) (uint16, bool) {
	switch t {
	case "ALIAS":
		return TypeALIAS, true
	case "A", "AAAA", "CAA", "CNAME", "DNAME", "DS", "HINFO", "HTTPS", "MX", "NAPTR",
		"NS", "PTR", "SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT", "URI",
		"CDS", "CDNSKEY", "DNSKEY":
		return dns.StringToType[t], true
	}
	return 0, false
}

// RR validates r as a record of the zone origin and returns it as a dns.RR.
// The error is a *RecordError naming the field at fault; the first fault
// found is reported, checking name, type, ttl, priority and content in that
// order. Rules that involve other records (CNAME exclusivity, one ALIAS per
// name, records per zone) are the zone's and the store's; RR refuses what is
// wrong with the record alone, including a CNAME at the apex.
func (r Record) RR(origin string) (dns.RR, error) {
	return r.rr(origin, false)
}

// StoredRR is RR for a record read back from a store, whose content was
// accepted by an earlier version. Content that today's rules refuse (an
// escape such as \1 in a NAPTR regexp, an HINFO of three strings) was
// stored when the presentation parser's reading was the rule, and is read
// that way again, as it was served then: one such record must not stop its
// zone, and with it every zone of the process, from loading. New content
// goes through RR and meets today's rules.
func (r Record) StoredRR(origin string) (dns.RR, error) {
	rr, err := r.RR(origin)
	if err == nil {
		return rr, nil
	}
	if legacy := r.presentationRR(origin); legacy != nil {
		return legacy, nil
	}
	return nil, err
}

// presentationRR reads r the way miekg's parser alone reads a master-file
// line of it, or returns nil if that fails too, or if the record it gives
// cannot be put on the wire.
func (r Record) presentationRR(origin string) (rr dns.RR) {
	// Whatever the parser makes of stored text, the zone goes on loading.
	defer func() {
		if recover() != nil {
			rr = nil
		}
	}()
	origin = CanonicalName(origin)
	_, owner, err := r.owner(origin)
	if err != nil {
		return nil
	}
	t := strings.ToUpper(strings.TrimSpace(r.Type))
	rrtype, ok := recordType(t)
	if !ok || rrtype == TypeALIAS || strings.ContainsAny(r.Content, "\n\r") {
		return nil
	}
	ttl := r.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	content := r.Content
	if r.Priority != nil && (t == "MX" || t == "SRV") {
		content = strconv.Itoa(int(*r.Priority)) + " " + content
	}
	zp := dns.NewZoneParser(strings.NewReader(". 3600 IN "+t+" "+content+"\n"), ".", "")
	parsed, ok := zp.Next()
	if zp.Err() != nil || !ok || parsed == nil || parsed.Header().Rrtype != rrtype {
		return nil
	}
	*parsed.Header() = dns.RR_Header{Name: owner, Rrtype: rrtype, Class: dns.ClassINET, Ttl: ttl}
	// Read back from the wire: what is served, with its rdata length.
	buf := make([]byte, dns.Len(parsed)+512)
	off, err := dns.PackRR(parsed, buf, 0, nil, false)
	if err != nil {
		return nil
	}
	back, _, err := dns.UnpackRR(buf[:off], 0)
	if err != nil {
		return nil
	}
	return back
}

// owner is r's name relative to origin, canonical, and its full name.
func (r Record) owner(origin string) (rel, full string, err error) {
	rel, err = NormalizeName(origin, r.Name)
	if err != nil {
		return "", "", err
	}
	full = origin
	if rel != "" {
		full = rel + "." + origin
		if origin == "." {
			full = rel + "."
		}
	}
	return rel, full, nil
}

// rr is RR; verify runs the final checks, packing and reading back, for
// every type, including those where they cannot fail, as RR once did.
func (r Record) rr(origin string, verify bool) (dns.RR, error) {
	origin = CanonicalName(origin)
	rel, owner, err := r.owner(origin)
	if err != nil {
		return nil, err
	}

	t := strings.ToUpper(strings.TrimSpace(r.Type))
	rrtype, ok := recordType(t)
	switch {
	case ok:
	case t == "":
		return nil, fieldErr("type", "is empty")
	case t == "URL" || t == "POOL":
		return nil, fieldErr("type", "%s records are not supported yet", t)
	default:
		return nil, fieldErr("type", "%v is not a supported record type", shown(r.Type))
	}
	switch {
	case t == "CNAME" && rel == "":
		return nil, fieldErr("type", "a CNAME record cannot be at the zone apex; use an ALIAS record")
	case t == "SOA" && rel != "":
		return nil, fieldErr("name", "an SOA record belongs at the zone apex, not at %v", shown(r.Name))
	}

	ttl := r.TTL
	switch {
	case ttl == 0:
		ttl = DefaultTTL
	case ttl < MinTTL:
		return nil, fieldErr("ttl", "%d is below the minimum of %d seconds", ttl, MinTTL)
	case ttl > MaxTTL:
		return nil, fieldErr("ttl", "%d is above the maximum of %d seconds", ttl, MaxTTL)
	}

	var prio uint16
	if r.Priority != nil {
		if t == "MX" || t == "SRV" {
			prio = *r.Priority
		} else if *r.Priority != 0 {
			return nil, fieldErr("priority", "%s records have no priority", t)
		}
	}

	if r.Content == "" || strings.TrimSpace(r.Content) == "" && t != "TXT" && t != "SPF" {
		return nil, fieldErr("content", "is empty")
	}
	if msg := checkChars(r.Content); msg != "" {
		return nil, fieldErr("content", "%v %s", shown(r.Content), msg)
	}
	h := dns.RR_Header{Name: owner, Rrtype: rrtype, Class: dns.ClassINET, Ttl: ttl}
	rr, msg := parseContent(h, t, r.Content, prio)
	if msg != "" {
		return nil, fieldErr("content", "%s", msg)
	}
	// Packing is the last word on rdata: it finds what presentation
	// parsing lets through, such as bad hex or rdata over 65535 bytes.
	n := dns.Len(rr)
	if n > 65535 {
		return nil, fieldErr("content", "%v is too long: %d bytes on the wire, more than 65535", shown(r.Content), n)
	}
	if !verify && builtWhole(t) {
		// What packing would have written into the header.
		rr.Header().Rdlength = rdataLen(rr, n)
		return rr, nil
	}
	buf := make([]byte, n+512)
	if _, err := dns.PackRR(rr, buf, 0, nil, false); err != nil {
		return nil, fieldErr("content", "%v is not valid %s content: %s", shown(r.Content), t, wireProblem(err))
	}
	// What is accepted must read back as it will be shown: content that
	// the parser took apart in a way its own printed form does not survive
	// (stray quotes in NAPTR fields, say) is refused rather than stored.
	back := RecordFromRR(origin, rr)
	if again, msg := parseContent(h, t, back.Content, prio); msg != "" || RecordFromRR(origin, again).Content != back.Content {
		return nil, fieldErr("content", "%v is not valid %s content", shown(r.Content), t)
	}
	return rr, nil
}

// builtWhole reports whether parseContent builds records of type t field by
// field from content it has checked in full, so that the checks RR ends
// with cannot fail: names are checked labels of legal length without
// escapes, addresses come from netip, TXT strings are at most 255 bytes
// (and the record's length is checked before), and RecordFromRR writes each
// record back as content that parseContent reads into the same record.
// Skipping them loads a large zone from the store several times faster.
// TestRecordRRUnverified and FuzzRecordRRUnverified hold RR to the path that
// runs them.
func builtWhole(t string) bool {
	switch t {
	case "A", "AAAA", "CNAME", "DNAME", "NS", "PTR", "ALIAS", "MX", "SRV", "TXT", "SPF":
		return true
	}
	return false
}

// rdataLen is the length of rr's rdata on the wire, rr being of a type
// builtWhole accepts and n its dns.Len, which counts the owner, without
// escapes, and the fixed fields of the header, and counts TXT strings as
// they are kept, escaped.
func rdataLen(rr dns.RR, n int) uint16 {
	var txt []string
	switch v := rr.(type) {
	case *dns.TXT:
		txt = v.Txt
	case *dns.SPF:
		txt = v.Txt
	default:
		owner := len(rr.Header().Name) + 1
		if rr.Header().Name == "." {
			owner = 1
		}
		return uint16(n - owner - 10)
	}
	l := 0
	for _, s := range txt {
		l += len(unescapeText(s)) + 1
	}
	return uint16(l)
}

// checkChars refuses what no content needs and would only confuse the
// presentation parser or a JSON round trip: control characters (a newline
// would start another master-file line) and bytes that are not UTF-8.
func checkChars(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for _, c := range s {
		if c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Sprintf("contains the control character %U", c)
		}
	}
	return ""
}

// parseContent builds the record of type t from DNSimple content, or says
// what is wrong with it.
func parseContent(h dns.RR_Header, t, content string, prio uint16) (dns.RR, string) {
	c := strings.TrimSpace(content)
	switch t {
	case "A":
		a, err := netip.ParseAddr(c)
		if err != nil || !a.Is4() {
			return nil, fmt.Sprintf("%v is not an IPv4 address", shown(content))
		}
		return &dns.A{Hdr: h, A: net.IP(a.AsSlice())}, ""
	case "AAAA":
		a, err := netip.ParseAddr(c)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return nil, fmt.Sprintf("%v is not an IPv6 address", shown(content))
		}
		return &dns.AAAA{Hdr: h, AAAA: net.IP(a.AsSlice())}, ""
	case "CNAME", "DNAME", "NS", "PTR", "ALIAS":
		target, msg := hostName(c, false)
		if msg != "" {
			return nil, msg
		}
		switch t {
		case "CNAME":
			return &dns.CNAME{Hdr: h, Target: target}, ""
		case "DNAME":
			return &dns.DNAME{Hdr: h, Target: target}, ""
		case "NS":
			return &dns.NS{Hdr: h, Ns: target}, ""
		case "PTR":
			return &dns.PTR{Hdr: h, Ptr: target}, ""
		}
		return NewALIAS(h.Name, h.Ttl, target), ""
	case "MX":
		if f := strings.Fields(c); len(f) == 2 && isNumber(f[0]) {
			return nil, fmt.Sprintf("%v is not a host name; the preference goes in priority", shown(content))
		}
		// "." is the null MX of RFC 7505.
		target, msg := hostName(c, true)
		if msg != "" {
			return nil, msg
		}
		return &dns.MX{Hdr: h, Preference: prio, Mx: target}, ""
	case "SRV":
		return parseSRV(h, c, prio)
	case "TXT", "SPF":
		txt, msg := parseText(content)
		if msg != "" {
			return nil, msg
		}
		if t == "SPF" {
			return &dns.SPF{Hdr: h, Txt: txt}, ""
		}
		return &dns.TXT{Hdr: h, Txt: txt}, ""
	case "HINFO":
		return parseHINFO(h, c)
	}
	return parsePresentation(h, t, c)
}

// parseHINFO reads HINFO content, exactly two character-strings, the CPU
// and the OS (RFC 1035 §3.3.2). miekg's parser takes any number of strings:
// it joins those after the first into the OS and splits a single string at
// its spaces, so what would be stored is not what was written. The strings
// are read as TXT's, whose parser tokenizes the same way but keeps them
// apart (and cuts those over 255 bytes, which makes more than two).
func parseHINFO(h dns.RR_Header, c string) (dns.RR, string) {
	rr, msg := parseAs(dns.RR_Header{Name: h.Name, Rrtype: dns.TypeTXT, Class: h.Class, Ttl: h.Ttl}, "HINFO", "TXT", c)
	if msg != "" {
		return nil, msg
	}
	s := rr.(*dns.TXT).Txt
	if len(s) != 2 {
		return nil, fmt.Sprintf(`%v is not two strings: HINFO content is the CPU and the operating system, each at most 255 bytes; quote one that has spaces, as in "Intel Xeon" "Linux"`, shown(c))
	}
	return &dns.HINFO{Hdr: h, Cpu: s[0], Os: s[1]}, ""
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 16)
	return err == nil
}

// hostName reads a name in content, which is absolute with or without its
// final dot, and returns it fully qualified. The root, ".", is a name only
// where root is set.
func hostName(s string, root bool) (string, string) {
	if s == "." {
		if root {
			return ".", ""
		}
		return "", `"." is not a host name here`
	}
	n := strings.TrimSuffix(s, ".")
	if n == "" {
		return "", fmt.Sprintf("%v is not a host name", shown(s))
	}
	if msg := checkLabels(n, false); msg != "" {
		return "", fmt.Sprintf("%v is not a host name: it %s", shown(s), msg)
	}
	if len(n) > maxName {
		return "", fmt.Sprintf("%v is not a host name: it is longer than %d characters", shown(s), maxName)
	}
	return n + ".", ""
}

func parseSRV(h dns.RR_Header, c string, prio uint16) (dns.RR, string) {
	f := strings.Fields(c)
	if len(f) == 4 && isNumber(f[0]) {
		return nil, fmt.Sprintf(`%v is not "weight port target"; the priority goes in priority`, shown(c))
	}
	if len(f) != 3 {
		return nil, fmt.Sprintf(`%v is not "weight port target"`, shown(c))
	}
	weight, err := strconv.ParseUint(f[0], 10, 16)
	if err != nil {
		return nil, fmt.Sprintf("SRV weight %v is not a number from 0 to 65535", shown(f[0]))
	}
	port, err := strconv.ParseUint(f[1], 10, 16)
	if err != nil {
		return nil, fmt.Sprintf("SRV port %v is not a number from 0 to 65535", shown(f[1]))
	}
	// "." says the service is not available (RFC 2782).
	target, msg := hostName(f[2], true)
	if msg != "" {
		return nil, msg
	}
	return &dns.SRV{Hdr: h, Priority: prio, Weight: uint16(weight), Port: uint16(port), Target: target}, ""
}

// maxString is the longest character-string of RFC 1035 §3.3.
const maxString = 255

// parseText reads TXT content the two ways DNSimple does: quoted strings
// when it starts with a double quote, and otherwise the text itself, cut into
// 255-byte strings. Quoted strings longer than 255 bytes are cut too, since
// providers hand out long DKIM keys as one quoted string. The strings are
// returned escaped, the form miekg/dns keeps TXT strings in.
func parseText(content string) ([]string, string) {
	var raw []string
	if s := strings.TrimLeft(content, " \t"); strings.HasPrefix(s, `"`) {
		quoted, msg := parseQuoted(s)
		if msg != "" {
			return nil, fmt.Sprintf("%v is not a list of quoted strings: %s", shown(content), msg)
		}
		for _, q := range quoted {
			raw = append(raw, chunks(q)...)
		}
	} else {
		raw = chunks(content)
	}
	txt := make([]string, len(raw))
	for i, s := range raw {
		txt[i] = escapeText(s)
	}
	return txt, ""
}

// parseQuoted reads `"a" "b\"c"` into its unescaped strings.
func parseQuoted(s string) ([]string, string) {
	var out []string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			return out, ""
		}
		if s[i] != '"' {
			return nil, fmt.Sprintf("text outside quotes at %v", shown(s[i:]))
		}
		i++
		var b strings.Builder
		closed := false
		for i < len(s) && !closed {
			switch c := s[i]; c {
			case '"':
				closed = true
				i++
			case '\\':
				if i+1 == len(s) {
					return nil, "a backslash at the end"
				}
				if msg := badEscape(s[i+1:]); msg != "" {
					return nil, msg
				}
				if isDDD(s[i+1:]) {
					n, _ := strconv.Atoi(s[i+1 : i+4])
					b.WriteByte(byte(n))
					i += 4
				} else {
					b.WriteByte(s[i+1])
					i += 2
				}
			default:
				b.WriteByte(c)
				i++
			}
		}
		if !closed {
			return nil, "a quote is not closed"
		}
		if i < len(s) && s[i] != ' ' && s[i] != '\t' {
			return nil, fmt.Sprintf("no space between strings at %v", shown(s[i:]))
		}
		out = append(out, b.String())
	}
}

// badEscape says what is wrong with the escape whose backslash s follows,
// or "" when it is one of RFC 1035 §5.1: \X for a character X that is not
// a digit, or \DDD, three decimal digits of at most 255. Fewer digits are
// refused, as BIND refuses them (a syntax error), rather than read as the
// characters after the backslash.
func badEscape(s string) string {
	switch {
	case s == "":
		return "a backslash at the end"
	case !isDigit(s[0]):
		return ""
	case !isDDD(s):
		n := 1
		if len(s) > 1 && isDigit(s[1]) {
			n = 2
		}
		return fmt.Sprintf(`escape \%s is not a \DDD escape: it needs three digits, as \%s`, s[:n], strings.Repeat("0", 3-n)+s[:n])
	}
	if n, _ := strconv.Atoi(s[:3]); n > 255 {
		return fmt.Sprintf(`escape \%s is above \255`, s[:3])
	}
	return ""
}

// checkEscapes finds the first escape in presentation-format rdata that
// badEscape refuses. miekg's parser would read \999 as byte 231 (999
// modulo 256) on the wire while keeping \999 in the record, and \25 as
// "25".
func checkEscapes(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if msg := badEscape(s[i+1:]); msg != "" {
			return msg
		}
		if isDDD(s[i+1:]) {
			i += 3
		} else {
			i++
		}
	}
	return ""
}

func isDDD(s string) bool {
	return len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2])
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// chunks cuts s into strings of at most 255 bytes; "" is one empty string.
func chunks(s string) []string {
	out := make([]string, 0, len(s)/maxString+1)
	for len(s) > maxString {
		out = append(out, s[:maxString])
		s = s[maxString:]
	}
	return append(out, s)
}

// escapeText writes raw bytes in the escaped form miekg/dns keeps TXT
// strings in and prints, so records built here print like parsed ones.
func escapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, `\%03d`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeText undoes escapeText, or any escaping miekg/dns reads: \DDD is
// a byte and a backslash quotes the character after it. It reads the way
// miekg packs, so that the bytes are the ones on the wire.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] != '\\':
			b.WriteByte(s[i])
			i++
		case i+1 == len(s):
			i++ // a dangling backslash, which miekg drops
		case isDDD(s[i+1:]):
			b.WriteByte(byte((s[i+1]-'0')*100 + (s[i+2]-'0')*10 + (s[i+3] - '0')))
			i += 4
		default:
			b.WriteByte(s[i+1])
			i += 2
		}
	}
	return b.String()
}

// parsePresentation reads content as the rdata of a master-file line, with
// the root as origin so that names in it are absolute, as DNSimple has them.
func parsePresentation(h dns.RR_Header, t, c string) (dns.RR, string) {
	return parseAs(h, t, t, c)
}

// parseAs is parsePresentation reading the rdata as type as, h's type, while
// messages speak of content of type t.
func parseAs(h dns.RR_Header, t, as, c string) (dns.RR, string) {
	if strings.HasPrefix(c, `\#`) {
		return nil, fmt.Sprintf("%v is in the generic form of RFC 3597; write %s content in its own form", shown(c), t)
	}
	if msg := checkEscapes(c); msg != "" {
		return nil, fmt.Sprintf("%v is not valid %s content: %s", shown(c), t, msg)
	}
	switch i := commentStart(c); {
	case i == len(c):
		return nil, fmt.Sprintf("%v has a quote that is not closed", shown(c))
	case i >= 0:
		return nil, fmt.Sprintf("%v has a ';' outside quotes, which would hide the rest", shown(c))
	}
	zp := dns.NewZoneParser(strings.NewReader(". 3600 IN "+as+" "+c+"\n"), ".", "")
	rr, ok := zp.Next()
	if err := zp.Err(); err != nil {
		return nil, fmt.Sprintf("%v is not valid %s content: %s", shown(c), t, parserProblem(err))
	}
	if !ok || rr == nil || rr.Header().Rrtype != h.Rrtype {
		return nil, fmt.Sprintf("%v is not valid %s content", shown(c), t)
	}
	if msg := missingData(rr); msg != "" {
		return nil, fmt.Sprintf("%v is not valid %s content: %s", shown(c), t, msg)
	}
	*rr.Header() = h
	return rr, ""
}

// missingData finds what miekg's parser lets through: rdata whose last
// field, the one that matters, is empty, and CAA tags of the wrong form.
func missingData(rr dns.RR) string {
	empty := false
	switch r := rr.(type) {
	case *dns.DS:
		empty = r.Digest == ""
	case *dns.CDS:
		empty = r.Digest == ""
	case *dns.SSHFP:
		empty = r.FingerPrint == ""
	case *dns.TLSA:
		empty = r.Certificate == ""
	case *dns.DNSKEY:
		empty = r.PublicKey == ""
	case *dns.CDNSKEY:
		empty = r.PublicKey == ""
	case *dns.CAA:
		if !isCAATag(r.Tag) {
			return fmt.Sprintf("tag %v is not letters and digits", shown(r.Tag))
		}
	}
	if empty {
		return "the last field is missing"
	}
	return ""
}

// commentStart returns where a ';' outside double quotes is in s, or -1;
// len(s) when a quote is left open, which miekg's parser would close with
// whatever follows.
func commentStart(s string) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				return i
			}
		}
	}
	if quoted {
		return len(s)
	}
	return -1
}

// isCAATag reports whether tag is RFC 8659 §4.1's: letters and digits.
func isCAATag(tag string) bool {
	if tag == "" {
		return false
	}
	for _, c := range []byte(tag) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c)) {
			return false
		}
	}
	return true
}

// parserProblem turns miekg's `dns: bad CAA Value: "x" at line: 1:20` into
// `bad CAA Value "x"`; the line is ours, not the user's.
func parserProblem(err error) string {
	var pe *dns.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	if inner := errors.Unwrap(pe); inner != nil {
		return inner.Error()
	}
	s := pe.Error()
	if i := strings.LastIndex(s, " at line: "); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "dns: ")
	if i := strings.LastIndex(s, `: "`); i >= 0 {
		s = s[:i] + s[i+1:]
	}
	// miekg says nothing but the token for some bad values (an SVCB
	// port of 99999): name the token at least.
	if strings.HasPrefix(s, ` "`) {
		s = "bad value" + s
	}
	return s
}

// RecordFromRR returns rr as DNSimple shows it, the inverse of Record.RR:
// for every record RR returns, RecordFromRR gives back the canonical form of
// the record it came from, which RR turns into the same record again. The
// name is relative to origin ("" at the apex; a name outside the zone is
// kept fully qualified). TXT content is the text itself when RR would cut
// that text into the record's strings, and the quoted form otherwise. Types
// RR does not accept get their master-file rdata as content.
func RecordFromRR(origin string, rr dns.RR) Record {
	h := rr.Header()
	rec := Record{Name: relativeOwner(h.Name, CanonicalName(origin)), Type: dns.Type(h.Rrtype).String(), TTL: h.Ttl}
	if target, ok := AliasTarget(rr); ok {
		rec.Type, rec.Content = "ALIAS", contentName(target)
		return rec
	}
	switch r := rr.(type) {
	case *dns.A:
		if a, ok := netip.AddrFromSlice(r.A); ok {
			rec.Content = a.Unmap().String()
			return rec
		}
	case *dns.AAAA:
		if a, ok := netip.AddrFromSlice(r.AAAA); ok && len(r.AAAA) == net.IPv6len {
			rec.Content = a.String()
			return rec
		}
	case *dns.CNAME:
		rec.Content = contentName(r.Target)
		return rec
	case *dns.DNAME:
		rec.Content = contentName(r.Target)
		return rec
	case *dns.NS:
		rec.Content = contentName(r.Ns)
		return rec
	case *dns.PTR:
		rec.Content = contentName(r.Ptr)
		return rec
	case *dns.MX:
		prio := r.Preference
		rec.Content, rec.Priority = contentName(r.Mx), &prio
		return rec
	case *dns.SRV:
		rec.Content = fmt.Sprintf("%d %d %s", r.Weight, r.Port, contentName(r.Target))
		prio := r.Priority
		rec.Priority = &prio
		return rec
	case *dns.TXT:
		rec.Content = textContent(r.Txt)
		return rec
	case *dns.SPF:
		rec.Content = textContent(r.Txt)
		return rec
	case *dns.SOA:
		rec.Content = fmt.Sprintf("%s %s %d %d %d %d %d", contentName(r.Ns), contentName(r.Mbox), r.Serial, r.Refresh, r.Retry, r.Expire, r.Minttl)
		return rec
	case *dns.HINFO:
		rec.Content = quotedStrings(unescapeText(r.Cpu), unescapeText(r.Os))
		return rec
	case *dns.CAA:
		rec.Content = fmt.Sprintf("%d %s %s", r.Flag, r.Tag, quotedStrings(unescapeText(r.Value)))
		return rec
	case *dns.SVCB:
		rec.Content = svcbContent(r)
		return rec
	case *dns.HTTPS:
		rec.Content = svcbContent(&r.SVCB)
		return rec
	case *dns.RFC3597:
		// Its String has its own header form; the rdata is RFC 3597's.
		rec.Content = strings.TrimSpace(fmt.Sprintf(`\# %d %s`, len(r.Rdata)/2, r.Rdata))
		return rec
	}
	rdata := strings.TrimSpace(strings.TrimPrefix(rr.String(), h.String()))
	if _, ok := rr.(*dns.NAPTR); ok {
		// The replacement, last, is a name and written without its dot
		// like every name in content; miekg escapes spaces in names.
		i := strings.LastIndexByte(rdata, ' ')
		rdata = rdata[:i+1] + contentName(rdata[i+1:])
	}
	rec.Content = rdata
	return rec
}

// svcbContent writes SVCB rdata as people do (`1 . alpn=h2`), where miekg
// quotes every value (`alpn="h2"`): a value is quoted only when it has
// characters the master-file syntax gives a meaning, and an empty one is
// left out with its "=".
func svcbContent(r *dns.SVCB) string {
	var b strings.Builder
	// The target as miekg prints it, escaped, and not as it keeps it.
	target := r.Target
	if f := strings.SplitN(strings.TrimPrefix(r.String(), r.Hdr.String()), " ", 3); len(f) >= 2 {
		target = f[1]
	}
	fmt.Fprintf(&b, "%d %s", r.Priority, contentName(target))
	for _, kv := range r.Value {
		b.WriteString(" " + kv.Key().String())
		switch v := kv.String(); {
		case v == "":
		case strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:,/+=-") == "":
			b.WriteString("=" + v)
		default:
			b.WriteString(`="` + v + `"`)
		}
	}
	return b.String()
}

// contentName writes a fully qualified name the way DNSimple content has
// it, without the final dot; the root stays ".".
func contentName(name string) string {
	if name == "." || !dns.IsFqdn(name) {
		return name
	}
	return strings.TrimSuffix(name, ".")
}

func relativeOwner(name, origin string) string {
	switch {
	case strings.EqualFold(name, origin):
		return ""
	case origin == ".":
		return strings.TrimSuffix(name, ".")
	case len(name) > len(origin) && strings.EqualFold(name[len(name)-len(origin)-1:], "."+origin):
		return name[:len(name)-len(origin)-1]
	}
	return name
}

// textContent writes TXT strings as DNSimple content: the text itself when
// RR would read it back into the same strings, else the quoted form.
func textContent(txt []string) string {
	raw := make([]string, len(txt))
	for i, s := range txt {
		raw[i] = unescapeText(s)
	}
	joined := strings.Join(raw, "")
	if joined != "" && checkChars(joined) == "" &&
		!strings.HasPrefix(strings.TrimLeft(joined, " \t"), `"`) &&
		slices.Equal(chunks(joined), raw) {
		return joined
	}
	return quotedStrings(raw...)
}

// quotedStrings writes raw character-strings as quoted content, the way
// TXT content has them: UTF-8 as it is, `"` and `\` escaped, control
// characters and bytes that are not UTF-8 as \DDD. HINFO and CAA content
// use it too, so that text reads back as it was written.
func quotedStrings(raw ...string) string {
	var b strings.Builder
	for i, s := range raw {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		for len(s) > 0 {
			c, size := utf8.DecodeRuneInString(s)
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteRune(c)
			case c == utf8.RuneError && size == 1, c < ' ', c == 0x7f:
				fmt.Fprintf(&b, `\%03d`, s[0])
			default:
				b.WriteString(s[:size])
			}
			s = s[size:]
		}
		b.WriteByte('"')
	}
	return b.String()
}
