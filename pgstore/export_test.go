package pgstore

// ListQuery exposes the statement of List to the tests that EXPLAIN it.
var ListQuery = listQuery

// MakeCursor exposes the cursor encoding of List to the same tests.
var MakeCursor = makeCursor
