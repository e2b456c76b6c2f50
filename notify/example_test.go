package notify_test

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/notify"
)

// A reporter without a WeChat subscription is reached by SMS: the WeChat
// error is final for them, so Fallback moves on.
func ExampleFallback() {
	tm := notify.MustTemplates(notify.DefaultTexts())
	refused := notify.NotifierFunc(func(context.Context, notify.Recipient, notify.Message) error {
		return notify.Permanent(notify.ChannelWeChat, "wechat.send", "errcode 43101", nil)
	})
	sms := notify.NewRecorder(notify.ChannelSMS, tm)
	n := notify.Retry(notify.Fallback(refused, sms), notify.RetryConfig{})

	to := notify.Recipient{UserID: "u-1", Addresses: map[notify.Channel]string{notify.ChannelSMS: "13812345678"}}
	m := notify.Message{Template: notify.KeyRewardPending, IdempotencyKey: "evt-42/u-1",
		Data: map[string]string{"ref": "LC-20261128-000123", "amount_fen": "5000", "claim_by": "2026-12-08T16:00:00Z"}}
	if err := n.Notify(context.Background(), to, m); err != nil {
		fmt.Println(err)
	}
	for _, s := range sms.Sent() {
		fmt.Println(s.Channel, notify.MaskPhone(s.To.Address(notify.ChannelSMS)))
		fmt.Println(s.Text)
	}
	// Output:
	// sms 138****5678
	// 您上报的隐患（编号 LC-20261128-000123）获得奖励 ¥50.00，请于 2026年12月9日 00:00 前在“我的—我的奖励—待领”中领取。
}

func ExampleTemplates_Render() {
	tm, err := notify.NewTemplates(notify.DefaultTexts())
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := tm.Render("en", notify.KeyClosedInvalid, map[string]string{"ref": "LC-20261128-000123", "reason": "duplicate of LC-20261127-000098"})
	fmt.Println(text)
	text, _ = tm.Render("zh-CN", notify.KeyOTP, map[string]string{"code": "428913", "minutes": "5"})
	fmt.Println(text)
	// Output:
	// Your hazard report LC-20261128-000123 was not accepted: duplicate of LC-20261127-000098
	// 您的登录验证码为 428913，5 分钟内有效。请勿告诉他人。
}
