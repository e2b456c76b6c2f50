package server_test

import (
	"errors"
	"fmt"
	"testing/fstest"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
)

// ExampleLoadCity reads a city's configuration with two broken files:
// every problem is reported at once, each with its file and field.
func ExampleLoadCity() {
	city := fstest.MapFS{
		"departments.yaml": {Data: []byte("departments:\n  - {code: fire, name_zh: 消防救援支队, name_en: Fire and Rescue}\n")},
		"categories.yaml":  {Data: []byte("categories:\n  - {code: fire, name_zh: 消防, name_en: Fire safety, department: fire}\n  - {code: flood, name_zh: 防汛, department: water}\n")},
		"industries.yaml":  {Data: []byte("industries:\n  - {code: fire, name_zh: 消防重点单位, name_en: Fire safety key units, department: fire}\n")},
		"policy.json":      {Data: []byte(`{"ladder": [1, 3, 6, 12], "start": {"red": 0, "orange": 1, "yellow": 2, "blue": 3}, "inspectors_per_visit": 0}`)},
	}
	_, err := server.LoadCity(city)
	var e *hazard.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			fmt.Printf("%s: %s\n", f.Field, f.Message)
		}
	}
	// Output:
	// categories.yaml: categories[1].name_en: is required
	// policy.json: inspectors_per_visit: must be 1 to 10
	// categories.yaml: categories[1].department: names no department of departments.yaml: "water"
}
