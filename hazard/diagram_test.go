package hazard_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

var update = flag.Bool("update", false, "rewrite the presets' diagrams in testdata and README.md")

// presets are the definitions whose diagrams testdata and README.md show.
func presets() []*workflow.Definition {
	return []*workflow.Definition{hazard.CitizenReport().Definition(), hazard.Rectification().Definition()}
}

// TestPresetDiagrams compares the presets' Mermaid and DOT diagrams with
// testdata/<name>.mmd and .dot; -update rewrites them.
func TestPresetDiagrams(t *testing.T) {
	for _, d := range presets() {
		for _, f := range []struct{ ext, got string }{{".mmd", d.Mermaid()}, {".dot", d.DOT()}} {
			path := filepath.Join("testdata", d.Name()+f.ext)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(f.got), 0o644))
				continue
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./hazard -run Diagram -update")
			require.Equal(t, string(want), f.got, "%s is out of date: run go test ./hazard -run Diagram -update", path)
		}
	}
}

// TestReadmeDiagrams keeps the presets' diagrams in README.md in step with
// the presets; -update rewrites them.
func TestReadmeDiagrams(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(raw)
	for _, d := range presets() {
		for _, f := range []struct{ kind, body string }{{"mermaid", d.Mermaid()}, {"dot", d.DOT()}} {
			begin := "<!-- BEGIN GENERATED " + d.Name() + " " + f.kind + " -->\n"
			end := "<!-- END GENERATED " + d.Name() + " " + f.kind + " -->"
			i, j := strings.Index(readme, begin), strings.Index(readme, end)
			require.True(t, i >= 0 && j > i, "README.md lacks the markers %q and %q", begin, end)
			block := "```" + f.kind + "\n" + f.body + "```\n"
			if *update {
				readme = readme[:i+len(begin)] + block + readme[j:]
				continue
			}
			require.Equal(t, block, readme[i+len(begin):j], "README.md's %s %s diagram is out of date: run go test ./hazard -run Readme -update", d.Name(), f.kind)
		}
	}
	if *update {
		require.NoError(t, os.WriteFile("README.md", []byte(readme), 0o644))
	}
}
