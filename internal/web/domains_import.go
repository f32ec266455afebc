package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// importPage is the data of the import form and of its preview.
type importPage struct {
	Domain store.Domain
	Text   string // the zone file, as pasted or uploaded
	Error  string // what is wrong with it, in plain words
	Line   int    // the line of a syntax error
	Plan   importPlan
	Digest string
	// Problem is why a confirmed import was not applied.
	Problem string
}

// domainsImportPage is GET /a/{account}/domains/{domain}/import: paste or
// upload a zone file.
func (wb *Web) domainsImportPage(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Import a zone file")
	if err != nil {
		return err
	}
	if !v.CanWrite() {
		return forbidden("You are a read-only member of this account.")
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	v.Data = importPage{Domain: d}
	wb.render(w, r, http.StatusOK, "domain_import", v)
	return nil
}

// zoneText reads the zone file of an import form: the uploaded file when
// there is one, else the pasted text. The problem is in plain words.
func zoneText(r *http.Request) (text, problem string, err error) {
	f, fh, err := r.FormFile("file")
	switch {
	case err == nil:
		defer f.Close()
		if fh.Size > maxZoneFile {
			return "", fmt.Sprintf("The file is larger than %d KB. Import it in parts.", maxZoneFile>>10), nil
		}
		b, err := io.ReadAll(io.LimitReader(f, maxZoneFile+1))
		if err != nil {
			return "", "", fmt.Errorf("read uploaded zone file: %w", err)
		}
		if len(b) > 0 {
			text = string(b)
			break
		}
		fallthrough
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		text = r.PostFormValue("zone")
	default:
		return "", "", fmt.Errorf("read import form: %w", err)
	}
	switch {
	case len(text) > maxZoneFile:
		return "", fmt.Sprintf("The zone file is larger than %d KB. Import it in parts.", maxZoneFile>>10), nil
	case strings.TrimSpace(text) == "":
		return "", "Paste the records of a zone file, or choose a file to upload.", nil
	case !utf8.ValidString(text):
		return "", "The zone file is not UTF-8 text. Save it as UTF-8 and try again.", nil
	}
	return strings.ReplaceAll(text, "\r\n", "\n"), "", nil
}

// syntaxProblem puts a zone file's syntax error on the page.
func (p *importPage) syntaxProblem(err error) bool {
	var pe *zone.ParseError
	if !errors.As(err, &pe) {
		return false
	}
	p.Line = pe.Line
	if pe.Line > 0 {
		p.Error = sentence(fmt.Sprintf("Line %d: %s", pe.Line, pe.Msg))
	} else {
		p.Error = sentence(pe.Msg)
	}
	return true
}
