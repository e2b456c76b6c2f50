package server

import (
	"net/http"
	"strconv"
	"time"
)

// Route is one entry of the route table: the router, the access tests and
// the OpenAPI description are all made from it.
type Route struct {
	// Method and Path form the net/http pattern "METHOD PATH".
	Method string
	Path   string
	// Access says who may call the route.
	Access Access
	// Summary describes the route in the OpenAPI description.
	Summary string
	// Tag groups the route in the OpenAPI description.
	Tag string
	// Body names the request body: "" for none, "multipart" for an upload,
	// else a schema name of the OpenAPI description.
	Body string
	// Status is the status of a successful answer.
	Status int
	// Query lists the query parameters.
	Query []string
	// DemoOnly routes exist only when Config.Demo is set.
	DemoOnly bool
	// Raw routes answer with something else than JSON (metrics, photos).
	Raw bool
	// Phone routes need a citizen to have a phone number first (a WeChat
	// login binds it with POST /api/v1/me/phone/wechat): one person has
	// one account, so nothing is filed under a WeChat account that binding
	// the phone of an existing account would leave behind.
	Phone bool

	handle handlerFunc
}

// Pattern returns the net/http pattern of the route.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// handlerFunc parses a request, calls one use case and encodes the answer;
// an error is written by writeError.
type handlerFunc func(s *Server, w http.ResponseWriter, r *http.Request, c caller) error

// Routes returns the route table of a server, with the demo routes when
// demo is set.
func Routes(demo bool) []Route {
	all := routeTable()
	out := all[:0]
	for _, rt := range all {
		if !rt.DemoOnly || demo {
			rt.handle = nil
			out = append(out, rt)
		}
	}
	return out
}

func routeTable() []Route {
	return append([]Route{
		{Method: "GET", Path: "/healthz", Access: AccessPublic, Tag: "ops", Summary: "Liveness: the process is up.", Status: 200, handle: (*Server).healthz},
		{Method: "GET", Path: "/readyz", Access: AccessPublic, Tag: "ops", Summary: "Readiness: the store answers and the server is not shutting down.", Status: 200, handle: (*Server).readyz},
		{Method: "GET", Path: "/metrics", Access: AccessPublic, Tag: "ops", Summary: "Prometheus metrics.", Status: 200, Raw: true, handle: (*Server).metrics},
		{Method: "GET", Path: "/api/v1/openapi.json", Access: AccessPublic, Tag: "ops", Summary: "This OpenAPI 3 description.", Status: 200, handle: (*Server).openapi},

		{Method: "POST", Path: "/api/v1/auth/code", Access: AccessPublic, Tag: "auth", Summary: "Send a one-time login code to a phone.", Body: "CodeRequest", Status: 202, handle: (*Server).sendCode},
		{Method: "POST", Path: "/api/v1/auth/login", Access: AccessPublic, Tag: "auth", Summary: "Log in with phone and one-time code; returns a bearer token.", Body: "LoginRequest", Status: 200, handle: (*Server).login},
		{Method: "POST", Path: "/api/v1/auth/wechat", Access: AccessPublic, Tag: "auth", Summary: "Log in from the mini-program with the code of wx.login (code2Session); returns a bearer token. The account is keyed by the WeChat unionid, else openid.", Body: "WeChatLoginRequest", Status: 200, handle: (*Server).wechatLogin},
		{Method: "POST", Path: "/api/v1/me/phone/wechat", Access: AccessReporter, Tag: "auth", Summary: "Bind the phone number behind the code of getPhoneNumber; when the phone is another citizen's account, the WeChat identity joins that account and the token returned is its.", Body: "WeChatPhoneRequest", Status: 200, handle: (*Server).wechatPhone},
		{Method: "POST", Path: "/api/v1/demo/login", Access: AccessPublic, Tag: "auth", Summary: "Demo mode only: a token for any seeded user.", Body: "DemoLoginRequest", Status: 200, DemoOnly: true, handle: (*Server).demoLogin},
		{Method: "GET", Path: "/api/v1/me", Access: AccessUser, Tag: "auth", Summary: "The signed-in user.", Status: 200, handle: (*Server).me},
		{Method: "POST", Path: "/api/v1/me/verify", Access: AccessReporter, Tag: "auth", Summary: "Real-name verification: name and resident ID number.", Body: "VerifyRequest", Status: 200, Phone: true, handle: (*Server).verify},

		{Method: "POST", Path: "/api/v1/uploads", Access: AccessUser, Tag: "reports", Summary: "Upload one photo (multipart field file; JPEG, PNG or WebP; at most 10 MiB).", Body: "multipart", Status: 201, Phone: true, handle: (*Server).upload},
		{Method: "POST", Path: "/api/v1/reports", Access: AccessUser, Tag: "reports", Summary: "Submit a report with 1 to 9 of your uploads; Idempotency-Key makes retries safe. Citizens file citizen reports; staff file inspection or supervision findings (with unit_id); a unit's safety manager files self-checks.", Body: "ReportRequest", Status: 201, Phone: true, handle: (*Server).submit},
		{Method: "GET", Path: "/api/v1/reports/{id}", Access: AccessUser, Tag: "reports", Summary: "A report: the reporter's view or the staff view, as the caller may.", Status: 200, handle: (*Server).report},
		{Method: "GET", Path: "/api/v1/me/reports", Access: AccessReporter, Tag: "reports", Summary: "The caller's own reports, newest first.", Query: []string{"limit", "cursor"}, Status: 200, handle: (*Server).myReports},
		{Method: "GET", Path: "/api/v1/reports/{id}/actions", Access: AccessUser, Tag: "reports", Summary: "The actions the caller may take now.", Status: 200, handle: (*Server).actions},
		{Method: "POST", Path: "/api/v1/reports/{id}/actions/{action}", Access: AccessUser, Tag: "reports", Summary: "Take an action of the report's process (GET /api/v1/processes lists them).", Body: "ActionRequest", Status: 200, handle: (*Server).act},
		{Method: "POST", Path: "/api/v1/reports/{id}/unit", Access: AccessStaff, Tag: "reports", Summary: "Link a report to the unit (enterprise) it was found at; the unit then sees it, never its reporter.", Body: "UnitLinkRequest", Status: 200, handle: (*Server).linkUnit},
		{Method: "GET", Path: "/api/v1/queue", Access: AccessWork, Tag: "reports", Summary: "The caller's work queue, oldest deadline first.", Query: []string{"limit"}, Status: 200, handle: (*Server).queue},

		{Method: "GET", Path: "/api/v1/plaza", Access: AccessPublic, Tag: "plaza", Summary: "The report plaza: public reports, newest first, with their public timelines.", Query: []string{"category", "state", "limit", "cursor"}, Status: 200, handle: (*Server).plaza},
		{Method: "GET", Path: "/api/v1/plaza/{ref}", Access: AccessPublic, Tag: "plaza", Summary: "One public report with its public timeline.", Status: 200, handle: (*Server).plazaReport},

		{Method: "GET", Path: "/api/v1/me/rewards", Access: AccessReporter, Tag: "rewards", Summary: "The caller's rewards, by status.", Query: []string{"status", "limit", "cursor"}, Status: 200, handle: (*Server).myRewards},
		{Method: "POST", Path: "/api/v1/me/rewards/{id}/claim", Access: AccessReporter, Tag: "rewards", Summary: "Claim a pending reward. With WeChat Pay, a transfer waiting for the citizen answers state claiming with package, mch_id and app_id for wx.requestMerchantTransfer.", Status: 200, handle: (*Server).claim},
		{Method: "GET", Path: "/api/v1/me/rewards/{id}/claim", Access: AccessReporter, Tag: "rewards", Summary: "A claim waiting for the citizen's confirmation again (package, mch_id, app_id), e.g. after the mini-program was closed.", Status: 200, handle: (*Server).pendingClaim},
		{Method: "POST", Path: "/api/v1/pay/wechat/notify", Access: AccessPublic, Tag: "rewards", Summary: "WeChat Pay's transfer bill callback (MCHTRANSFER.BILL.FINISHED): signature verified before anything is read; answers 204, or 4xx/5xx with {code: FAIL, message} for WeChat Pay to retry.", Body: "WeChatPayNotification", Status: 204, Raw: true, handle: (*Server).wechatPayNotify},

		{Method: "GET", Path: "/api/v1/stats", Access: AccessPublic, Tag: "stats", Summary: "The figures a city publishes: all-time totals (citizens, reports by source, rewards issued and paid as counts and amounts) beside a period's (since and until, RFC 3339 or YYYY-MM-DD; the last year by default); per-department closure and overdue figures for staff.", Query: []string{"since", "until"}, Status: 200, handle: (*Server).stats},

		{Method: "GET", Path: "/api/v1/articles", Access: AccessPublic, Tag: "articles", Summary: "Published articles (laws, rules, safety knowledge); admins also see drafts.", Query: []string{"kind"}, Status: 200, handle: (*Server).listArticles},
		{Method: "GET", Path: "/api/v1/articles/{id}", Access: AccessPublic, Tag: "articles", Summary: "One article.", Status: 200, handle: (*Server).getArticle},
		{Method: "POST", Path: "/api/v1/articles", Access: AccessAdmin, Tag: "articles", Summary: "Create a draft article.", Body: "ArticleInput", Status: 201, handle: (*Server).createArticle},
		{Method: "PUT", Path: "/api/v1/articles/{id}", Access: AccessAdmin, Tag: "articles", Summary: "Update an article (expected_version required).", Body: "ArticleInput", Status: 200, handle: (*Server).updateArticle},
		{Method: "POST", Path: "/api/v1/articles/{id}/publish", Access: AccessAdmin, Tag: "articles", Summary: "Publish an article.", Status: 200, handle: (*Server).publishArticle},

		{Method: "GET", Path: "/api/v1/categories", Access: AccessPublic, Tag: "reference", Summary: "Hazard categories.", Status: 200, handle: (*Server).categories},
		{Method: "GET", Path: "/api/v1/departments", Access: AccessPublic, Tag: "reference", Summary: "Departments.", Status: 200, handle: (*Server).departments},
		{Method: "GET", Path: "/api/v1/processes", Access: AccessPublic, Tag: "reference", Summary: "The processes hazards run: states (label, public status, outcome, Open311 status) and actions.", Status: 200, handle: (*Server).processes},

		{Method: "GET", Path: "/photos/{key}", Access: AccessPublic, Tag: "reports", Summary: "A photo: the original to whoever may see its report, a copy without metadata to the public.", Status: 200, Raw: true, handle: (*Server).photo},
	}, append(regulatorRoutes(), privacyRoutes()...)...)
}

// routeHandler wraps a route's handler with access control and metrics.
func (s *Server) routeHandler(rt Route) http.Handler {
	pattern := rt.Pattern()
	return s.instrument(pattern, func(sw *statusWriter, r *http.Request) {
		c, err := s.authorize(&rt, r)
		cacheRules(sw.Header(), &rt, c)
		if err == nil {
			var release func()
			release, err = s.limitRoute(&rt, sw)
			if err == nil {
				err = rt.handle(s, sw, r, c)
			}
			release()
		}
		if err != nil {
			if sw.status != 0 {
				// The answer is under way: nothing more can be said.
				s.log.Error("request failed after the answer began", "route", pattern, "error", err)
			} else {
				s.writeError(sw, r, err)
			}
		}
	})
}

// instrument counts the answers of serve by route and status, and times
// them by route, under the label route.
func (s *Server) instrument(route string, serve func(sw *statusWriter, r *http.Request)) http.Handler {
	obs := s.httpm.duration.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		serve(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.httpm.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		obs.Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// cacheRules sets the caching headers of a route's answer, the one rule
// for every route: an answer that may depend on the caller says so (Vary:
// Authorization), and an answer to a signed-in caller or of a route that
// needs one (personal or staff data) is never stored (Cache-Control:
// no-store). A handler whose answer is public whoever asks (the plaza, a
// public photo) may set its own Cache-Control after.
func cacheRules(h http.Header, rt *Route, c caller) {
	if rt.Tag == "ops" {
		return
	}
	h.Add("Vary", "Authorization")
	if rt.Access != AccessPublic || c.signed {
		h.Set("Cache-Control", "no-store")
	}
}
