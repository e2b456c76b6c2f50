// Package memledger is an in-memory reward.Ledger for tests, demos and
// single-process deployments that can lose their rewards on restart.
//
// A Ledger is safe for concurrent use: one mutex makes every method an
// atomic step. Rewards are copied in and out.
package memledger
