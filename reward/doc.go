// Package reward decides who earns a reward for a hazard closed as valid,
// keeps the rewards in a ledger that pays each exactly once, and runs the
// claim flow against a payer.
//
// # Pieces
//
//   - Rules and policies: a [Policy] is a name, a version and a list of
//     [Rule] values applied in order to [Facts]; it returns a [Decision]
//     with an amount and an explanation trail ([Line]) that a citizen and
//     an auditor can read. Rules are pure and deterministic: no I/O, no
//     clock; what a limit needs (the reporter's totals, the budget spent)
//     is read before and put in the Facts. Presets: [National], [Shandong]
//     and [CityProgramme].
//   - The [Ledger] port keeps rewards and makes each step atomic; it holds
//     no rule. Issue is idempotent per hazard and policy name and calls an
//     admit function inside its atomic step, handing it the totals it
//     asks for: [Limits.Admit] checks the reporter's caps, then the
//     budget, so that they hold across processes. Update and UpdateDue
//     apply a change to a stored reward (load, change, save with the next
//     version; an error of the change stores nothing): the changes are the
//     reward's own methods, [Reward.BeginClaim], [Reward.Settle],
//     [Reward.FailClaim], [Reward.MarkFailed] and [Reward.Expire].
//     memledger is the in-memory adapter; rewardtest.TestLedger is the
//     conformance suite every adapter runs.
//   - The [Payer] port pays a claimed reward with the reward ID as the
//     idempotency key, possibly settling later (a WeChat Pay transfer the
//     citizen confirms in the app). mempay is an in-memory payer for tests
//     and demos; manualpay records payouts for finance to pay by hand and
//     exports them as CSV; rewardtest.TestPayer is the conformance suite
//     both run.
//   - The [Service] ties them together: its relay [Service.Consumer] turns
//     transitions into a state that the hazard's process declares to close
//     it as valid (hazard.OutcomeValid, read through Config.Processes) into
//     rewards ([Service.IssueFor]), once per hazard and policy even when a
//     hazard is reopened and closed again;
//     [Service.Claim] runs BeginClaim → Payer.Pay → Settle (or FailClaim),
//     each step a Ledger.Update;
//     [Service.Pending] gives the app the package of a payout waiting for
//     the citizen's confirmation again; [Service.Sync] records a payer's
//     late answer (call it from a payment callback); [Service.Reconcile]
//     and [Service.ExpireDue] are sweeps to run periodically.
//   - Erasure: the Service is a hazard.Forgetter and a hazard.ErasureGuard
//     for a citizen's erasure ([Service.ForgetUser]): paid rewards keep
//     their ledger row (amount, status, payment reference, dates) under
//     the pseudonym, pending ones are forfeited ([Reward.Forfeit], an
//     EventRewardForfeited) and a reward being paid refuses the erasure
//     ([ErrPayoutInFlight]). A report whose reporter was erased earns
//     nothing more. mempay and manualpay forget too.
//
// # Events
//
// The service appends hazard.EventRewardIssued, EventRewardClaimed and
// EventRewardExpired to the hazard's event log, by the system actor, with
// Data keys reward_id, amount_fen, claim_by (RFC 3339), reporter_id and
// policy, for notify to tell the citizen. An issued event is never lost
// nor doubled: when the consumer finds the reward already issued (a
// redelivery after a failed append), it appends the event only if the
// hazard's log does not hold it yet. Claimed and expired events are
// appended after the ledger recorded the change; if that append fails the
// change stands and the failure is logged.
//
// # Exactly-once payouts
//
// The ledger's conditional changes let one claim of a reward proceed; the
// payer pays at most once per key (the reward ID). A payout whose answer
// is lost leaves the reward pending; the next claim asks the payer again
// with the same key and records the first payout; if nobody claims again,
// ExpireDue asks the payer before expiring it. A payout recorded by the
// ledger was always made by the payer; after the sweeps, the payouts
// equal the claimed rewards (tested on randomised runs).
//
// # Conventions
//
// Money is [Fen], integer fen; proportions are [BasisPoints], rounded half
// up to the fen (see [BasisPoints.Of]). Errors are *hazard.Error values
// with a code: match them with errors.Is against hazard.ErrNotFound,
// hazard.ErrConflict... or this package's [ErrBudgetExhausted],
// [ErrCapReached], [ErrNotClaimable] and [ErrClaimWindowClosed]. Rewards
// are values copied in and out of ledgers. Times are UTC, from an injected
// clock.
package reward
