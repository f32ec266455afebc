package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// ListOptions selects one page of a list, in an order.
type ListOptions struct {
	// Page counts from 1; 0 means 1.
	Page int
	// PerPage is 30 when 0, and at most 100.
	PerPage int
	// Sort is DNSimple's sort parameter: "name:asc,id:desc". Each list
	// accepts its own few keys; others are refused (ErrInvalid).
	Sort string
}

// Page describes the page a list returned, as DNSimple's pagination object.
type Page struct {
	CurrentPage, PerPage, TotalEntries, TotalPages int
}

const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// sortTerm is one key of a list's order.
type sortTerm struct {
	key  string
	desc bool
}

// terms reads o's page and sort: the list's order by keys it accepts, and
// the page's size and offset.
func (o ListOptions) terms(accepts func(key string) bool) (terms []sortTerm, limit, offset int, err error) {
	page, per := o.Page, o.PerPage
	if page < 0 {
		return nil, 0, 0, invalid("page", fmt.Sprintf("%d is not a page number", page))
	}
	if page == 0 {
		page = 1
	}
	if per < 0 {
		return nil, 0, 0, invalid("per_page", fmt.Sprintf("%d is not a page size", per))
	}
	if per == 0 {
		per = defaultPerPage
	}
	per = min(per, maxPerPage)
	if o.Sort != "" {
		for _, term := range strings.Split(o.Sort, ",") {
			key, dir, _ := strings.Cut(strings.TrimSpace(term), ":")
			if !accepts(key) {
				return nil, 0, 0, invalid("sort", fmt.Sprintf("cannot sort by %q", key))
			}
			t := sortTerm{key: key}
			switch strings.ToLower(dir) {
			case "", "asc":
			case "desc":
				t.desc = true
			default:
				return nil, 0, 0, invalid("sort", fmt.Sprintf("%q is not asc or desc", dir))
			}
			terms = append(terms, t)
		}
	}
	// A page past any list reads nothing, without (page-1)*per
	// overflowing into a negative offset.
	return terms, per, min(page-1, maxOffset/per) * per, nil
}

// maxOffset bounds offsets: more rows than any list holds, small enough
// that offset+limit cannot overflow.
const maxOffset = 1 << 40

// plan turns o into an ORDER BY, LIMIT and OFFSET. columns maps the sort keys
// the list accepts to their SQL expressions; id ascending breaks ties.
func (o ListOptions) plan(columns map[string]string) (order string, limit, offset int, err error) {
	terms, limit, offset, err := o.terms(func(key string) bool { _, ok := columns[key]; return ok })
	if err != nil {
		return "", 0, 0, err
	}
	var sql []string
	hasID := false
	for _, t := range terms {
		dir := " ASC"
		if t.desc {
			dir = " DESC"
		}
		hasID = hasID || t.key == "id"
		sql = append(sql, columns[t.key]+dir)
	}
	if !hasID {
		sql = append(sql, columns["id"]+" ASC")
	}
	return " ORDER BY " + strings.Join(sql, ", "), limit, offset, nil
}

func (o ListOptions) page(total int) Page {
	p := Page{CurrentPage: max(o.Page, 1), PerPage: o.PerPage, TotalEntries: total}
	if p.PerPage == 0 {
		p.PerPage = defaultPerPage
	}
	p.PerPage = min(p.PerPage, maxPerPage)
	p.TotalPages = (total + p.PerPage - 1) / p.PerPage
	return p
}

// list reads one page of rows: cols selected from "from" (a FROM clause with
// its WHERE, whose placeholders args fill), counted and ordered as o says.
func list[T any](ctx context.Context, s *Store, o ListOptions, sortable map[string]string, cols, from string, args []any, scan func(*sql.Rows) (T, error)) ([]T, Page, error) {
	order, limit, offset, err := o.plan(sortable)
	if err != nil {
		return nil, Page{}, err
	}
	var (
		out   []T
		total int
	)
	err = s.readTx(ctx, func(d db) error {
		if err := d.row(ctx, "SELECT COUNT(*) "+from, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := d.query(ctx, "SELECT "+cols+" "+from+order+" LIMIT ? OFFSET ?", append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, Page{}, err
	}
	return out, o.page(total), nil
}
