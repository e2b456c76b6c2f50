// Package wechatpaytest holds what tests of WeChat Pay merchant transfers
// need: Server, a local WeChat Pay that checks the signatures of requests
// and signs its answers and callbacks with keys made in the test process, and
// TestBills, the conformance suite of wechatpay.Store.
package wechatpaytest
