package membills_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/membills"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

func TestStore(t *testing.T) {
	wechatpaytest.TestBills(t, func(t *testing.T) wechatpay.Store { return membills.New() })
}
