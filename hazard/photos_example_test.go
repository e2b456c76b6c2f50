package hazard_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// A citizen uploads a photo, then reports with it: the photo is attached
// to the report, and once a dispatcher forwards the report (the default
// publication policy) the public reads its copy without metadata.
func ExamplePhotos() {
	ctx := context.Background()
	svc, _ := hazard.NewService(hazard.ServiceConfig{Store: memstore.New()})
	photos, err := hazard.NewPhotos(hazard.PhotosConfig{Service: svc, Uploads: memstore.NewUploads(), Blobs: memblob.New()})
	if err != nil {
		fmt.Println(err)
		return
	}
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4)))
	citizen := hazard.User{ID: "citizen-1", Role: "reporter", Verified: true}

	u, err := photos.Upload(ctx, citizen, &img)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.ContentType, u.State)

	h, err := photos.Submit(ctx, citizen, hazard.SubmitInput{
		Category: "fire", Description: "安全出口被堵", Location: hazard.Location{Address: "建国路88号"},
	}, []string{u.Key}, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(h.Photos), "photo")

	_, _, err = photos.Open(ctx, hazard.User{}, u.Key)
	fmt.Println("before forwarding:", hazard.ErrorCode(err))
	dispatcher := hazard.User{ID: "dispatcher-1", Role: "dispatcher"}
	if _, err := svc.Act(ctx, dispatcher, h.ID, "dispatch", hazard.ActInput{ExpectedVersion: h.Version, Department: "fire"}); err != nil {
		fmt.Println(err)
		return
	}
	rc, pc, err := photos.Open(ctx, hazard.User{}, u.Key)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rc.Close()
	fmt.Println("public sees the original:", pc.Original)

	_, err = photos.Upload(ctx, citizen, bytes.NewReader([]byte("GIF89a")))
	fmt.Println(hazard.ErrorCode(err), hazard.ErrorMessage(err))
	// Output:
	// image/png pending
	// 1 photo
	// before forwarding: not_found
	// public sees the original: false
	// invalid the photo must be JPEG, PNG or WebP
}

// A photo's original keeps its metadata (here a GPS position) for the
// retention period; then the sweep deletes it, and staff get the public
// copy without metadata in its stead.
func ExamplePhotos_PurgeOriginals() {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	svc, _ := hazard.NewService(hazard.ServiceConfig{Store: memstore.New(), Clock: clock})
	photos, err := hazard.NewPhotos(hazard.PhotosConfig{Service: svc, Uploads: memstore.NewUploads(), Blobs: memblob.New(),
		OriginalRetention: 90 * hazard.Day})
	if err != nil {
		fmt.Println(err)
		return
	}
	citizen := hazard.User{ID: "citizen-1", Role: "reporter"}
	u, err := photos.Upload(ctx, citizen, bytes.NewReader(hazardtest.JPEGWithGPS()))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := photos.Submit(ctx, citizen, hazard.SubmitInput{
		Category: "fire", Description: "安全出口被堵", Location: hazard.Location{Address: "建国路88号"},
	}, []string{u.Key}, ""); err != nil {
		fmt.Println(err)
		return
	}
	staff := hazard.User{ID: "dispatcher-1", Role: "dispatcher"}
	for _, days := range []int{89, 90} {
		now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC).AddDate(0, 0, days)
		n, err := photos.PurgeOriginals(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		rc, pc, err := photos.Open(ctx, staff, u.Key)
		if err != nil {
			fmt.Println(err)
			return
		}
		rc.Close()
		fmt.Printf("day %d: purged %d, staff get the original: %v, its public copy: %v\n", days, n, pc.Original, pc.Purged)
	}
	// Output:
	// day 89: purged 0, staff get the original: true, its public copy: false
	// day 90: purged 1, staff get the original: false, its public copy: true
}
