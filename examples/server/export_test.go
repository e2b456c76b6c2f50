package server

// MigrateServerUpTo applies the server's migrations up to a version, for
// the test that loads rows an older server wrote.
var MigrateServerUpTo = migrateServerUpTo

// StoreUnavailable exposes the classification of database outages, for
// the test of which failures answer 503.
var StoreUnavailable = storeUnavailable
