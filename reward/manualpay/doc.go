// Package manualpay is a reward.Payer for programmes that pay by hand:
// it records each payout request, lets finance export the pending ones as
// CSV, and settles them when finance marks them paid.
//
// Pay never settles at once: it answers reward.PayPending, and the reward
// stays claiming until MarkPaid (or Cancel) and a Query — the claim
// service's Sync or Reconcile — record the outcome. The records live in
// memory; a deployment that needs them to survive a restart keeps the
// exported CSV and the ledger as the record.
//
// A Payer is safe for concurrent use.
package manualpay
