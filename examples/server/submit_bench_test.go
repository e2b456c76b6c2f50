package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// BenchmarkSubmitHandler measures one report submission through the
// server's handler, in-process: authentication, the JSON body's checks,
// the use case on memory and the answer, with the relay's consumers
// running beside it as the server runs them. Each submission has an upload
// of its own, made before the timer starts. loadbench measures the same
// path over loopback against a bare baseline; this one gives a profile
// without the network:
//
//	go test ./examples/server -run '^$' -bench SubmitHandler -benchmem -cpuprofile cpu.out
func BenchmarkSubmitHandler(b *testing.B) {
	srv, err := server.New(context.Background(), server.Config{Demo: true,
		TokenSecret: bytes.Repeat([]byte("k"), 32), Logger: quietLogger(),
		SubmitsPerDay: -1, MaxPendingUploads: math.MaxInt32})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	tok, err := srv.Token("citizen-1")
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	bodies := make([][]byte, b.N)
	for i := range bodies {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, uploadRequest(b, tok, hazardtest.PNGPhoto(i+1)))
		if rec.Code != http.StatusCreated {
			b.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		var up struct {
			Key string `json:"key"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &up); err != nil {
			b.Fatal(err)
		}
		bodies[i], _ = json.Marshal(map[string]any{
			"category": "fire", "severity": "general", "description": "负载测试：楼道堆放杂物",
			"address":  fmt.Sprintf("负载测试路%d号", i),
			"latitude": 30 + float64(i%1000)/100, "longitude": 110 + float64(i%997)/100, "coord_system": "WGS84",
			"photos": []string{up.Key},
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest("POST", "/api/v1/reports", bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("submit: %d %s", rec.Code, rec.Body)
		}
	}
}
