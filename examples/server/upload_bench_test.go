package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// bigPNG returns a valid PNG of exactly size bytes: a small image with a
// private ancillary chunk (kept by StripMetadata) filling the rest.
func bigPNG(size int) []byte {
	small := hazardtest.PNGPhoto(1)
	iend := small[len(small)-12:]
	fill := size - len(small) - 12
	chunk := make([]byte, 12+fill)
	binary.BigEndian.PutUint32(chunk, uint32(fill))
	copy(chunk[4:], "prVt")
	for i := range fill {
		chunk[8+i] = byte(i * 7)
	}
	binary.BigEndian.PutUint32(chunk[8+fill:], crc32.ChecksumIEEE(chunk[4:8+fill]))
	out := append(append(append([]byte{}, small[:len(small)-12]...), chunk...), iend...)
	return out
}

// BenchmarkParallelUploads measures the peak heap of the server while 100
// clients upload a 10 MiB photo each at the same time (in-process, through
// the server's handler, photos on the file system), by sampling the heap
// every millisecond. Every client streams the one shared photo, so the
// figure is the server's. Run it with
//
//	go test ./examples/server -run '^$' -bench ParallelUploads -benchtime 3x
func BenchmarkParallelUploads(b *testing.B) {
	photo := bigPNG(hazard.MaxPhotoSize)
	for _, limit := range []int{0, 100} {
		name := fmt.Sprintf("MaxConcurrentUploads=%d", limit)
		if limit == 0 {
			name = fmt.Sprintf("MaxConcurrentUploads=default(%d)", hazard.DefaultMaxConcurrentUploads)
		}
		b.Run(name, func(b *testing.B) {
			srv, err := server.New(context.Background(), server.Config{Demo: true, PhotoDir: b.TempDir(),
				TokenSecret: bytes.Repeat([]byte("k"), 32), Logger: quietLogger(), MaxConcurrentUploads: limit})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = srv.Close() })
			tok, err := srv.Token("citizen-1")
			if err != nil {
				b.Fatal(err)
			}
			h := srv.Handler()
			const clients = 100
			var peak atomic.Uint64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			go func() {
				defer close(sampled)
				t := time.NewTicker(time.Millisecond)
				defer t.Stop()
				var m runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						runtime.ReadMemStats(&m)
						if m.HeapInuse > peak.Load() {
							peak.Store(m.HeapInuse)
						}
					}
				}
			}()
			b.ResetTimer()
			for range b.N {
				var wg sync.WaitGroup
				start := make(chan struct{})
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						const boundary = "benchboundary"
						body := io.MultiReader(
							bytes.NewReader([]byte("--"+boundary+"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n")),
							bytes.NewReader(photo),
							bytes.NewReader([]byte("\r\n--"+boundary+"--\r\n")))
						req := httptest.NewRequest("POST", "/api/v1/uploads", body)
						req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
						req.Header.Set("Authorization", "Bearer "+tok)
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusCreated {
							b.Errorf("upload: %d %s", rec.Code, rec.Body)
						}
					}()
				}
				close(start)
				wg.Wait()
			}
			b.StopTimer()
			close(stop)
			<-sampled
			b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapInuse))/(1<<20), "peak-heap-MiB")
			b.ReportMetric(0, "ns/op")
		})
	}
}
