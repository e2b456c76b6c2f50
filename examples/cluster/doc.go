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
//     notification is sent exactly once, and that every reward is issued
//     once, to the right hazards under the programme's caps.
//   - TestCrashMidDelivery kills a server process (SIGKILL) in the middle
//     of a relay batch and starts it again beside a second process. It
//     checks that nothing is lost: every event is delivered after the
//     restart, every reward due is issued once with one reward event, and
//     every notification is sent, twice only for the events the killed
//     process had sent but not yet acknowledged.
//
// The tests need PostgreSQL: they read its URL from
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
