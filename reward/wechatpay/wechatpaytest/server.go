package wechatpaytest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/reward/wechatpay"
)

// The identities of the fake merchant.
const (
	AppID         = "wx0000000000fake01"
	MchID         = "1900000001"
	MchCertSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	PublicKeyID   = "PUB_KEY_ID_0119000000012025010100000000"
	SceneID       = "1000"
	// NotifyURL is the callback address the fake's Config names; Notify
	// posts to the address a bill was created with.
	NotifyURL = "https://rewards.example.org/wechatpay/transfer"
	// MaxClockSkew is how far a request's timestamp may be from the fake's
	// clock, as WeChat Pay allows.
	MaxClockSkew = 5 * time.Minute
)

// Server is a local WeChat Pay that keeps the merchant transfer endpoints
// as WeChat Pay's documentation describes them: it checks every request's
// signature (WECHATPAY2-SHA256-RSA2048 with the merchant's key), signs every
// answer and callback with its platform key (public key mode), creates one
// bill per out_bill_no, waits for the user's confirmation, and refuses
// transfers beyond the merchant's balance (NOT_ENOUGH). Its keys are made
// in the test process (once: every Server of the process shares them);
// nothing secret is stored anywhere.
type Server struct {
	srv         *httptest.Server
	mchKey      *rsa.PrivateKey
	platformKey *rsa.PrivateKey
	strangerKey *rsa.PrivateKey
	apiV3Key    string

	mu         sync.Mutex
	bills      map[string]*bill
	order      []string
	balance    int64
	seq        int
	creates    int
	badSigs    int
	faults     []fault
	lose       int
	lastHeader http.Header
}

type bill struct {
	answer    answer
	notifyURL string
	userName  string
}

type fault struct {
	status int
	code   string
}

// answer is the fake's record of a bill, in WeChat Pay's wire names.
type answer struct {
	MchID          string `json:"mch_id"`
	OutBillNo      string `json:"out_bill_no"`
	TransferBillNo string `json:"transfer_bill_no"`
	AppID          string `json:"appid"`
	State          string `json:"state"`
	TransferAmount int64  `json:"transfer_amount"`
	TransferRemark string `json:"transfer_remark,omitempty"`
	PackageInfo    string `json:"package_info,omitempty"`
	FailReason     string `json:"fail_reason,omitempty"`
	OpenID         string `json:"openid"`
	CreateTime     string `json:"create_time"`
	UpdateTime     string `json:"update_time"`
}

// DefaultBalance is the merchant's balance a new Server starts with, in
// fen (¥100,000).
const DefaultBalance = 10_000_000

// NewServer starts a fake WeChat Pay, closed when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatalf("wechatpaytest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake WeChat Pay; Close stops it. Tests use NewServer.
func Start() (*Server, error) {
	s := &Server{bills: map[string]*bill{}, balance: DefaultBalance}
	keys, err := testKeys()
	if err != nil {
		return nil, err
	}
	s.mchKey, s.platformKey, s.strangerKey = keys[0], keys[1], keys[2]
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	s.apiV3Key = hex.EncodeToString(b) // 32 bytes
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/fund-app/mch-transfer/transfer-bills", s.create)
	mux.HandleFunc("GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{no}", s.query)
	mux.HandleFunc("POST /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{no}/cancel", s.cancel)
	s.srv = httptest.NewServer(mux)
	return s, nil
}

// testKeys returns the merchant's, WeChat Pay's and a stranger's key
// pairs, made once per test process (RSA key generation is slow).
var testKeys = sync.OnceValues(func() ([3]*rsa.PrivateKey, error) {
	var keys [3]*rsa.PrivateKey
	for i := range keys {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return keys, fmt.Errorf("generate key: %w", err)
		}
		keys[i] = key
	}
	return keys, nil
})

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// URL is the fake's base URL (wechatpay.Config.BaseURL).
func (s *Server) URL() string { return s.srv.URL }

// Config returns a complete merchant configuration for the fake: its keys,
// IDs and BaseURL.
func (s *Server) Config() wechatpay.Config {
	return wechatpay.Config{
		AppID: AppID, MchID: MchID, MchCertSerial: MchCertSerial,
		MchPrivateKey:       wechatpay.Secret(pemOf("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(s.mchKey)))),
		APIv3Key:            wechatpay.Secret(s.apiV3Key),
		PlatformPublicKey:   pemOf("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(&s.platformKey.PublicKey))),
		PlatformPublicKeyID: PublicKeyID,
		SceneID:             SceneID,
		ReportInfos:         []wechatpay.ReportInfo{{Type: "活动名称", Content: "隐患举报奖励"}, {Type: "奖励说明", Content: "核实的隐患举报"}},
		Perception:          "活动奖励",
		NotifyURL:           NotifyURL,
		BaseURL:             s.srv.URL,
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func pemOf(kind string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}))
}

// SetBalance sets the merchant's balance, in fen.
func (s *Server) SetBalance(fen int64) { s.mu.Lock(); s.balance = fen; s.mu.Unlock() }

// FailNext makes the next request (after its signature is checked) answer
// the HTTP status and WeChat Pay error code without doing anything, e.g.
// 500 SYSTEM_ERROR or 429 FREQUENCY_LIMITED. Calls queue.
func (s *Server) FailNext(status int, code string) {
	s.mu.Lock()
	s.faults = append(s.faults, fault{status, code})
	s.mu.Unlock()
}

// LoseNext makes the next n requests do their work and then drop the
// connection without an answer, as a timeout with a lost answer.
func (s *Server) LoseNext(n int) { s.mu.Lock(); s.lose = n; s.mu.Unlock() }

// Creates returns how many bill creations the fake received with a valid
// signature.
func (s *Server) Creates() int { s.mu.Lock(); defer s.mu.Unlock(); return s.creates }

// BadSignatures returns how many requests the fake refused for their
// signature.
func (s *Server) BadSignatures() int { s.mu.Lock(); defer s.mu.Unlock(); return s.badSigs }

// Bill is a bill as the fake holds it.
type Bill struct {
	OutBillNo, TransferBillNo, State, PackageInfo, FailReason, OpenID string
	Amount                                                            int64
	// UserName is the real name the fake decrypted, empty when none was
	// sent.
	UserName string
}

// Bills returns the fake's bills in creation order.
func (s *Server) Bills() []Bill {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Bill, 0, len(s.order))
	for _, no := range s.order {
		b := s.bills[no]
		out = append(out, Bill{OutBillNo: no, TransferBillNo: b.answer.TransferBillNo, State: b.answer.State,
			PackageInfo: b.answer.PackageInfo, FailReason: b.answer.FailReason, OpenID: b.answer.OpenID,
			Amount: b.answer.TransferAmount, UserName: b.userName})
	}
	return out
}

// Balance returns the merchant's balance, in fen.
func (s *Server) Balance() int64 { s.mu.Lock(); defer s.mu.Unlock(); return s.balance }

// Confirm moves a bill waiting for the user to SUCCESS, as the citizen
// confirming in wx.requestMerchantTransfer.
func (s *Server) Confirm(outBillNo string) error {
	return s.finish(outBillNo, "SUCCESS", "")
}

// Expire closes a bill the user never confirmed: CANCELLED, the money back
// to the merchant.
func (s *Server) Expire(outBillNo string) error {
	return s.finish(outBillNo, "CANCELLED", "")
}

// Fail closes a bill waiting for the user as FAIL with the reason, e.g.
// ACCOUNT_FROZEN or OPENID_INVALID.
func (s *Server) Fail(outBillNo, reason string) error {
	return s.finish(outBillNo, "FAIL", reason)
}

// SetState puts a bill in any state WeChat Pay has, with the fail reason,
// e.g. ACCEPTED, PROCESSING, TRANSFERING or CANCELING, which WeChat Pay
// passes through on its own.
func (s *Server) SetState(outBillNo, state, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bills[outBillNo]
	if !ok {
		return fmt.Errorf("wechatpaytest: no bill %q", outBillNo)
	}
	b.answer.State, b.answer.FailReason, b.answer.UpdateTime = state, reason, stamp()
	if state != "WAIT_USER_CONFIRM" {
		b.answer.PackageInfo = ""
	}
	return nil
}

func (s *Server) finish(no, state, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bills[no]
	if !ok || b.answer.State != "WAIT_USER_CONFIRM" {
		return fmt.Errorf("wechatpaytest: no bill %q waiting for the user", no)
	}
	b.answer.State, b.answer.FailReason = state, reason
	b.answer.UpdateTime = stamp()
	b.answer.PackageInfo = ""
	if state != "SUCCESS" {
		s.balance += b.answer.TransferAmount
	}
	return nil
}

func stamp() string { return time.Now().Format(time.RFC3339) }

// authPattern parses the Authorization header of API v3.
var authPattern = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="([^"]*)",nonce_str="([^"]*)",timestamp="([^"]*)",serial_no="([^"]*)",signature="([^"]*)"$`)

// check verifies the request's signature and reads its body; it answers
// and returns false when the request is refused.
func (s *Server) check(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.errorAnswer(w, http.StatusBadRequest, "PARAM_ERROR", "body")
		return nil, false
	}
	if !s.signedByMerchant(r, body) {
		s.mu.Lock()
		s.badSigs++
		s.mu.Unlock()
		s.errorAnswer(w, http.StatusUnauthorized, "SIGN_ERROR", "签名错误")
		return nil, false
	}
	s.mu.Lock()
	s.lastHeader = r.Header.Clone()
	var f *fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f != nil {
		s.errorAnswer(w, f.status, f.code, "injected")
		return nil, false
	}
	return body, true
}

func (s *Server) signedByMerchant(r *http.Request, body []byte) bool {
	m := authPattern.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || m[1] != MchID || m[4] != MchCertSerial {
		return false
	}
	ts, err := strconv.ParseInt(m[3], 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > MaxClockSkew {
		return false
	}
	msg := r.Method + "\n" + r.URL.RequestURI() + "\n" + m[3] + "\n" + m[2] + "\n" + string(body) + "\n"
	sig, err := base64.StdEncoding.DecodeString(m[5])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(msg))
	return rsa.VerifyPKCS1v15(&s.mchKey.PublicKey, crypto.SHA256, sum[:], sig) == nil
}

// lost reports whether the answer to this request is to be lost.
func (s *Server) lost() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lose > 0 {
		s.lose--
		return true
	}
	return false
}

// reply writes a signed answer, or drops the connection when it is lost.
func (s *Server) reply(w http.ResponseWriter, status int, v any, lose bool) {
	if lose {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	body, _ := json.Marshal(v)
	s.signAnswer(w.Header(), body, s.platformKey, time.Now())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) errorAnswer(w http.ResponseWriter, status int, code, msg string) {
	s.reply(w, status, map[string]string{"code": code, "message": msg}, false)
}

// signAnswer sets the Wechatpay-* headers of a message signed with key.
func (s *Server) signAnswer(h http.Header, body []byte, key *rsa.PrivateKey, at time.Time) {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	ts := strconv.FormatInt(at.Unix(), 10)
	sum := sha256.Sum256([]byte(ts + "\n" + n + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", n)
	h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
	h.Set("Wechatpay-Serial", PublicKeyID)
	h.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	h.Set("Request-Id", "fake-"+n)
}

var outBillNoPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

type createBody struct {
	AppID          string `json:"appid"`
	OutBillNo      string `json:"out_bill_no"`
	SceneID        string `json:"transfer_scene_id"`
	OpenID         string `json:"openid"`
	UserName       string `json:"user_name"`
	TransferAmount int64  `json:"transfer_amount"`
	Remark         string `json:"transfer_remark"`
	NotifyURL      string `json:"notify_url"`
	Perception     string `json:"user_recv_perception"`
	ReportInfos    []struct {
		Type    string `json:"info_type"`
		Content string `json:"info_content"`
	} `json:"transfer_scene_report_infos"`
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	raw, ok := s.check(w, r)
	if !ok {
		return
	}
	var c createBody
	if err := json.Unmarshal(raw, &c); err != nil {
		s.errorAnswer(w, http.StatusBadRequest, "PARAM_ERROR", "请求体无法解析")
		return
	}
	switch {
	case !outBillNoPattern.MatchString(c.OutBillNo):
		s.errorAnswer(w, http.StatusBadRequest, "PARAM_ERROR", "out_bill_no 格式错误")
		return
	case c.AppID != AppID:
		s.errorAnswer(w, http.StatusBadRequest, "INVALID_REQUEST", "APPID不存在")
		return
	case c.SceneID != SceneID:
		s.errorAnswer(w, http.StatusBadRequest, "INVALID_REQUEST", "你尚未获取该转账场景")
		return
	case c.OpenID == "" || c.TransferAmount <= 0 || c.Remark == "" || utf8.RuneCountInString(c.Remark) > 32:
		s.errorAnswer(w, http.StatusBadRequest, "PARAM_ERROR", "参数错误")
		return
	case len(c.ReportInfos) == 0:
		s.errorAnswer(w, http.StatusBadRequest, "PARAM_ERROR", "缺少转账场景报备信息")
		return
	}
	var name string
	if c.TransferAmount >= int64(wechatpay.RealNameFrom) {
		if c.UserName == "" || r.Header.Get("Wechatpay-Serial") != PublicKeyID {
			s.errorAnswer(w, http.StatusBadRequest, "PARAM_ERROR", "转账金额>=2000元时，收款用户姓名必填")
			return
		}
		ct, err := base64.StdEncoding.DecodeString(c.UserName)
		// WeChat Pay's OAEP uses SHA-1.
		plain, err2 := rsa.DecryptOAEP(sha1.New(), rand.Reader, s.platformKey, ct, nil)
		if err != nil || err2 != nil {
			s.errorAnswer(w, http.StatusBadRequest, "PARAM_ERROR", "user_name 解密失败")
			return
		}
		name = string(plain)
	}
	lose := s.lost()
	s.mu.Lock()
	s.creates++
	if b, ok := s.bills[c.OutBillNo]; ok {
		a := b.answer
		s.mu.Unlock()
		if a.TransferAmount != c.TransferAmount || a.OpenID != c.OpenID {
			s.errorAnswer(w, http.StatusBadRequest, "INVALID_REQUEST", "商户单号重复但参数不一致")
			return
		}
		s.reply(w, http.StatusOK, createAnswer(a), lose)
		return
	}
	if s.balance < c.TransferAmount {
		s.mu.Unlock()
		s.errorAnswer(w, http.StatusForbidden, "NOT_ENOUGH", "商户账户余额不足")
		return
	}
	s.balance -= c.TransferAmount
	s.seq++
	pkg := make([]byte, 24)
	_, _ = rand.Read(pkg)
	a := answer{MchID: MchID, OutBillNo: c.OutBillNo, TransferBillNo: fmt.Sprintf("1330000071100999%08d", s.seq),
		AppID: c.AppID, State: "WAIT_USER_CONFIRM", TransferAmount: c.TransferAmount, TransferRemark: c.Remark,
		PackageInfo: "ABBQO+oYAAABAAAAAAB" + base64.RawURLEncoding.EncodeToString(pkg), OpenID: c.OpenID,
		CreateTime: stamp(), UpdateTime: stamp()}
	s.bills[c.OutBillNo] = &bill{answer: a, notifyURL: c.NotifyURL, userName: name}
	s.order = append(s.order, c.OutBillNo)
	s.mu.Unlock()
	s.reply(w, http.StatusOK, createAnswer(a), lose)
}

// createAnswer is the answer to a creation: fewer fields than a query.
func createAnswer(a answer) map[string]string {
	m := map[string]string{"out_bill_no": a.OutBillNo, "transfer_bill_no": a.TransferBillNo,
		"create_time": a.CreateTime, "state": a.State}
	if a.PackageInfo != "" {
		m["package_info"] = a.PackageInfo
	}
	if a.FailReason != "" {
		m["fail_reason"] = a.FailReason
	}
	return m
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.check(w, r); !ok {
		return
	}
	lose := s.lost()
	s.mu.Lock()
	b, ok := s.bills[r.PathValue("no")]
	var a answer
	if ok {
		a = b.answer
	}
	s.mu.Unlock()
	if !ok {
		s.errorAnswer(w, http.StatusNotFound, "NOT_FOUND", "记录不存在")
		return
	}
	s.reply(w, http.StatusOK, a, lose)
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.check(w, r); !ok {
		return
	}
	lose := s.lost()
	s.mu.Lock()
	b, ok := s.bills[r.PathValue("no")]
	switch {
	case !ok:
		s.mu.Unlock()
		s.errorAnswer(w, http.StatusNotFound, "NOT_FOUND", "记录不存在")
		return
	case b.answer.State != "ACCEPTED" && b.answer.State != "PROCESSING" && b.answer.State != "WAIT_USER_CONFIRM":
		s.mu.Unlock()
		s.errorAnswer(w, http.StatusBadRequest, "INVALID_REQUEST", "当前转账单状态不支持撤销")
		return
	}
	b.answer.State, b.answer.PackageInfo, b.answer.UpdateTime = "CANCELLED", "", stamp()
	s.balance += b.answer.TransferAmount
	a := b.answer
	s.mu.Unlock()
	s.reply(w, http.StatusOK, map[string]string{"out_bill_no": a.OutBillNo, "transfer_bill_no": a.TransferBillNo,
		"state": a.State, "update_time": a.UpdateTime}, lose)
}

// CallbackOptions vary a callback for the failure cases.
type CallbackOptions struct {
	// At is the callback's timestamp; zero means now. An old one is a
	// replay.
	At time.Time
	// Forged signs the callback with a key that is not WeChat Pay's.
	Forged bool
}

// CallbackRequest returns the callback WeChat Pay sends about a bill in a
// final state (MCHTRANSFER.BILL.FINISHED), signed and encrypted, addressed
// to the notify URL the bill was created with.
func (s *Server) CallbackRequest(outBillNo string, o CallbackOptions) (*http.Request, error) {
	s.mu.Lock()
	b, ok := s.bills[outBillNo]
	var a answer
	var url string
	if ok {
		a, url = b.answer, b.notifyURL
	}
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("wechatpaytest: no bill %q", outBillNo)
	}
	if a.State != "SUCCESS" && a.State != "FAIL" && a.State != "CANCELLED" {
		return nil, fmt.Errorf("wechatpaytest: bill %q is %s, not final", outBillNo, a.State)
	}
	plain, _ := json.Marshal(map[string]any{"out_bill_no": a.OutBillNo, "transfer_bill_no": a.TransferBillNo,
		"state": a.State, "mch_id": a.MchID, "transfer_amount": a.TransferAmount, "openid": a.OpenID,
		"fail_reason": a.FailReason, "create_time": a.CreateTime, "update_time": a.UpdateTime})
	block, err := aes.NewCipher([]byte(s.apiV3Key))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonceB := make([]byte, 6)
	_, _ = rand.Read(nonceB)
	nonce := hex.EncodeToString(nonceB) // 12 characters, as WeChat Pay's
	const ad = "mch_payment"
	ct := gcm.Seal(nil, []byte(nonce), plain, []byte(ad))
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	body, _ := json.Marshal(map[string]any{
		"id": hex.EncodeToString(id), "create_time": stamp(), "resource_type": "encrypt-resource",
		"event_type": wechatpay.EventBillFinished, "summary": "商家转账单据终态通知",
		"resource": map[string]string{"original_type": "mch_payment", "algorithm": "AEAD_AES_256_GCM",
			"ciphertext": base64.StdEncoding.EncodeToString(ct), "associated_data": ad, "nonce": nonce},
	})
	at := o.At
	if at.IsZero() {
		at = time.Now()
	}
	key := s.platformKey
	if o.Forged {
		key = s.strangerKey
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	s.signAnswer(req.Header, body, key, at)
	return req, nil
}

// Notify sends the callback about a bill to the address it was created
// with, as WeChat Pay does, and returns the response's status.
func (s *Server) Notify(ctx context.Context, client *http.Client, outBillNo string) (int, error) {
	req, err := s.CallbackRequest(outBillNo, CallbackOptions{})
	if err != nil {
		return 0, err
	}
	res, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode, nil
}

// LastHeader returns the headers of the last request the fake accepted.
func (s *Server) LastHeader() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastHeader.Clone()
}

// OutBillNos returns the numbers of the fake's bills whose number starts
// with the reward's prefix, in creation order.
func (s *Server) OutBillNos(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, no := range s.order {
		if strings.HasPrefix(no, prefix) {
			out = append(out, no)
		}
	}
	return out
}
