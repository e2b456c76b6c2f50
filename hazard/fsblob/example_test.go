package fsblob_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/fsblob"
)

func Example() {
	dir, err := os.MkdirTemp("", "photos")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	photos, err := fsblob.New(dir)
	if err != nil {
		panic(err)
	}
	info, err := photos.Put(ctx, strings.NewReader("not really a jpeg"), hazard.TypeJPEG)
	if err != nil {
		panic(err)
	}
	rc, got, err := photos.Open(ctx, info.Key)
	if err != nil {
		panic(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	fmt.Println(got.ContentType, got.Size, string(b))

	_, _, err = photos.Open(ctx, "../../etc/passwd")
	fmt.Println(hazard.ErrorCode(err))
	// Output:
	// image/jpeg 17 not really a jpeg
	// invalid
}
