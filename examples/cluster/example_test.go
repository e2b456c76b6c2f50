package cluster_test

import (
	"fmt"

	"github.com/hazardloop/hazardloop/examples/cluster"
)

// A server process and the test share a database but each test has a
// schema of its own: the URL names it as the search path.
func ExampleWithSearchPath() {
	fmt.Println(cluster.WithSearchPath("postgres://postgres@127.0.0.1:5432/hl?sslmode=disable", "cluster_1"))
	// Output:
	// postgres://postgres@127.0.0.1:5432/hl?search_path=cluster_1&sslmode=disable
}
