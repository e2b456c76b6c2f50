package wechatpaytest_test

import (
	"fmt"

	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

// The fake's configuration is complete: a payer made with it pays against
// the fake.
func ExampleServer_Config() {
	srv, err := wechatpaytest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	cfg := srv.Config()
	fmt.Println(cfg.Validate(), cfg.MchID, cfg.PlatformPublicKeyID, cfg.MchPrivateKey)
	// Output:
	// <nil> 1900000001 PUB_KEY_ID_0119000000012025010100000000 [redacted]
}
