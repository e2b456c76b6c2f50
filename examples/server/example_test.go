package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/hazardloop/hazardloop/examples/server"
)

// Run the example server on a free loopback port, ask it whether it is
// ready, and shut it down.
func ExampleRun() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string)
	done := make(chan error)
	cfg := server.Config{
		Addr:        "127.0.0.1:0",
		TokenSecret: []byte("an example secret of 32 bytes!!!"),
		Logger:      slog.New(slog.DiscardHandler),
	}
	go func() { done <- server.Run(ctx, cfg, func(addr string) { ready <- addr }) }()
	addr := <-ready

	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(res.StatusCode, " ", string(body))

	cancel()
	fmt.Println("shutdown:", <-done)
	// Output:
	// 200 {"status":"ready"}
	// shutdown: <nil>
}
