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
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hazardloop-server:", err)
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
	maxUploads := fs.Int("max-uploads", intEnv("HAZARDLOOP_MAX_UPLOADS", server.DefaultMaxUploads), "uploads in flight at once; more get 503 (HAZARDLOOP_MAX_UPLOADS)")
	var abuse server.AbuseLimits
	fs.IntVar(&abuse.OTPPerAddrPerHour, "otp-per-addr-per-hour", intEnv("HAZARDLOOP_OTP_PER_ADDR_PER_HOUR", server.DefaultOTPPerAddrPerHour), "login codes one network address may ask for in an hour (HAZARDLOOP_OTP_PER_ADDR_PER_HOUR)")
	fs.IntVar(&abuse.OTPPerPrefixPerHour, "otp-per-prefix-per-hour", intEnv("HAZARDLOOP_OTP_PER_PREFIX_PER_HOUR", server.DefaultOTPPerPrefixPerHour), "login codes sent to phones of one 7-digit prefix in an hour (HAZARDLOOP_OTP_PER_PREFIX_PER_HOUR)")
	fs.IntVar(&abuse.OTPPerHour, "otp-per-hour", intEnv("HAZARDLOOP_OTP_PER_HOUR", server.DefaultOTPPerHour), "login codes the server sends in an hour (HAZARDLOOP_OTP_PER_HOUR)")
	fs.IntVar(&abuse.VerifyPerUserPerHour, "verify-per-user-per-hour", intEnv("HAZARDLOOP_VERIFY_PER_USER_PER_HOUR", server.DefaultVerifyPerUserPerHour), "real-name verifications one user may try in an hour (HAZARDLOOP_VERIFY_PER_USER_PER_HOUR)")
	fs.IntVar(&abuse.VerifyPerAddrPerHour, "verify-per-addr-per-hour", intEnv("HAZARDLOOP_VERIFY_PER_ADDR_PER_HOUR", server.DefaultVerifyPerAddrPerHour), "real-name verifications one network address may try in an hour (HAZARDLOOP_VERIFY_PER_ADDR_PER_HOUR)")
	coordDecimals := fs.Int("public-coord-decimals", intEnv("HAZARDLOOP_PUBLIC_COORD_DECIMALS", hazard.DefaultPublicCoordDecimals), "decimals of a degree the plaza and Open311 show of coordinates, 1 to 7; 4 is about 10 m (HAZARDLOOP_PUBLIC_COORD_DECIMALS)")
	trustProxy := fs.Bool("trust-proxy", getenv("HAZARDLOOP_TRUST_PROXY") == "true", "behind a reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto (HAZARDLOOP_TRUST_PROXY)")
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
		SubmitsPerDay: *perDay,
		ReadTimeout:   *readTimeout, WriteTimeout: *writeTimeout, UploadTimeout: *uploadTimeout,
		MaxConns: *maxConns, MaxUploads: *maxUploads,
		AbuseLimits: abuse, TrustProxy: *trustProxy, PublicCoordDecimals: *coordDecimals,
	}
	for _, h := range strings.Split(*o311Hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.Open311MediaHosts = append(cfg.Open311MediaHosts, h)
		}
	}
	return cfg, nil
}
