// Package cluster holds the tests that run several hazardloop example
// server processes on one PostgreSQL database, as a city runs them in
// production:
//
//   - TestTwoProcesses starts two server processes on one database and
//     drives concurrent traffic through both, with conflicting actions on
//     the same report sent to both at once. It checks that no update is
//     lost (of two concurrent actions exactly one wins, the other is told
//     the current version), that every hazard's event log is a gapless
//     chain of transitions, that every event reaches every relay consumer
//     (cursors at the last sequence, nothing parked), that every planned
//     notification is sent exactly once, that every reward is issued
//     once, to the right hazards under the programme's caps, that a
//     citizen verified on one process is verified on the other, that
//     rewards are claimed through either, and that both give the same
//     programme figures.
//   - TestCrashMidDelivery kills a server process (SIGKILL) in the middle
//     of a relay batch and starts it again beside a second process. It
//     checks that nothing is lost: every event is delivered after the
//     restart, every reward due is issued once with one reward event, and
//     every notification is sent; the shared delivery log drops the
//     redelivery of every notification the killed process had recorded,
//     so that only one sent in the instant before its record goes twice.
//   - TestCitizenAcrossProcesses sends each request of one citizen to the
//     other process, as a load balancer may: the login code sent by one is
//     checked by the other, the verification, the upload and its photo,
//     the report, the reward and its claim, and an article published by
//     an admin are all seen by both.
//   - TestRateLimitAcrossProcesses and TestLoginCodeLimitAcrossProcesses
//     race requests of one citizen over both processes: exactly the daily
//     submission limit is accepted (the store counts and inserts in one
//     step), and exactly one of twenty login codes for one phone is sent
//     (the rate limiter on the shared database, pgstore's hazard.Limiter);
//     every other answer is 429 with Retry-After.
//   - TestDatabaseOutage starts a PostgreSQL of its own (initdb and
//     postgres from /usr/lib/postgresql/*/bin, run as the postgres user
//     when the test is root, on a free port in a temporary directory), runs
//     two server processes on it under a steady load of reports driven
//     through the loop, kills the database with SIGKILL and starts it
//     again. /readyz says not ready while it is down and ready after; no
//     request gets a 5xx other than 503 with Retry-After, which a client
//     retries safely (a submission with its Idempotency-Key, an action
//     with its expected version); every acknowledged write is in the log
//     afterwards; the relay resumes at its cursors, every notification the
//     log calls for is sent and every reward due is issued once. It skips,
//     saying why, without PostgreSQL's server binaries; it does not need
//     HAZARDLOOP_TEST_DATABASE_URL.
//
// The other tests need PostgreSQL: they read its URL from
// HAZARDLOOP_TEST_DATABASE_URL and skip without it, for example
//
//	psql -h 127.0.0.1 -U postgres -c 'create database hl_cluster'
//	HAZARDLOOP_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/hl_cluster?sslmode=disable' \
//	    go test -race ./examples/cluster/
//
// Each test works in a schema of its own, dropped at the end. The package
// itself only offers WithSearchPath, which the tests use to point the
// servers at that schema.
package cluster
