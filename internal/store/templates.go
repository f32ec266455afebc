package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Template is a named set of records an account applies to its domains.
type Template struct {
	ID          int64
	AccountID   int64
	SID         string // short name, unique in the account
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TemplateRecord is a record of a template. Its content may say {{domain}},
// which applying the template replaces with the domain's name.
type TemplateRecord struct {
	ID         int64
	TemplateID int64
	Name       string
	Type       string
	Content    string
	TTL        uint32
	Priority   *uint16
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// domainPlaceholder is replaced by the domain's name when a template is
// applied, as in DNSimple.
const domainPlaceholder = "{{domain}}"

const templateCols = "id, account_id, sid, name, description, created_at, updated_at"

func scanTemplate(r interface{ Scan(...any) error }) (Template, error) {
	var t Template
	err := r.Scan(&t.ID, &t.AccountID, &t.SID, &t.Name, &t.Description, &t.CreatedAt, &t.UpdatedAt)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

func checkTemplate(t Template) error {
	ve := &ValidationError{}
	checkText(ve, textField{"name", t.Name, 255, false}, textField{"sid", t.SID, 64, false},
		textField{"description", t.Description, 2000, true})
	if strings.TrimSpace(t.Name) == "" {
		ve.Fields = append(ve.Fields, FieldError{"name", "is empty"})
	}
	if t.SID == "" {
		ve.Fields = append(ve.Fields, FieldError{"sid", "is empty"})
	} else if _, err := strconv.ParseInt(t.SID, 10, 64); err == nil {
		// Templates are found by id or sid; a numeric sid would be an id.
		ve.Fields = append(ve.Fields, FieldError{"sid", fmt.Sprintf("%q is a number", t.SID)})
	} else {
		for _, c := range t.SID {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				ve.Fields = append(ve.Fields, FieldError{"sid", fmt.Sprintf("%q has %q; use letters, digits, - and _", t.SID, c)})
				break
			}
		}
	}
	if len(ve.Fields) > 0 {
		return ve
	}
	return nil
}

func templateAudit(t Template) map[string]any {
	return map[string]any{"id": t.ID, "sid": t.SID, "name": t.Name, "description": t.Description}
}

// CreateTemplate adds a template to an account; t.SID taken is ErrConflict.
func (s *Store) CreateTemplate(ctx context.Context, a Actor, accountID int64, t Template) (Template, error) {
	if err := checkTemplate(t); err != nil {
		return Template{}, err
	}
	n := now()
	t.AccountID, t.CreatedAt, t.UpdatedAt = accountID, n, n
	err := s.tx(ctx, func(d db) error {
		if _, err := s.account(ctx, d, accountID); err != nil {
			return err
		}
		err := d.row(ctx, "INSERT INTO templates (account_id, sid, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			accountID, t.SID, t.Name, t.Description, n, n).Scan(&t.ID)
		if isUnique(err) {
			return &conflictError{field: "sid", msg: fmt.Sprintf("%q is taken", t.SID)}
		}
		if err != nil {
			return err
		}
		return audit(ctx, d, a, accountID, "template.create", "template", t.ID, nil, templateAudit(t))
	})
	if err != nil {
		return Template{}, fmt.Errorf("create template %s: %w", t.SID, err)
	}
	return t, nil
}

var templateSort = map[string]string{"id": "id", "name": "name", "sid": "sid"}

// Templates returns one page of an account's templates. Sort keys: id, name,
// sid.
func (s *Store) Templates(ctx context.Context, accountID int64, o ListOptions) ([]Template, Page, error) {
	out, p, err := list(ctx, s, o, templateSort, templateCols, "FROM templates WHERE account_id = ?", []any{accountID},
		func(r *sql.Rows) (Template, error) { return scanTemplate(r) })
	if err != nil {
		return nil, Page{}, fmt.Errorf("list templates of account %d: %w", accountID, err)
	}
	return out, p, nil
}

// Template returns one of an account's templates, by id or sid.
func (s *Store) Template(ctx context.Context, accountID int64, idOrSID string) (Template, error) {
	return s.template(ctx, s.read(), accountID, idOrSID)
}

func (s *Store) template(ctx context.Context, d db, accountID int64, idOrSID string) (Template, error) {
	where, arg := "sid = ?", any(idOrSID)
	if id, err := strconv.ParseInt(idOrSID, 10, 64); err == nil {
		where, arg = "id = ?", id
	}
	t, err := scanTemplate(d.row(ctx, "SELECT "+templateCols+" FROM templates WHERE account_id = ? AND "+where, accountID, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Template{}, fmt.Errorf("find template %s: %w", idOrSID, zone.ErrNotFound)
	}
	if err != nil {
		return Template{}, fmt.Errorf("find template %s: %w", idOrSID, err)
	}
	return t, nil
}

// UpdateTemplate replaces a template's sid, name and description with t's.
func (s *Store) UpdateTemplate(ctx context.Context, a Actor, accountID int64, idOrSID string, t Template) (Template, error) {
	if err := checkTemplate(t); err != nil {
		return Template{}, err
	}
	var out Template
	err := s.tx(ctx, func(d db) error {
		old, err := s.template(ctx, d, accountID, idOrSID)
		if err != nil {
			return err
		}
		out = old
		out.SID, out.Name, out.Description, out.UpdatedAt = t.SID, t.Name, t.Description, now()
		_, err = d.exec(ctx, "UPDATE templates SET sid = ?, name = ?, description = ?, updated_at = ? WHERE id = ?",
			out.SID, out.Name, out.Description, out.UpdatedAt, out.ID)
		if isUnique(err) {
			return &conflictError{field: "sid", msg: fmt.Sprintf("%q is taken", t.SID)}
		}
		if err != nil {
			return err
		}
		return audit(ctx, d, a, accountID, "template.update", "template", out.ID, templateAudit(old), templateAudit(out))
	})
	if err != nil {
		return Template{}, fmt.Errorf("update template %s: %w", idOrSID, err)
	}
	return out, nil
}

// DeleteTemplate deletes a template and its records.
func (s *Store) DeleteTemplate(ctx context.Context, a Actor, accountID int64, idOrSID string) error {
	return s.tx(ctx, func(d db) error {
		t, err := s.template(ctx, d, accountID, idOrSID)
		if err != nil {
			return err
		}
		if _, err := d.exec(ctx, "DELETE FROM templates WHERE id = ?", t.ID); err != nil {
			return fmt.Errorf("delete template %s: %w", idOrSID, err)
		}
		return audit(ctx, d, a, accountID, "template.delete", "template", t.ID, templateAudit(t), nil)
	})
}

const templateRecordCols = "id, template_id, name, type, content, ttl, priority, created_at, updated_at"

func scanTemplateRecord(r interface{ Scan(...any) error }) (TemplateRecord, error) {
	var (
		tr   TemplateRecord
		ttl  int64
		prio sql.NullInt64
	)
	err := r.Scan(&tr.ID, &tr.TemplateID, &tr.Name, &tr.Type, &tr.Content, &ttl, &prio, &tr.CreatedAt, &tr.UpdatedAt)
	tr.TTL = uint32(ttl)
	if prio.Valid {
		p := uint16(prio.Int64)
		tr.Priority = &p
	}
	tr.CreatedAt, tr.UpdatedAt = tr.CreatedAt.UTC(), tr.UpdatedAt.UTC()
	return tr, err
}

func (tr TemplateRecord) audit() map[string]any {
	return map[string]any{"id": tr.ID, "template_id": tr.TemplateID, "name": tr.Name, "type": tr.Type, "content": tr.Content, "ttl": tr.TTL, "priority": tr.Priority}
}

// templateSample is the zone a template's records are checked in, with
// {{domain}} standing for its name: a name no one hosts or types, so that
// what messages say of it can be said in the template's terms
// (templateMessage).
const templateSample = "template.invalid"

// templateMessage says a message about a record checked in the sample zone
// in the template's terms: names relative, as the template has them ("www",
// "@" for the domain itself), and {{domain}} where content had it.
func templateMessage(msg string) string {
	msg = strings.ReplaceAll(msg, "."+templateSample+".", "")
	msg = strings.ReplaceAll(msg, templateSample+".", "@")
	return strings.ReplaceAll(msg, templateSample, domainPlaceholder)
}

// templateError is templateMessage applied to the messages of err, a
// *zone.RecordError or a *ValidationError; other errors pass unchanged.
func templateError(err error) error {
	if re, ok := errors.AsType[*zone.RecordError](err); ok {
		return &ValidationError{Fields: []FieldError{{Field: re.Field, Msg: templateMessage(re.Msg)}}}
	}
	if ve, ok := errors.AsType[*ValidationError](err); ok {
		out := &ValidationError{}
		for _, f := range ve.Fields {
			out.Fields = append(out.Fields, FieldError{Field: f.Field, Msg: templateMessage(f.Msg)})
		}
		return out
	}
	return err
}

// CreateTemplateRecord adds a record to a template. Its name is relative to
// the domain the template is applied to, kept as written ("www.example.com"
// is a name below that domain); a name ending in a dot, which would be
// absolute, is refused. The record is checked as a record of a sample zone,
// with {{domain}} standing for that zone's name, and with the template's
// other records: one that could never be applied beside them (a CNAME
// beside other records, a duplicate) is refused now, as a zone's record
// would be, rather than when the template is applied. The rules involving
// the records of the zone it is applied to are checked then.
func (s *Store) CreateTemplateRecord(ctx context.Context, a Actor, accountID int64, templateIDOrSID string, in RecordInput) (TemplateRecord, error) {
	const sample = templateSample
	name := strings.TrimSpace(in.Name)
	if strings.HasSuffix(name, ".") {
		msg := fmt.Sprintf("%q ends in a dot, which makes it an absolute name; a template's record names are relative to the domain it is applied to: ", in.Name)
		if rel := strings.TrimSuffix(name, "."); rel != "" {
			msg += fmt.Sprintf("write %q, or ", rel)
		}
		return TemplateRecord{}, invalid("name", msg+"leave the name empty for the domain itself")
	}
	// Written in full, so that no relative name is taken for the
	// sample zone's own.
	full := sample + "."
	if name != "" && name != "@" {
		full = name + "." + full
	}
	r := zone.Record{Name: full, Type: in.Type, Content: strings.ReplaceAll(in.Content, domainPlaceholder, sample), TTL: in.TTL, Priority: in.Priority}
	rr, err := r.RR(sample)
	if err != nil {
		return TemplateRecord{}, templateError(fieldError("", err))
	}
	if strings.EqualFold(in.Type, "SOA") {
		return TemplateRecord{}, invalid("type", "SOA records are managed by Zonewarden")
	}
	c := zone.RecordFromRR(sample, rr)
	n := now()
	tr := TemplateRecord{Name: c.Name, Type: c.Type, Content: strings.TrimSpace(in.Content), TTL: c.TTL, CreatedAt: n, UpdatedAt: n}
	if c.Priority != nil {
		p := *c.Priority
		tr.Priority = &p
	}
	err = s.tx(ctx, func(d db) error {
		t, err := s.template(ctx, d, accountID, templateIDOrSID)
		if err != nil {
			return err
		}
		tr.TemplateID = t.ID
		if err := templateFits(ctx, d, t, rr); err != nil {
			return templateError(err)
		}
		if err := d.row(ctx, "INSERT INTO template_records (template_id, name, type, content, ttl, priority, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			t.ID, tr.Name, tr.Type, tr.Content, int64(tr.TTL), prioArg(tr.Priority), n, n).Scan(&tr.ID); err != nil {
			return fmt.Errorf("create template record: %w", err)
		}
		return audit(ctx, d, a, accountID, "template_record.create", "template_record", tr.ID, nil, tr.audit())
	})
	if err != nil {
		return TemplateRecord{}, err
	}
	return tr, nil
}

// templateFits checks rr, a record about to be added to template t, with
// the template's records, in the sample zone with its SOA and NS. Only
// problems rr brings are reported: a template written before these checks
// may hold records that clash among themselves, and that must not stop it
// from taking others.
func templateFits(ctx context.Context, d db, t Template, rr dns.RR) error {
	const sample = templateSample + "."
	rows, err := d.query(ctx, "SELECT "+templateRecordCols+" FROM template_records WHERE template_id = ? ORDER BY id", t.ID)
	if err != nil {
		return fmt.Errorf("read template %s: %w", t.SID, err)
	}
	z := &zone.Zone{Origin: sample, Records: []dns.RR{
		&dns.SOA{Hdr: dns.RR_Header{Name: sample, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 3600},
			Ns: "ns1." + sample, Mbox: "hostmaster." + sample, Serial: 1, Refresh: 3600, Retry: 600, Expire: 604800, Minttl: 300},
		&dns.NS{Hdr: dns.RR_Header{Name: sample, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 3600}, Ns: "ns1." + sample},
	}}
	var dup *TemplateRecord
	for rows.Next() {
		tr, err := scanTemplateRecord(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("read template %s: %w", t.SID, err)
		}
		old, err := zone.Record{Name: tr.Name, Type: tr.Type, Content: strings.ReplaceAll(tr.Content, domainPlaceholder, templateSample),
			TTL: tr.TTL, Priority: tr.Priority}.StoredRR(sample)
		if err != nil {
			// Not the caller's fault: a stored record that no longer
			// converts is the store's.
			rows.Close()
			return fmt.Errorf("convert record %d of template %s: %s", tr.ID, t.SID, err.Error())
		}
		if dup == nil && dns.IsDuplicate(old, rr) {
			dup = &tr
		}
		z.Records = append(z.Records, old)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read template %s: %w", t.SID, err)
	}
	if dup != nil {
		return invalid("content", fmt.Sprintf("the template already has this %s record at %s", dup.Type, cmp.Or(dup.Name, "@")))
	}
	z.Records = append(z.Records, rr)
	err = z.Validate()
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := errors.Unwrap(err).(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	ve := &ValidationError{}
	for _, e := range errs {
		// rr comes last, so a clash with it is found at it, but for the
		// template's names below a DNAME rr adds.
		var pe *zone.ParseError
		if errors.As(e, &pe) && pe.RR != nil && (pe.RR == rr ||
			rr.Header().Rrtype == dns.TypeDNAME && dns.IsSubDomain(rr.Header().Name, pe.RR.Header().Name)) {
			ve.Fields = append(ve.Fields, FieldError{Field: "name", Msg: pe.Msg})
		}
	}
	if len(ve.Fields) == 0 {
		return nil
	}
	return ve
}

var templateRecordSort = map[string]string{"id": "id", "name": "name", "content": "content", "type": "type"}

// TemplateRecords returns one page of a template's records. Sort keys: id,
// name, content, type.
func (s *Store) TemplateRecords(ctx context.Context, accountID int64, templateIDOrSID string, o ListOptions) ([]TemplateRecord, Page, error) {
	t, err := s.Template(ctx, accountID, templateIDOrSID)
	if err != nil {
		return nil, Page{}, err
	}
	out, p, err := list(ctx, s, o, templateRecordSort, templateRecordCols, "FROM template_records WHERE template_id = ?", []any{t.ID},
		func(r *sql.Rows) (TemplateRecord, error) { return scanTemplateRecord(r) })
	if err != nil {
		return nil, Page{}, fmt.Errorf("list records of template %s: %w", t.SID, err)
	}
	return out, p, nil
}

// TemplateRecord returns one record of one of an account's templates.
func (s *Store) TemplateRecord(ctx context.Context, accountID int64, templateIDOrSID string, id int64) (TemplateRecord, error) {
	return s.templateRecord(ctx, s.read(), accountID, templateIDOrSID, id)
}

func (s *Store) templateRecord(ctx context.Context, d db, accountID int64, templateIDOrSID string, id int64) (TemplateRecord, error) {
	t, err := s.template(ctx, d, accountID, templateIDOrSID)
	if err != nil {
		return TemplateRecord{}, err
	}
	tr, err := scanTemplateRecord(d.row(ctx, "SELECT "+templateRecordCols+" FROM template_records WHERE template_id = ? AND id = ?", t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return TemplateRecord{}, fmt.Errorf("find record %d of template %s: %w", id, t.SID, zone.ErrNotFound)
	}
	if err != nil {
		return TemplateRecord{}, fmt.Errorf("find record %d of template %s: %w", id, t.SID, err)
	}
	return tr, nil
}

// DeleteTemplateRecord deletes a record of a template.
func (s *Store) DeleteTemplateRecord(ctx context.Context, a Actor, accountID int64, templateIDOrSID string, id int64) error {
	return s.tx(ctx, func(d db) error {
		tr, err := s.templateRecord(ctx, d, accountID, templateIDOrSID, id)
		if err != nil {
			return err
		}
		if _, err := d.exec(ctx, "DELETE FROM template_records WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete template record %d: %w", id, err)
		}
		return audit(ctx, d, a, accountID, "template_record.delete", "template_record", id, tr.audit(), nil)
	})
}

// ApplyTemplate adds a template's records to a domain's zone, {{domain}}
// replaced by the domain's name: one write, validated with the zone, all
// added or none (field errors name "records[i]", the template's i-th
// record by id).
func (s *Store) ApplyTemplate(ctx context.Context, a Actor, accountID int64, domainNameOrID, templateIDOrSID string) (BatchResult, error) {
	dom, err := s.Domain(ctx, accountID, domainNameOrID)
	if err != nil {
		return BatchResult{}, err
	}
	t, err := s.Template(ctx, accountID, templateIDOrSID)
	if err != nil {
		return BatchResult{}, err
	}
	var out BatchResult
	err = s.writeZone(ctx, a, accountID, dom.Name, "template.apply", func(w *zoneWrite) {
		rows, err := w.d.query(ctx, "SELECT "+templateRecordCols+" FROM template_records WHERE template_id = ? ORDER BY id", t.ID)
		if err != nil {
			w.fail("", fmt.Errorf("read template %s: %w", t.SID, err))
			return
		}
		var trs []TemplateRecord
		for rows.Next() {
			tr, err := scanTemplateRecord(rows)
			if err != nil {
				rows.Close()
				w.fail("", fmt.Errorf("read template %s: %w", t.SID, err))
				return
			}
			trs = append(trs, tr)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			w.fail("", fmt.Errorf("read template %s: %w", t.SID, err))
			return
		}
		for i, tr := range trs {
			w.create(fmt.Sprintf("records[%d].", i), RecordInput{Name: tr.Name, Type: tr.Type,
				Content: strings.ReplaceAll(tr.Content, domainPlaceholder, dom.Name), TTL: tr.TTL, Priority: tr.Priority})
		}
	}, func(res BatchResult) { out = res })
	if err != nil {
		return BatchResult{}, fmt.Errorf("apply template %s: %w", t.SID, err)
	}
	return out, nil
}
