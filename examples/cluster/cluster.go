package cluster

import (
	"net/url"
	"strings"
)

// WithSearchPath returns the PostgreSQL URL dbURL with its search_path set
// to schema, so that every connection made with it (by pgx, pgstore or a
// server process) works in that schema. A search_path already in the URL
// is replaced. A URL that does not parse is returned with the parameter
// appended.
func WithSearchPath(dbURL, schema string) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.Scheme == "" {
		sep := "?"
		if strings.Contains(dbURL, "?") {
			sep = "&"
		}
		return dbURL + sep + "search_path=" + url.QueryEscape(schema)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
