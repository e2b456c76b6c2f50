package workflow

import (
	"strconv"
	"strings"
)

// Mermaid returns d as a Mermaid stateDiagram-v2. States show their Chinese
// label and name; transitions show the action's name, its Chinese label and
// the roles allowed to take it. The output is deterministic (declaration
// order) and ends with a newline.
func (d *Definition) Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	b.WriteString("    %% " + mermaidText(d.name) + " v" + strconv.Itoa(d.version) + "\n")
	for _, s := range d.states {
		b.WriteString("    state \"" + mermaidText(stateText(s, " ")) + "\" as " + mermaidID(s.Name) + "\n")
	}
	b.WriteString("    [*] --> " + mermaidID(d.Initial()) + "\n")
	for _, a := range d.actions {
		for _, from := range a.From {
			b.WriteString("    " + mermaidID(from) + " --> " + mermaidID(a.To) + " : " + mermaidText(actionText(a)) + "\n")
		}
	}
	for _, s := range d.states {
		if s.Kind == KindTerminal {
			b.WriteString("    " + mermaidID(s.Name) + " --> [*]\n")
		}
	}
	return b.String()
}

// DOT returns d as a Graphviz digraph, laid out left to right: a point marks
// the start, terminal states have a double border, edges carry the action's
// name, Chinese label and roles. The output is deterministic (declaration
// order) and ends with a newline.
func (d *Definition) DOT() string {
	var b strings.Builder
	b.WriteString("digraph " + dotQuote(d.name+"_v"+strconv.Itoa(d.version)) + " {\n")
	b.WriteString("  rankdir=LR;\n")
	b.WriteString("  node [shape=box, style=rounded];\n")
	b.WriteString("  \"__start\" [shape=point, label=\"\"];\n")
	for _, s := range d.states {
		b.WriteString("  " + dotQuote(s.Name) + " [label=" + dotQuote(stateText(s, "\n")))
		if s.Kind == KindTerminal {
			b.WriteString(", peripheries=2")
		}
		b.WriteString("];\n")
	}
	b.WriteString("  \"__start\" -> " + dotQuote(d.Initial()) + ";\n")
	for _, a := range d.actions {
		for _, from := range a.From {
			b.WriteString("  " + dotQuote(from) + " -> " + dotQuote(a.To) + " [label=" + dotQuote(actionText(a)) + "];\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// stateText is the state's Chinese label (if any), sep and its name.
func stateText(s State, sep string) string {
	if s.Label.ZH == "" {
		return s.Name
	}
	return s.Label.ZH + sep + s.Name
}

// actionText is the action's name, Chinese label (if any) and roles.
func actionText(a Action) string {
	var b strings.Builder
	b.WriteString(a.Name)
	if a.Label.ZH != "" {
		b.WriteString(" " + a.Label.ZH)
	}
	b.WriteString(" [")
	for i, r := range a.Roles {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(r))
	}
	b.WriteString("]")
	return b.String()
}

// mermaidID turns a state name into a Mermaid identifier.
func mermaidID(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
}

// mermaidText keeps text on one line and escapes what Mermaid would parse.
var mermaidText = strings.NewReplacer("\n", " ", "\r", " ", `"`, "#quot;", ";", "#59;", "%%", "#37;#37;").Replace

// dotQuote returns s as a quoted DOT string.
func dotQuote(s string) string {
	return `"` + dotEscape.Replace(s) + `"`
}

var dotEscape = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
