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
//   - The [Ledger] port keeps rewards: issue (idempotent per hazard and
//     policy name, limits re-checked atomically), list, claim, settle,
//     expire. memledger is the in-memory adapter; rewardtest.TestLedger is
//     the conformance suite every adapter runs.
//   - The [Payer] port pays a claimed reward with the reward ID as the
//     idempotency key, possibly settling later (a WeChat Pay transfer the
//     citizen confirms in the app).
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
