package workflow_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/workflow"
)

var update = flag.Bool("update", false, "rewrite golden files and the generated parts of README.md")

// diagrammed are the definitions whose diagrams testdata and README.md show:
// the test process, whose terminal state closed declares a reopen action.
func diagrammed() []*workflow.Definition { return []*workflow.Definition{tickets} }

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./workflow -run Diagram -update")
	require.Equal(t, string(want), got, "%s is out of date: run go test ./workflow -run Diagram -update", path)
}

func TestDiagramGolden(t *testing.T) {
	for _, d := range diagrammed() {
		golden(t, d.Name()+".mmd", d.Mermaid())
		golden(t, d.Name()+".dot", d.DOT())
		require.Equal(t, d.Mermaid(), d.Mermaid(), "Mermaid is deterministic")
		require.Equal(t, d.DOT(), d.DOT(), "DOT is deterministic")
	}
}

// TestDiagramReopen: an action leaving a terminal state is drawn like any
// other, and the state still ends the loop.
func TestDiagramReopen(t *testing.T) {
	m := tickets.Mermaid()
	require.Contains(t, m, "    closed --> assigned : reopen 重新打开 [requester]\n")
	require.Contains(t, m, "    closed --> [*]\n")
	dot := tickets.DOT()
	require.Contains(t, dot, `  "closed" -> "assigned" [label="reopen 重新打开 [requester]"];`)
	require.Contains(t, dot, `  "closed" [label="已关闭\nclosed", peripheries=2];`)
}

func TestDiagramEscaping(t *testing.T) {
	spec := tiny(t)
	spec.Name = `say "hi"`
	spec.States[0].Name = "open-now"
	spec.States[0].Label = workflow.Label{ZH: "打开\n\"a\"; b", EN: "Open"}
	spec.Actions[0].From = []string{"open-now"}
	spec.Actions[0].Label = workflow.Label{ZH: `关\闭`}
	d := workflow.MustNew(spec)

	m := d.Mermaid()
	require.Contains(t, m, `state "打开 #quot;a#quot;#59; b open-now" as open_now`)
	require.Contains(t, m, "open_now --> done : close 关\\闭 [staff]")
	dot := d.DOT()
	require.Contains(t, dot, `digraph "say \"hi\"_v1" {`)
	require.Contains(t, dot, `"open-now" [label="打开\n\"a\"; b\nopen-now"];`)
	require.Contains(t, dot, `"open-now" -> "done" [label="close 关\\闭 [staff]"];`)
	require.Contains(t, dot, `"done" [label="done", peripheries=2];`)
}

// TestReadmeDiagrams keeps the diagrams in README.md in step with the test
// process; -update rewrites them.
func TestReadmeDiagrams(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(raw)
	for _, d := range diagrammed() {
		for _, f := range []struct{ kind, fence, body string }{
			{"mermaid", "mermaid", d.Mermaid()},
			{"dot", "dot", d.DOT()},
		} {
			begin := "<!-- BEGIN GENERATED " + d.Name() + " " + f.kind + " -->\n"
			end := "<!-- END GENERATED " + d.Name() + " " + f.kind + " -->"
			i := strings.Index(readme, begin)
			j := strings.Index(readme, end)
			require.True(t, i >= 0 && j > i, "README.md lacks the markers %q and %q", begin, end)
			block := "```" + f.fence + "\n" + f.body + "```\n"
			if *update {
				readme = readme[:i+len(begin)] + block + readme[j:]
				continue
			}
			require.Equal(t, block, readme[i+len(begin):j], "README.md's %s %s diagram is out of date: run go test ./workflow -run Readme -update", d.Name(), f.kind)
		}
	}
	if *update {
		require.NoError(t, os.WriteFile("README.md", []byte(readme), 0o644))
	}
}
