// Package mempay is an in-memory reward.Payer for tests and demos. It can
// be told to fail, to reject, to time out, to lose its answer after paying,
// and to require the citizen's confirmation before a payout settles, and it
// records every payout so that tests can check that nothing was paid twice.
//
// A Payer is safe for concurrent use.
package mempay
