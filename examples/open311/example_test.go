package open311_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hazardloop/hazardloop/examples/open311"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// Mount the handler at /open311/v2/ and read the services in both formats.
func ExampleNewHandler() {
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: memstore.New()})
	if err != nil {
		panic(err)
	}
	partners, err := open311.ParsePartners("cityapp:0123456789abcdef0123")
	if err != nil {
		panic(err)
	}
	photos, err := hazard.NewPhotos(hazard.PhotosConfig{Service: svc, Uploads: memstore.NewUploads(), Blobs: memblob.New()})
	if err != nil {
		panic(err)
	}
	h, err := open311.NewHandler(open311.Config{
		Service:           svc,
		Photos:            photos,
		Partners:          partners,
		BaseURL:           "https://hazards.example.gov.cn",
		AllowedMediaHosts: []string{"media.cityapp.example"},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/open311/v2/", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/open311/v2/services.json")
	if err != nil {
		panic(err)
	}
	var services []struct {
		Code  string `json:"service_code"`
		Name  string `json:"service_name"`
		Group string `json:"group"`
	}
	err = json.NewDecoder(resp.Body).Decode(&services)
	resp.Body.Close()
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Header.Get("Content-Type"))
	fmt.Println(services[0].Code, "|", services[0].Name, "|", services[0].Group)

	resp, err = http.Get(srv.URL + "/open311/v2/services/fire.xml")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Header.Get("Content-Type"))
	fmt.Println(strings.SplitN(string(body), "\n", 3)[0])
	fmt.Println(strings.SplitN(string(body), "\n", 3)[1])
	// Output:
	// application/json; charset=utf-8
	// fire | Fire safety | fire
	// text/xml; charset=utf-8
	// <?xml version="1.0" encoding="UTF-8"?>
	// <service_definition>
}

// A partner application without a valid api_key cannot create requests.
func ExampleStaticPartners() {
	partners, err := open311.ParsePartners("cityapp:0123456789abcdef0123, tracker:fedcba9876543210fedc")
	if err != nil {
		panic(err)
	}
	p, err := partners.Partner(context.Background(), "fedcba9876543210fedc")
	fmt.Println(p.Name, err)
	_, err = partners.Partner(context.Background(), "guess")
	fmt.Println(hazard.ErrorCode(err))
	// Output:
	// tracker <nil>
	// forbidden
}
