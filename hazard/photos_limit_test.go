package hazard_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// signalReader closes started on its first Read, then reads r.
type signalReader struct {
	started chan struct{}
	r       io.Reader
	once    bool
}

func (s *signalReader) Read(p []byte) (int, error) {
	if !s.once {
		s.once = true
		close(s.started)
	}
	return s.r.Read(p)
}

// TestUploadConcurrencyIsBounded: with MaxConcurrent uploads running, the
// next waits for a turn (and gives up when its context ends) instead of
// reading its photo into memory.
func TestUploadConcurrencyIsBounded(t *testing.T) {
	f := newFixture(t)
	p, err := hazard.NewPhotos(hazard.PhotosConfig{Service: f.svc, Uploads: memstore.NewUploads(), Blobs: memblob.New(), MaxConcurrent: 1})
	require.NoError(t, err)

	pr, pw := io.Pipe()
	first := &signalReader{started: make(chan struct{}), r: pr}
	done := make(chan error, 1)
	go func() {
		_, err := p.Upload(context.Background(), citizen, first)
		done <- err
	}()
	<-first.started // the first upload holds the only turn

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	second := &signalReader{started: make(chan struct{}), r: bytes.NewReader(hazardtest.PNGPhoto(2))}
	_, err = p.Upload(ctx, citizen, second)
	require.ErrorIs(t, err, context.Canceled, "an upload past the limit whose context ends")
	select {
	case <-second.started:
		t.Error("the upload past the limit read its body")
	default:
	}

	go func() {
		_, _ = pw.Write(hazardtest.PNGPhoto(1))
		_ = pw.Close()
	}()
	require.NoError(t, <-done, "the first upload")
	_, err = p.Upload(context.Background(), citizen, bytes.NewReader(hazardtest.PNGPhoto(3)))
	assert.NoError(t, err, "an upload once the turn is free")

	_, err = hazard.NewPhotos(hazard.PhotosConfig{Service: f.svc, Uploads: memstore.NewUploads(), Blobs: memblob.New(), MaxConcurrent: -1})
	assert.ErrorIs(t, err, hazard.ErrInvalid, "a negative MaxConcurrent")
}
