package web

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// DemoUser is a seeded user offered on the login page in demo mode.
type DemoUser struct {
	ID    string
	Label string
}

// Config configures the pages.
type Config struct {
	// API serves the JSON API under /api/v1/; pages call it in-process.
	API http.Handler
	// Demo offers DemoUsers on the login page (POST /api/v1/demo/login).
	Demo      bool
	DemoUsers []DemoUser
	// Logger receives page errors; slog.Default() when nil.
	Logger *slog.Logger
	// HTTPS reports whether a request reached the server over HTTPS
	// (directly, or through a trusted proxy that says so); the cookies
	// the pages set are then Secure. Nil means r.TLS != nil.
	HTTPS func(r *http.Request) bool
	// Map says where the maps of the risk map, plaza and report pages
	// come from (see MapConfig); the zero value is Leaflet from unpkg and
	// OpenStreetMap's tiles.
	Map MapConfig
}

// Handler serves the pages. Mount it with Register.
type Handler struct {
	api    http.Handler
	demo   bool
	users  []DemoUser
	log    *slog.Logger
	https  func(r *http.Request) bool
	pages  map[string]*template.Template
	static http.Handler
	mapCfg MapConfig
}

// pageNames lists the page templates; each is parsed with layout.html.
var pageNames = []string{
	"home", "report", "plaza", "plaza_item", "mine", "knowledge", "article",
	"login", "console", "console_report", "board", "articles_admin", "error",
	"data", "access_log",
	"work_home", "work_unit", "work_inspection", "work_ledger", "work_figures", "work_spotchecks", "work_spotcheck",
	"claim",
	"moderation", "reply_templates",
	"riskmap",
}

// New parses the embedded templates and returns the handler.
func New(cfg Config) (*Handler, error) {
	if cfg.API == nil {
		return nil, errors.New("web: Config.API is required")
	}
	h := &Handler{api: cfg.API, demo: cfg.Demo, users: cfg.DemoUsers, log: cfg.Logger, pages: map[string]*template.Template{}}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.mapCfg = cfg.Map.withDefaults()
	if err := h.mapCfg.check(); err != nil {
		return nil, err
	}
	h.https = cfg.HTTPS
	if h.https == nil {
		h.https = func(r *http.Request) bool { return r.TLS != nil }
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/map.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		h.pages[name] = t
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	h.static = http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return h, nil
}

// pageRoute is a route of the pages: its method-and-path pattern and its
// handler.
type pageRoute struct {
	pattern string
	handler http.Handler
}

// routeTable is the one list of the page routes, which Routes and Register
// read.
func (h *Handler) routeTable() []pageRoute {
	return append([]pageRoute{
		{"GET /{$}", http.HandlerFunc(h.home)},
		{"GET /report", http.HandlerFunc(h.report)},
		{"GET /plaza", http.HandlerFunc(h.plaza)},
		{"GET /plaza/{ref}", http.HandlerFunc(h.plazaItem)},
		{"GET /mine", http.HandlerFunc(h.mine)},
		{"GET /knowledge", http.HandlerFunc(h.knowledge)},
		{"GET /knowledge/{id}", http.HandlerFunc(h.article)},
		{"GET /login", http.HandlerFunc(h.login)},
		{"GET /console", http.HandlerFunc(h.console)},
		{"GET /console/reports/{id}", http.HandlerFunc(h.consoleReport)},
		{"GET /console/board", http.HandlerFunc(h.board)},
		{"GET /console/articles", http.HandlerFunc(h.articlesAdmin)},
		{"GET /console/data", http.HandlerFunc(h.dataPage)},
		{"GET /console/exports/reports", h.export("/api/v1/exports/reports")},
		{"GET /console/exports/rewards", h.export("/api/v1/exports/rewards")},
		{"GET /console/access-log", http.HandlerFunc(h.accessLog)},
		{"GET /claim", http.HandlerFunc(h.claim)},
		{"POST /claim/qr", http.HandlerFunc(h.claimQR)},
		{"GET /console/moderation", http.HandlerFunc(h.moderation)},
		{"GET /console/templates", http.HandlerFunc(h.replyTemplates)},
		{"GET /static/", h.static},
		{"GET /risk-map", http.HandlerFunc(h.riskMap)},
	}, append(append(h.workPages(), h.citizenPages()...), h.myDataPages()...)...)
}

// Routes lists the page routes as method-and-path patterns.
func (h *Handler) Routes() []string {
	table := h.routeTable()
	out := make([]string, len(table))
	for i, rt := range table {
		out[i] = rt.pattern
	}
	return out
}

// Register adds the page routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routeTable() {
		mux.Handle(rt.pattern, rt.handler)
	}
}

// page is what every template receives.
type page struct {
	L Lang
	// States names each state of the server's processes in L: its public
	// status, as GET /api/v1/processes declares it.
	States map[string]string
	// StateOrder lists the states in the processes' order.
	StateOrder []string
	Path       string
	Title      string
	LoggedIn   bool
	Me         map[string]any
	Data       map[string]any
	Demo       bool
	Users      []DemoUser
	// Secure says the page was reached over HTTPS: its script then sets
	// the token cookie Secure.
	Secure bool
	// Map, when set, makes it a page with a map (withMap).
	Map *mapView
	// RiskMapPublic says the risk map is linked for everyone.
	RiskMapPublic bool
}

func (h *Handler) newPage(r *http.Request, c client, title string) *page {
	p := &page{L: c.lang, Path: r.URL.Path, Title: title, Data: map[string]any{}, Demo: h.demo, Users: h.users, Secure: h.https(r), RiskMapPublic: h.mapCfg.RiskMapPublic}
	p.States, p.StateOrder = h.stateNames(r, c)
	if c.token != "" {
		var me map[string]any
		if err := c.get(r.Context(), "/api/v1/me", nil, &me); err == nil {
			p.LoggedIn, p.Me = true, me
		}
	}
	return p
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, p *page) {
	h.renderStatus(w, r, name, p, http.StatusOK)
}

// renderStatus renders the page into a buffer before writing anything, so
// that a template failure is a clean 500 rather than half a page.
func (h *Handler) renderStatus(w http.ResponseWriter, r *http.Request, name string, p *page, status int) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		h.log.Error("render page", "page", name, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	if r.URL.Query().Has("lang") {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(p.L), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: p.Secure})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	csp := cspBase
	if p.Map != nil {
		csp = h.mapCfg.mapCSP()
	}
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail renders the error page with the API's status and message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, p *page, err error) {
	status, msg := http.StatusInternalServerError, T(p.L, "error.title")
	var ae *APIError
	if errors.As(err, &ae) {
		status, msg = ae.Status, ae.Message
		if ae.Status == http.StatusUnauthorized {
			msg = T(p.L, "error.login")
		}
	} else {
		h.log.Error("page", "path", r.URL.Path, "err", err)
	}
	p.Title = T(p.L, "error.title")
	p.Data["Status"] = status
	p.Data["Message"] = msg
	h.renderStatus(w, r, "error", p, status)
}

// call is one JSON API call of a page; its answer goes into page.Data[key].
type call struct {
	key   string
	path  string
	query url.Values
}

// start makes the page of a request. A page for signed-in users redirects
// anyone else to the login page and reports false.
func (h *Handler) start(w http.ResponseWriter, r *http.Request, titleKey string, signedIn bool) (*page, client, bool) {
	c := h.clientFor(r)
	p := h.newPage(r, c, T(c.lang, titleKey))
	// Every page shows who is signed in: the answer depends on the token
	// cookie, and a signed-in user's page (personal or staff) is never
	// stored by a browser or a proxy.
	w.Header().Add("Vary", "Cookie")
	if signedIn || p.LoggedIn {
		w.Header().Set("Cache-Control", "no-store")
	}
	if signedIn && !p.LoggedIn {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		return nil, c, false
	}
	return p, c, true
}

// load makes the page's API calls in order. On the first error it renders
// the API's error and reports false.
func (h *Handler) load(w http.ResponseWriter, r *http.Request, p *page, c client, calls ...call) bool {
	for _, cl := range calls {
		var v any
		if err := c.get(r.Context(), cl.path, cl.query, &v); err != nil {
			h.fail(w, r, p, err)
			return false
		}
		p.Data[cl.key] = v
	}
	return true
}

var (
	callCategories  = call{key: "Categories", path: "/api/v1/categories"}
	callDepartments = call{key: "Departments", path: "/api/v1/departments"}
	callArticles    = call{key: "Articles", path: "/api/v1/articles"}
)

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	p, c, _ := h.start(w, r, "app.name", false)
	if h.load(w, r, p, c, call{"Stats", "/api/v1/stats", nil}, call{"Plaza", "/api/v1/plaza", url.Values{"limit": {"5"}}}, callArticles) {
		p.Data["Sources"] = sourceRows(p.Data["Stats"])
		h.render(w, r, "home", p)
	}
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	p, c, _ := h.start(w, r, "report.title", false)
	if h.load(w, r, p, c, callCategories, callDepartments) {
		h.withMap(p)
		h.render(w, r, "report", p)
	}
}

func (h *Handler) plaza(w http.ResponseWriter, r *http.Request) {
	p, c, _ := h.start(w, r, "plaza.title", false)
	q := url.Values{}
	for _, k := range []string{"category", "state", "cursor"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if !h.load(w, r, p, c, call{"Plaza", "/api/v1/plaza", q}, callCategories) {
		return
	}
	p.Data["Category"], p.Data["State"] = q.Get("category"), q.Get("state")
	p.Data["States"] = p.StateOrder
	h.withMap(p)
	h.render(w, r, "plaza", p)
}

func (h *Handler) plazaItem(w http.ResponseWriter, r *http.Request) {
	p, c, _ := h.start(w, r, "plaza.title", false)
	if h.load(w, r, p, c, call{"Item", "/api/v1/plaza/" + url.PathEscape(r.PathValue("ref")), nil}) {
		h.render(w, r, "plaza_item", p)
	}
}

func (h *Handler) mine(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "mine.title", true)
	if ok && h.load(w, r, p, c, call{"Reports", "/api/v1/me/reports", nil}, call{"Rewards", "/api/v1/me/rewards", nil}) {
		h.render(w, r, "mine", p)
	}
}

func (h *Handler) knowledge(w http.ResponseWriter, r *http.Request) {
	p, c, _ := h.start(w, r, "knowledge.title", false)
	if h.load(w, r, p, c, callArticles) {
		h.render(w, r, "knowledge", p)
	}
}

func (h *Handler) article(w http.ResponseWriter, r *http.Request) {
	p, c, _ := h.start(w, r, "knowledge.title", false)
	if !h.load(w, r, p, c, call{"Article", "/api/v1/articles/" + url.PathEscape(r.PathValue("id")), nil}) {
		return
	}
	if a, ok := p.Data["Article"].(map[string]any); ok {
		if t, ok := a["title"].(string); ok {
			p.Title = t
		}
	}
	h.render(w, r, "article", p)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	p, _, _ := h.start(w, r, "login.title", false)
	p.Data["Next"] = SafeNext(r.URL.Query().Get("next"))
	h.render(w, r, "login", p)
}

func (h *Handler) console(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "console.title", true)
	if ok && fmt.Sprint(p.Me["role"]) == "auditor" {
		// An auditor has no queue: their console is the access log.
		http.Redirect(w, r, "/console/access-log", http.StatusSeeOther)
		return
	}
	if ok && h.load(w, r, p, c, call{"Queue", "/api/v1/queue", nil}) {
		p.Data["CategoryNames"] = h.categoryNames(r, c)
		h.render(w, r, "console", p)
	}
}

func (h *Handler) consoleReport(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "console.detail", true)
	id := url.PathEscape(r.PathValue("id"))
	if !ok || !h.load(w, r, p, c, call{"Report", "/api/v1/reports/" + id, nil}, call{"Actions", "/api/v1/reports/" + id + "/actions", nil}, callDepartments) {
		return
	}
	p.Data["ID"] = r.PathValue("id")
	p.Data["CategoryNames"] = h.categoryNames(r, c)
	h.render(w, r, "console_report", p)
}

func (h *Handler) board(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "console.board", true)
	if !ok || !h.load(w, r, p, c, call{"Stats", "/api/v1/stats", nil}, callDepartments) {
		return
	}
	var figures []any
	if st, ok := p.Data["Stats"].(map[string]any); ok {
		figures = asList(st["departments"])
	}
	rows := namedDepartments(c.lang, figures, asList(p.Data["Departments"]))
	p.Data["Rows"] = rows
	p.Data["Chart"] = departmentChart(rows)
	h.render(w, r, "board", p)
}

func (h *Handler) articlesAdmin(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "console.articles", true)
	if ok && h.load(w, r, p, c, callArticles) {
		h.render(w, r, "articles_admin", p)
	}
}

// stateNames maps the states of the server's processes to their public
// status in the page's language, and lists them in the processes' order;
// the pages keep no list of states of their own.
func (h *Handler) stateNames(r *http.Request, c client) (map[string]string, []string) {
	var procs struct {
		Items []struct {
			States []struct {
				Name   string            `json:"name"`
				Public map[string]string `json:"public"`
			} `json:"states"`
		} `json:"items"`
	}
	names := map[string]string{}
	var order []string
	if err := c.get(r.Context(), "/api/v1/processes", nil, &procs); err != nil {
		h.log.Warn("processes for a page", "err", err)
		return names, order
	}
	key := "zh"
	if c.lang == LangEN {
		key = "en"
	}
	for _, pr := range procs.Items {
		for _, st := range pr.States {
			if _, ok := names[st.Name]; !ok {
				names[st.Name] = cmp.Or(st.Public[key], st.Name)
				order = append(order, st.Name)
			}
		}
	}
	return names, order
}

// categoryNames maps category codes to their names in the page's
// language; a code the API does not name shows as itself.
func (h *Handler) categoryNames(r *http.Request, c client) map[string]string {
	var cats any
	names := map[string]string{}
	if err := c.get(r.Context(), "/api/v1/categories", nil, &cats); err != nil {
		h.log.Warn("categories for a page", "err", err)
		return names
	}
	key := "name_zh"
	if c.lang == LangEN {
		key = "name_en"
	}
	for _, x := range asList(cats) {
		if m, ok := x.(map[string]any); ok {
			names[fmt.Sprint(m["code"])] = fmt.Sprint(first(m, key, "code"))
		}
	}
	return names
}

var funcs = template.FuncMap{
	"t":        T,
	"state":    func(names map[string]string, s any) string { return cmp.Or(names[fmt.Sprint(s)], fmt.Sprint(s)) },
	"money":    money,
	"when":     when,
	"photo":    photoURL,
	"list":     asList,
	"str":      func(v any) string { return fmt.Sprint(v) },
	"industry": industryName,
	"has": func(m any, k string) bool {
		mm, ok := m.(map[string]any)
		if !ok {
			return false
		}
		v, ok := mm[k]
		return ok && v != nil && v != "" && v != false
	},
	"needs": func(needs any, k string) bool {
		for _, n := range asList(needs) {
			if fmt.Sprint(n) == k {
				return true
			}
		}
		return false
	},
}

// asList returns v as a list: v itself when it is one, the "items" of an
// object holding a list, else nil.
func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case map[string]any:
		for _, k := range []string{"items", "actions", "rewards", "reports", "articles", "queue"} {
			if l, ok := x[k].([]any); ok {
				return l
			}
		}
	}
	return nil
}

// photoURL returns the address of a photo given as a blob key or as a
// link object with a "url" or a "key".
func photoURL(v any) string {
	if m, ok := v.(map[string]any); ok {
		if u, ok := m["url"].(string); ok && strings.HasPrefix(u, "/") {
			return u
		}
		v = m["key"]
	}
	return "/photos/" + url.PathEscape(fmt.Sprint(v))
}

// money formats integer fen as yuan without floating point.
func money(v any) string {
	var fen int64
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return x.String()
		}
		fen = n
	case int64:
		fen = x
	case int:
		fen = int64(x)
	default:
		return fmt.Sprint(v)
	}
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, fen/100, fen%100)
}

// when formats an RFC 3339 time for people, in China Standard Time.
func when(v any) string {
	s, ok := v.(string)
	if !ok || s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.IsZero() {
		return s
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

var cst = time.FixedZone("CST", 8*3600)
