package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of connections and of the time a client may take, the defaults
// of the Config fields of the same names. A client that sends its body or
// reads its answer slower than these allow is cut off, so that slow
// clients cannot hold the server's connections (and file descriptors).
const (
	// DefaultReadTimeout bounds reading a whole request, headers and body,
	// except on upload routes.
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds writing an answer, from the end of the
	// request headers.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultUploadTimeout bounds reading the body of an upload (a route
	// whose body is "multipart"): 10 MiB at about 90 KB/s.
	DefaultUploadTimeout = 2 * time.Minute
	// DefaultMaxConns caps the connections open at once; further clients
	// wait in the listen queue until one closes.
	DefaultMaxConns = 4096
	// DefaultMaxUploads caps the uploads in flight at once in one process;
	// one more is refused with 503 and Retry-After.
	DefaultMaxUploads = 64
	// uploadsFullRetryAfter is the wait advertised when every upload slot
	// is taken.
	uploadsFullRetryAfter = 5 * time.Second
)

// limitListener accepts at most cap(sem) connections at once: Accept
// waits while that many are open. It is net/x/netutil's LimitListener,
// written with the standard library.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	open      func(delta float64) // counts open connections (a gauge)
}

func newLimitListener(ln net.Listener, n int, open func(float64)) *limitListener {
	return &limitListener{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{}), open: open}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	l.open(1)
	return &limitConn{Conn: c, release: func() { l.open(-1); <-l.sem }}, nil
}

// Close closes the listener and wakes an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back once, on the first Close.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// uploadSlots bounds the uploads in flight in one process.
type uploadSlots struct {
	sem      chan struct{}
	inFlight func(delta float64)
}

// take takes a slot, or is CodeUnavailable with a Retry-After when none
// is free; release gives it back.
func (u *uploadSlots) take() (release func(), err error) {
	select {
	case u.sem <- struct{}{}:
		u.inFlight(1)
		return func() { u.inFlight(-1); <-u.sem }, nil
	default:
		return nil, withRetryAfter(hazard.Errorf(CodeUnavailable,
			"too many uploads at once (at most %d): try again shortly", cap(u.sem)), uploadsFullRetryAfter)
	}
}

// limitRoute gives an upload route (Body "multipart") its longer time to
// read the body and one of the upload slots; other routes keep the
// server's ReadTimeout and WriteTimeout. release is never nil.
func (s *Server) limitRoute(rt *Route, w http.ResponseWriter) (release func(), err error) {
	if rt.Body != "multipart" {
		return func() {}, nil
	}
	release, err = s.uploadSlots.take()
	if err != nil {
		return func() {}, err
	}
	rc := http.NewResponseController(w)
	now := time.Now()
	// Deadlines of the connection, not of the answer: an error here means a
	// writer without a connection (a test recorder), which has no deadline
	// to extend.
	_ = rc.SetReadDeadline(now.Add(s.cfg.UploadTimeout))
	_ = rc.SetWriteDeadline(now.Add(s.cfg.UploadTimeout + s.cfg.WriteTimeout))
	return release, nil
}
