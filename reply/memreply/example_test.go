package memreply_test

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/reply/memreply"
	"github.com/hazardloop/hazardloop/reply/replytest"
)

// A store keeps every version of a template; its events go to the log.
func Example() {
	ctx := context.Background()
	log := memstore.New()
	st := memreply.New(log)
	t := replytest.NewTemplate("forwarded")
	t, _ = st.Save(ctx, t, 0, nil)
	t.TextZH = "已转办：{ref}"
	t, _ = st.Save(ctx, t, 1, nil)
	vs, _ := st.Versions(ctx, "forwarded")
	fmt.Println(len(vs), t.Version)
	// Output: 2 2
}
