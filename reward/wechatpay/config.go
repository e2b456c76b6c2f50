package wechatpay

import (
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"
	"unicode/utf8"

	"github.com/wechatpay-apiv3/wechatpay-go/core/consts"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits and defaults of the configuration and of a transfer bill.
const (
	// DefaultBaseURL is WeChat Pay's API host.
	DefaultBaseURL = consts.WechatPayAPIServer
	// APIv3KeyLen is the length of the API v3 key, in bytes.
	APIv3KeyLen = 32
	// MaxReportInfos is the most transfer scene report infos a bill
	// carries.
	MaxReportInfos = 10
	// MaxReportInfoLen is the longest report info type or content, in runes.
	MaxReportInfoLen = 32
	// MaxRemarkLen is the longest transfer remark WeChat Pay accepts, in
	// runes; a longer reward remark is cut.
	MaxRemarkLen = 32
	// MaxPerceptionLen is the longest user_recv_perception, in runes.
	MaxPerceptionLen = 32
	// DefaultTimeout bounds one call to WeChat Pay when no HTTPClient is
	// given.
	DefaultTimeout = 10 * time.Second
)

// Secret is a setting that must never be printed or logged: a key. It
// formats, logs and marshals as "[redacted]".
type Secret string

const redacted = "[redacted]"

// String implements fmt.Stringer without the secret.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer without the secret.
func (Secret) GoString() string { return redacted }

// LogValue implements slog.LogValuer without the secret.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText implements encoding.TextMarshaler without the secret.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// ReportInfo is one of the transfer scene's report infos
// (transfer_scene_report_infos), e.g. {"活动名称", "隐患举报奖励"} and
// {"奖励说明", "核实隐患举报奖励"} for scene 1000 (现金营销).
type ReportInfo struct {
	Type    string `json:"info_type"`
	Content string `json:"info_content"`
}

// Config is the merchant's WeChat Pay settings for merchant transfers.
// Validate names each missing setting; no error or log carries a secret.
type Config struct {
	// AppID is the mini-program's app ID the transfers are bound to.
	AppID string
	// MchID is the merchant ID (商户号).
	MchID string
	// MchCertSerial is the serial number of the merchant API certificate.
	MchCertSerial string
	// MchPrivateKey is the merchant API private key (apiclient_key.pem), in
	// PEM; or MchPrivateKeyFile is the path of that file. One is required.
	MchPrivateKey     Secret
	MchPrivateKeyFile string
	// APIv3Key is the API v3 key (32 bytes) that encrypts callbacks.
	APIv3Key Secret
	// PlatformPublicKey is WeChat Pay's public key (pub_key.pem) in PEM, or
	// PlatformPublicKeyFile its path; PlatformPublicKeyID is its ID
	// (PUB_KEY_ID_...). The key verifies answers and callbacks and
	// encrypts real names.
	PlatformPublicKey     string
	PlatformPublicKeyFile string
	PlatformPublicKeyID   string
	// SceneID is the transfer scene (transfer_scene_id), e.g. "1000"
	// (现金营销), and ReportInfos the report infos the scene requires.
	SceneID     string
	ReportInfos []ReportInfo
	// Perception is the user_recv_perception shown to the citizen, e.g.
	// "活动奖励"; empty for the scene's default.
	Perception string
	// NotifyURL is the HTTPS address of the callback route (Payer.Callback).
	NotifyURL string

	// BaseURL is WeChat Pay's API host; default DefaultBaseURL. Tests point
	// it at a local server.
	BaseURL string
	// HTTPClient makes the calls; default a client with DefaultTimeout.
	HTTPClient *http.Client
	// Clock gives the time of bill records; default time.Now.
	Clock func() time.Time
	// Logger logs outcomes without personal data or secrets; default
	// discards.
	Logger *slog.Logger
}

// Validate checks the settings and returns a CodeInvalid *hazard.Error
// naming every missing or malformed one, without its value.
func (c *Config) Validate() error {
	_, _, err := c.keys()
	return err
}

// keys validates c and loads its keys.
func (c *Config) keys() (*rsa.PrivateKey, *rsa.PublicKey, error) {
	var p hazard.Problems
	required := []struct{ field, value string }{
		{"app_id", c.AppID}, {"mch_id", c.MchID}, {"mch_cert_serial", c.MchCertSerial},
		{"platform_public_key_id", c.PlatformPublicKeyID}, {"scene_id", c.SceneID}, {"notify_url", c.NotifyURL},
	}
	for _, r := range required {
		if r.value == "" {
			p.Add(r.field, "is required")
		}
	}
	if c.APIv3Key == "" {
		p.Add("api_v3_key", "is required")
	} else if len(c.APIv3Key) != APIv3KeyLen {
		p.Add("api_v3_key", "must be %d bytes", APIv3KeyLen)
	}
	if c.NotifyURL != "" {
		if u, err := url.Parse(c.NotifyURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.Add("notify_url", "must be an absolute HTTPS URL")
		}
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || u.Host == "" {
			p.Add("base_url", "must be an absolute URL")
		}
	}
	if len(c.ReportInfos) == 0 {
		p.Add("report_infos", "the transfer scene needs its report infos")
	}
	if len(c.ReportInfos) > MaxReportInfos {
		p.Add("report_infos", "at most %d", MaxReportInfos)
	}
	for _, ri := range c.ReportInfos {
		if ri.Type == "" || ri.Content == "" {
			p.Add("report_infos", "each needs a type and a content")
		}
		if utf8.RuneCountInString(ri.Type) > MaxReportInfoLen || utf8.RuneCountInString(ri.Content) > MaxReportInfoLen {
			p.Add("report_infos", "types and contents are at most %d characters", MaxReportInfoLen)
		}
	}
	if utf8.RuneCountInString(c.Perception) > MaxPerceptionLen {
		p.Add("perception", "at most %d characters", MaxPerceptionLen)
	}
	priv := c.privateKey(&p)
	pub := c.publicKey(&p)
	if err := p.Err("wechatpay.Config"); err != nil {
		return nil, nil, err
	}
	return priv, pub, nil
}

// privateKey loads the merchant key; its errors never quote the key.
func (c *Config) privateKey(p *hazard.Problems) *rsa.PrivateKey {
	pem := string(c.MchPrivateKey)
	switch {
	case pem != "" && c.MchPrivateKeyFile != "":
		p.Add("mch_private_key", "give the key or its file, not both")
		return nil
	case pem == "" && c.MchPrivateKeyFile == "":
		p.Add("mch_private_key", "is required (the PEM or mch_private_key_file)")
		return nil
	case pem == "":
		b, err := os.ReadFile(c.MchPrivateKeyFile)
		if err != nil {
			p.Add("mch_private_key_file", "cannot be read")
			return nil
		}
		pem = string(b)
	}
	k, err := utils.LoadPrivateKey(pem)
	if err != nil {
		p.Add("mch_private_key", "is not an RSA private key in PEM")
		return nil
	}
	return k
}

// publicKey loads WeChat Pay's public key.
func (c *Config) publicKey(p *hazard.Problems) *rsa.PublicKey {
	pem := c.PlatformPublicKey
	switch {
	case pem != "" && c.PlatformPublicKeyFile != "":
		p.Add("platform_public_key", "give the key or its file, not both")
		return nil
	case pem == "" && c.PlatformPublicKeyFile == "":
		p.Add("platform_public_key", "is required (the PEM or platform_public_key_file)")
		return nil
	case pem == "":
		b, err := os.ReadFile(c.PlatformPublicKeyFile)
		if err != nil {
			p.Add("platform_public_key_file", "cannot be read")
			return nil
		}
		pem = string(b)
	}
	k, err := utils.LoadPublicKey(pem)
	if err != nil {
		p.Add("platform_public_key", "is not an RSA public key in PEM")
		return nil
	}
	return k
}
