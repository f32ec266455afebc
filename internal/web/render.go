package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

//go:embed templates static
var assets embed.FS

// pages are the parsed templates: each page with the layout.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"datep": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2 Jan 2006 15:04 UTC")
	},
	"accountName": accountName,
	"recordName":  recordName,
	"prio": func(p *uint16) string {
		if p == nil {
			return ""
		}
		return fmt.Sprint(*p)
	},
	"join":  strings.Join,
	"deref": func(b *bool) bool { return b != nil && *b },
	// dict passes named values to a sub-template: (dict "Key" "name" "Label" "Name").
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

func loadPages() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html"))
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		p.byName[name] = template.Must(template.Must(layout.Clone()).ParseFS(assets, n))
	}
	return p
}

// view is what every page's template gets; Data is the page's own.
type view struct {
	Title    string
	User     *store.User
	Accounts []store.Account
	Account  *store.Account // the account the page is about, if any
	Role     store.Role
	CSRF     string
	Flash    string
	Data     any
}

// CanWrite is whether the visitor may change the page's account.
func (v view) CanWrite() bool { return v.Role != "" && v.Role != store.RoleReadOnly }

// view starts a page's view with what the layout shows.
func (wb *Web) view(r *http.Request, title string) view {
	vs := visitOf(r)
	v := view{Title: title, User: vs.user, CSRF: vs.csrf}
	if vs.user != nil {
		v.Accounts, _ = wb.store.Accounts(r.Context(), vs.user.ID)
	}
	return v
}

// render writes a page. A page that fails to render is a 500 with a bare
// message: the error page itself may be what fails.
func (wb *Web) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	if c := wb.cookie(r, flashCookie); c != "" {
		v.Flash, _ = url.QueryUnescape(c)
		wb.setCookie(w, r, flashCookie, "", -1)
	}
	t, ok := wb.pages.byName[name]
	var b bytes.Buffer
	var err error
	if !ok {
		err = fmt.Errorf("no template %q", name)
	} else {
		err = t.ExecuteTemplate(&b, "layout.html", v)
	}
	if err != nil {
		wb.log.Error("render page", "page", name, "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func accountName(a store.Account) string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Personal:
		return a.Email + " (personal)"
	}
	return a.Email
}

// recordName is a record's name as people read it: "@" at the apex.
func recordName(n string) string {
	if n == "" {
		return "@"
	}
	return n
}
