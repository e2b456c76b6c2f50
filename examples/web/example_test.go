package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hazardloop/hazardloop/examples/web"
)

// Example mounts the pages beside a JSON API. Here the API is a stand-in
// that knows one article; the example server passes its real API handler.
// The article's title holds HTML, and the page shows it as text.
func Example() {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/articles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"items": [{"id": "a1", "kind": "law", "title": "<b>安全生产法</b>"}]}`)
	})
	pages, err := web.New(web.Config{API: api})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	pages.Register(mux)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/knowledge?lang=en", nil))
	body := rec.Body.String()
	fmt.Println(rec.Code, strings.Contains(body, "Safety knowledge and rules"), strings.Contains(body, "&lt;b&gt;安全生产法&lt;/b&gt;"))
	// Output: 200 true true
}
