package memblob_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memblob"
)

func Example() {
	ctx := context.Background()
	photos := memblob.New()
	info, err := photos.Put(ctx, strings.NewReader("not really a jpeg"), hazard.TypeJPEG)
	if err != nil {
		panic(err)
	}
	fmt.Println(info.Key[:12], info.ContentType, info.Size)
	_, _, err = photos.Open(ctx, "../../etc/passwd")
	fmt.Println(hazard.ErrorCode(err))
	// Output:
	// 21ac2586e213 image/jpeg 17
	// invalid
}
