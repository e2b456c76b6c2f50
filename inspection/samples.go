package inspection

import (
	"bytes"
	"embed"
	"io/fs"
	"path"
	"slices"
	"strings"
)

//go:embed samples/*.json
var sampleFiles embed.FS

// SampleIDs returns the IDs of the sample checklists shipped with the
// package, sorted: fire safety of crowded places, urban gas users,
// hazardous chemicals storage, industry and trade dust and confined
// spaces, and special equipment. They are paraphrased demonstration lists
// marked Sample, not official texts; an integrator loads its departments'
// own lists with ParseJSON or ParseCSV.
func SampleIDs() []string {
	entries, _ := fs.ReadDir(sampleFiles, "samples")
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(ids)
	return ids
}

// Sample returns the sample checklist id (one of SampleIDs), unpublished,
// or CodeNotFound.
func Sample(id string) (Checklist, error) {
	data, err := sampleFiles.ReadFile(path.Join("samples", id+".json"))
	if err != nil || strings.ContainsAny(id, "/.") {
		return Checklist{}, notFound("sample", "checklist", errNoSample)
	}
	return ParseJSON(bytes.NewReader(data))
}

// Samples returns every sample checklist, in the order of SampleIDs.
func Samples() []Checklist {
	ids := SampleIDs()
	out := make([]Checklist, 0, len(ids))
	for _, id := range ids {
		c, err := Sample(id)
		if err != nil {
			panic("inspection: broken sample " + id + ": " + err.Error())
		}
		out = append(out, c)
	}
	return out
}
