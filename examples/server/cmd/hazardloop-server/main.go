// Command hazardloop-server runs the hazardloop example server: the whole
// closed loop of hazard reporting over HTTP, on in-memory storage with demo
// data by default.
//
// From the repository root:
//
//	go run ./examples/server/cmd/hazardloop-server
//
// Every flag has an environment variable; a flag given wins over it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hazardloop-server:", err)
		// Every problem at once, such as those of the city's
		// configuration files.
		var e *hazard.Error
		if errors.As(err, &e) && len(e.Fields) > 1 {
			for _, f := range e.Fields {
				fmt.Fprintf(os.Stderr, "  %s: %s\n", f.Field, f.Message)
			}
		}
		os.Exit(1)
	}
}

// run parses flags and the environment into a server.Config and runs the
// server until SIGINT or SIGTERM.
func run(args []string, getenv func(string) string, stderr *os.File) error {
	cfg, err := config(args, getenv, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return server.Run(ctx, cfg, func(a string) {
		cfg.Logger.Info("hazardloop example server ready", "url", "http://"+a+"/", "openapi", "http://"+a+"/api/v1/openapi.json", "demo", cfg.Demo)
		fmt.Fprintf(stderr, "\nOpen http://%s/ (the plaza API: http://%s/api/v1/plaza; its description: http://%s/api/v1/openapi.json)\n", a, a, a)
		if cfg.Demo {
			fmt.Fprintf(stderr, "Demo login: curl -X POST http://%s/api/v1/demo/login -H 'Content-Type: application/json' -d '{\"user\":\"citizen-1\"}'\n\n", a)
		}
	})
}

// config parses flags and the environment into a server.Config logging to
// stderr.
func config(args []string, getenv func(string) string, stderr io.Writer) (server.Config, error) {
	fs := flag.NewFlagSet("hazardloop-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	// Demo mode is on by default in memory only: with a database it must
	// be asked for (-demo or HAZARDLOOP_DEMO=true).
	demoDefault, demoAsked := true, false
	if v := getenv("HAZARDLOOP_DEMO"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return server.Config{}, fmt.Errorf("HAZARDLOOP_DEMO: %w", err)
		}
		demoDefault, demoAsked = b, true
	}
	httpMediaDefault, err := strconv.ParseBool(env("HAZARDLOOP_OPEN311_ALLOW_HTTP_MEDIA", "false"))
	if err != nil {
		return server.Config{}, fmt.Errorf("HAZARDLOOP_OPEN311_ALLOW_HTTP_MEDIA: %w", err)
	}
	perDayDefault, err := strconv.Atoi(env("HAZARDLOOP_SUBMITS_PER_DAY", "0"))
	if err != nil {
		return server.Config{}, fmt.Errorf("HAZARDLOOP_SUBMITS_PER_DAY: %w", err)
	}
	addr := fs.String("addr", env("HAZARDLOOP_ADDR", server.DefaultAddr), "address to listen on (HAZARDLOOP_ADDR)")
	photos := fs.String("photos", env("HAZARDLOOP_PHOTO_DIR", ""), "photo directory; empty for a temporary one (HAZARDLOOP_PHOTO_DIR)")
	demo := fs.Bool("demo", demoDefault, "seed demo data and enable the demo login; default on in memory, off with -database-url (HAZARDLOOP_DEMO)")
	secret := fs.String("token-secret", env("HAZARDLOOP_TOKEN_SECRET", ""), "secret signing bearer tokens, at least 32 bytes; generated when empty (HAZARDLOOP_TOKEN_SECRET)")
	dbURL := fs.String("database-url", env("DATABASE_URL", ""), "PostgreSQL URL; empty for in-memory storage (DATABASE_URL)")
	baseURL := fs.String("base-url", env("HAZARDLOOP_BASE_URL", ""), "public root URL; default http://<addr> (HAZARDLOOP_BASE_URL)")
	o311 := fs.String("open311-keys", env("HAZARDLOOP_OPEN311_KEYS", ""), "Open311 partners as name:key,name:key (HAZARDLOOP_OPEN311_KEYS)")
	perDay := fs.Int("submits-per-day", perDayDefault, "reports one citizen may submit in any 24 hours; 0 for the library's default (20), negative for no limit (HAZARDLOOP_SUBMITS_PER_DAY)")
	o311Hosts := fs.String("open311-media-hosts", env("HAZARDLOOP_OPEN311_MEDIA_HOSTS", ""), "comma-separated hosts Open311 media_url may name (HAZARDLOOP_OPEN311_MEDIA_HOSTS)")
	o311HTTP := fs.Bool("open311-allow-http-media", httpMediaDefault, "let Open311 media_url use plain http, e.g. a local demo host without a certificate; never in production (HAZARDLOOP_OPEN311_ALLOW_HTTP_MEDIA)")
	o311Juris := fs.String("open311-jurisdiction", env("HAZARDLOOP_OPEN311_JURISDICTION", ""), "the only Open311 jurisdiction_id accepted; empty for any (HAZARDLOOP_OPEN311_JURISDICTION)")
	o311Lang := fs.String("open311-language", env("HAZARDLOOP_OPEN311_LANGUAGE", "en"), "language of Open311 service names: en or zh (HAZARDLOOP_OPEN311_LANGUAGE)")
	durEnv := func(name string, def time.Duration) time.Duration {
		if d, err := time.ParseDuration(getenv(name)); err == nil {
			return d
		}
		return def
	}
	intEnv := func(name string, def int) int {
		if n, err := strconv.Atoi(getenv(name)); err == nil {
			return n
		}
		return def
	}
	readTimeout := fs.Duration("read-timeout", durEnv("HAZARDLOOP_READ_TIMEOUT", server.DefaultReadTimeout), "longest time to read a request, body included, but for uploads (HAZARDLOOP_READ_TIMEOUT)")
	writeTimeout := fs.Duration("write-timeout", durEnv("HAZARDLOOP_WRITE_TIMEOUT", server.DefaultWriteTimeout), "longest time to write an answer (HAZARDLOOP_WRITE_TIMEOUT)")
	uploadTimeout := fs.Duration("upload-timeout", durEnv("HAZARDLOOP_UPLOAD_TIMEOUT", server.DefaultUploadTimeout), "longest time to read an upload's body (HAZARDLOOP_UPLOAD_TIMEOUT)")
	maxConns := fs.Int("max-conns", intEnv("HAZARDLOOP_MAX_CONNS", server.DefaultMaxConns), "connections open at once; more wait (HAZARDLOOP_MAX_CONNS)")
	demoUnits := fs.Int("demo-units", intEnv("HAZARDLOOP_DEMO_UNITS", server.DemoUnits), "units of the demo city, 2 to 200 (HAZARDLOOP_DEMO_UNITS)")
	maxUploads := fs.Int("max-uploads", intEnv("HAZARDLOOP_MAX_UPLOADS", server.DefaultMaxUploads), "uploads in flight at once; more get 503 (HAZARDLOOP_MAX_UPLOADS)")
	var abuse server.AbuseLimits
	fs.IntVar(&abuse.OTPPerAddrPerHour, "otp-per-addr-per-hour", intEnv("HAZARDLOOP_OTP_PER_ADDR_PER_HOUR", server.DefaultOTPPerAddrPerHour), "login codes one network address may ask for in an hour (HAZARDLOOP_OTP_PER_ADDR_PER_HOUR)")
	fs.IntVar(&abuse.OTPPerPrefixPerHour, "otp-per-prefix-per-hour", intEnv("HAZARDLOOP_OTP_PER_PREFIX_PER_HOUR", server.DefaultOTPPerPrefixPerHour), "login codes sent to phones of one 7-digit prefix in an hour (HAZARDLOOP_OTP_PER_PREFIX_PER_HOUR)")
	fs.IntVar(&abuse.OTPPerHour, "otp-per-hour", intEnv("HAZARDLOOP_OTP_PER_HOUR", server.DefaultOTPPerHour), "login codes the server sends in an hour (HAZARDLOOP_OTP_PER_HOUR)")
	fs.IntVar(&abuse.VerifyPerUserPerHour, "verify-per-user-per-hour", intEnv("HAZARDLOOP_VERIFY_PER_USER_PER_HOUR", server.DefaultVerifyPerUserPerHour), "real-name verifications one user may try in an hour (HAZARDLOOP_VERIFY_PER_USER_PER_HOUR)")
	fs.IntVar(&abuse.VerifyPerAddrPerHour, "verify-per-addr-per-hour", intEnv("HAZARDLOOP_VERIFY_PER_ADDR_PER_HOUR", server.DefaultVerifyPerAddrPerHour), "real-name verifications one network address may try in an hour (HAZARDLOOP_VERIFY_PER_ADDR_PER_HOUR)")
	// The retention periods refuse an environment value that is no
	// duration, rather than fall back to a default silently.
	var envErr error
	strictDurEnv := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			envErr = errors.Join(envErr, fmt.Errorf("%s: %w (a Go duration such as 4320h)", name, err))
			return def
		}
		return d
	}
	var ret server.Retention
	fs.DurationVar(&ret.OriginalPhotos, "original-photo-retention", strictDurEnv("HAZARDLOOP_ORIGINAL_PHOTO_RETENTION", server.DefaultOriginalPhotoRetention), "how long the original of a photo, with its metadata (EXIF, GPS), is kept after its upload; its public copy without metadata stays, and staff see it from then on (HAZARDLOOP_ORIGINAL_PHOTO_RETENTION)")
	fs.DurationVar(&ret.LoginCodes, "login-code-retention", strictDurEnv("HAZARDLOOP_LOGIN_CODE_RETENTION", server.DefaultLoginCodeRetention), "how long the record of a login code (phone, MAC) is kept after the code expired, used or not (HAZARDLOOP_LOGIN_CODE_RETENTION)")
	fs.DurationVar(&ret.DeliveryLog, "delivery-log-retention", strictDurEnv("HAZARDLOOP_DELIVERY_LOG_RETENTION", server.DefaultDeliveryLogRetention), "how long the notification delivery log keeps a delivery; longer than -redelivery-window (HAZARDLOOP_DELIVERY_LOG_RETENTION)")
	fs.DurationVar(&ret.RedeliveryWindow, "redelivery-window", strictDurEnv("HAZARDLOOP_REDELIVERY_WINDOW", server.DefaultRedeliveryWindow), "how long after an event the relay still sends its messages (notifications, follows, area alerts); at least 1h (HAZARDLOOP_REDELIVERY_WINDOW)")
	coordDecimals := fs.Int("public-coord-decimals", intEnv("HAZARDLOOP_PUBLIC_COORD_DECIMALS", hazard.DefaultPublicCoordDecimals), "decimals of a degree the plaza and Open311 show of coordinates, 1 to 7; 4 is about 10 m (HAZARDLOOP_PUBLIC_COORD_DECIMALS)")
	cityDir := fs.String("config-dir", env("HAZARDLOOP_CONFIG_DIR", ""), "directory of the city's configuration (departments, categories, industries, policy, checklists; see examples/server/config); empty for the demo city's (HAZARDLOOP_CONFIG_DIR)")
	trustProxy := fs.Bool("trust-proxy", getenv("HAZARDLOOP_TRUST_PROXY") == "true", "behind a reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto (HAZARDLOOP_TRUST_PROXY)")
	publish := fs.String("publish", env("HAZARDLOOP_PUBLISH", string(hazard.PublishOnForward)), "when a report reaches the plaza: on_forward (once a dispatcher forwarded it) or on_submit (HAZARDLOOP_PUBLISH)")
	holdFile := fs.String("hold-patterns", env("HAZARDLOOP_HOLD_PATTERNS", ""), "file of regular expressions, one a line, whose match holds a report for a moderator; empty for the built-in phone, ID number and insult patterns (HAZARDLOOP_HOLD_PATTERNS)")
	wx := wechatFlags(fs, env)
	mapFlags := riskMapFlags(fs, env)
	if envErr != nil {
		return server.Config{}, envErr
	}
	if err := fs.Parse(args); err != nil {
		return server.Config{}, err
	}
	fs.Visit(func(f *flag.Flag) { demoAsked = demoAsked || f.Name == "demo" })
	if *dbURL != "" && !demoAsked {
		*demo = false
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := server.Config{
		Addr: *addr, PhotoDir: *photos, Demo: *demo, TokenSecret: []byte(*secret),
		DatabaseURL: *dbURL, Logger: logger, BaseURL: *baseURL, Open311Keys: *o311,
		SubmitsPerDay: *perDay, Open311AllowHTTPMedia: *o311HTTP,
		Open311Jurisdiction: *o311Juris, Open311Language: *o311Lang,
		ReadTimeout: *readTimeout, WriteTimeout: *writeTimeout, UploadTimeout: *uploadTimeout,
		MaxConns: *maxConns, MaxUploads: *maxUploads,
		AbuseLimits: abuse, TrustProxy: *trustProxy, PublicCoordDecimals: *coordDecimals,
		CityDir: *cityDir, DemoUnits: *demoUnits, Retention: ret,
	}
	cfg.Moderation.Publish = hazard.PublishPolicy(*publish)
	if *holdFile != "" {
		b, err := os.ReadFile(*holdFile)
		if err != nil {
			return server.Config{}, err
		}
		cfg.Moderation.HoldPatterns = []string{}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				cfg.Moderation.HoldPatterns = append(cfg.Moderation.HoldPatterns, l)
			}
		}
	}
	if err := mapFlags.fill(&cfg); err != nil {
		return server.Config{}, err
	}
	if err := wx.fill(&cfg, getenv); err != nil {
		return server.Config{}, err
	}
	for _, h := range strings.Split(*o311Hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.Open311MediaHosts = append(cfg.Open311MediaHosts, h)
		}
	}
	return cfg, nil
}

// wechatSettings are the WeChat login and WeChat Pay flags. The two
// secrets (the app secret and the API v3 key) have no flag default, so
// that -help never prints them: they come from the flag or else from
// their environment variable. Nothing here is logged.
type wechatSettings struct {
	appID, secret, baseURL                              *string
	mchID, certSerial, keyFile, apiV3Key                *string
	pubKeyFile, pubKeyID, scene, infos, perception, url *string
	payBaseURL                                          *string
}

func wechatFlags(fs *flag.FlagSet, env func(name, def string) string) *wechatSettings {
	return &wechatSettings{
		appID:      fs.String("wechat-app-id", env("HAZARDLOOP_WECHAT_APP_ID", ""), "mini-program app ID, for WeChat login and WeChat Pay (HAZARDLOOP_WECHAT_APP_ID)"),
		secret:     fs.String("wechat-secret", "", "mini-program app secret; prefer the environment (HAZARDLOOP_WECHAT_SECRET)"),
		baseURL:    fs.String("wechat-base-url", env("HAZARDLOOP_WECHAT_BASE_URL", ""), "WeChat API base URL; default https://api.weixin.qq.com (HAZARDLOOP_WECHAT_BASE_URL)"),
		mchID:      fs.String("wechatpay-mch-id", env("HAZARDLOOP_WECHATPAY_MCH_ID", ""), "WeChat Pay merchant ID; setting any -wechatpay-* flag pays rewards by merchant transfer and requires them all (HAZARDLOOP_WECHATPAY_MCH_ID)"),
		certSerial: fs.String("wechatpay-cert-serial", env("HAZARDLOOP_WECHATPAY_CERT_SERIAL", ""), "serial number of the merchant API certificate (HAZARDLOOP_WECHATPAY_CERT_SERIAL)"),
		keyFile:    fs.String("wechatpay-private-key-file", env("HAZARDLOOP_WECHATPAY_PRIVATE_KEY_FILE", ""), "merchant API private key file, apiclient_key.pem (HAZARDLOOP_WECHATPAY_PRIVATE_KEY_FILE)"),
		apiV3Key:   fs.String("wechatpay-api-v3-key", "", "API v3 key, 32 bytes; prefer the environment (HAZARDLOOP_WECHATPAY_API_V3_KEY)"),
		pubKeyFile: fs.String("wechatpay-public-key-file", env("HAZARDLOOP_WECHATPAY_PUBLIC_KEY_FILE", ""), "WeChat Pay public key file, pub_key.pem (HAZARDLOOP_WECHATPAY_PUBLIC_KEY_FILE)"),
		pubKeyID:   fs.String("wechatpay-public-key-id", env("HAZARDLOOP_WECHATPAY_PUBLIC_KEY_ID", ""), "ID of the WeChat Pay public key, PUB_KEY_ID_... (HAZARDLOOP_WECHATPAY_PUBLIC_KEY_ID)"),
		scene:      fs.String("wechatpay-scene-id", env("HAZARDLOOP_WECHATPAY_SCENE_ID", ""), "transfer scene ID, e.g. 1000 (HAZARDLOOP_WECHATPAY_SCENE_ID)"),
		infos:      fs.String("wechatpay-report-infos", env("HAZARDLOOP_WECHATPAY_REPORT_INFOS", ""), "the scene's report infos as type=content;type=content, e.g. 活动名称=隐患举报奖励;奖励说明=核实的隐患举报 (HAZARDLOOP_WECHATPAY_REPORT_INFOS)"),
		perception: fs.String("wechatpay-perception", env("HAZARDLOOP_WECHATPAY_PERCEPTION", ""), "user_recv_perception shown to the citizen, e.g. 活动奖励 (HAZARDLOOP_WECHATPAY_PERCEPTION)"),
		url:        fs.String("wechatpay-notify-url", env("HAZARDLOOP_WECHATPAY_NOTIFY_URL", ""), "public HTTPS URL of the callback route, https://<host>/api/v1/pay/wechat/notify (HAZARDLOOP_WECHATPAY_NOTIFY_URL)"),
		payBaseURL: fs.String("wechatpay-base-url", env("HAZARDLOOP_WECHATPAY_BASE_URL", ""), "WeChat Pay API base URL; default https://api.mch.weixin.qq.com (HAZARDLOOP_WECHATPAY_BASE_URL)"),
	}
}

// fill puts the settings into cfg; server.New checks them and names each
// one missing.
func (w *wechatSettings) fill(cfg *server.Config, getenv func(string) string) error {
	secret, apiV3Key := *w.secret, *w.apiV3Key
	if secret == "" {
		secret = getenv("HAZARDLOOP_WECHAT_SECRET")
	}
	if apiV3Key == "" {
		apiV3Key = getenv("HAZARDLOOP_WECHATPAY_API_V3_KEY")
	}
	cfg.WeChat = server.WeChatConfig{AppID: *w.appID, Secret: secret, BaseURL: *w.baseURL}
	infos, err := reportInfos(*w.infos)
	if err != nil {
		return err
	}
	cfg.WeChatPay = wechatpay.Config{
		MchID: *w.mchID, MchCertSerial: *w.certSerial, MchPrivateKeyFile: *w.keyFile,
		APIv3Key: wechatpay.Secret(apiV3Key), PlatformPublicKeyFile: *w.pubKeyFile, PlatformPublicKeyID: *w.pubKeyID,
		SceneID: *w.scene, ReportInfos: infos, Perception: *w.perception, NotifyURL: *w.url, BaseURL: *w.payBaseURL,
	}
	return nil
}

// reportInfos parses "type=content;type=content".
func reportInfos(s string) ([]wechatpay.ReportInfo, error) {
	var out []wechatpay.ReportInfo
	for _, part := range strings.Split(s, ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		typ, content, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("-wechatpay-report-infos: %q is not type=content", part)
		}
		out = append(out, wechatpay.ReportInfo{Type: strings.TrimSpace(typ), Content: strings.TrimSpace(content)})
	}
	return out, nil
}
