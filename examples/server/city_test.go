package server_test

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
)

// TestDefaultCity pins the demo city's configuration: the committed files
// load without a problem, name 20 departments and 8 industries, and every
// industry's checklist is among those published.
func TestDefaultCity(t *testing.T) {
	c, err := server.LoadCityDir("config")
	require.NoError(t, err, "the committed examples/server/config")
	assert.Equal(t, server.DefaultCity(), c, "the built-in city is the committed files")
	assert.Len(t, c.Departments, 20)
	assert.Len(t, c.Industries, 8)
	ids := map[string]bool{}
	for _, cl := range c.Checklists {
		ids[cl.ID] = true
	}
	for _, s := range inspection.SampleIDs() {
		assert.True(t, ids[s], "the library's sample %s is published", s)
	}
	for _, ind := range c.Industries {
		assert.True(t, ids[ind.Checklist], "industry %s: checklist %s", ind.Code, ind.Checklist)
	}
	assert.Equal(t, 1, c.Policy.Start["orange"], "orange units quarterly")
}

// cityFiles returns the committed configuration as a map file system to
// edit.
func cityFiles(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(os.DirFS("config"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join("config", p))
		m[p] = &fstest.MapFile{Data: data}
		return err
	}))
	return m
}

// problems returns the fields of LoadCity's error.
func problems(t *testing.T, err error) map[string]string {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var e *hazard.Error
	require.True(t, errors.As(err, &e))
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	return out
}

// TestLoadCityReportsEveryProblem breaks each file of a city's
// configuration in several ways at once and checks that LoadCity names
// every problem, each with its file and the path of its field.
func TestLoadCityReportsEveryProblem(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"departments", map[string]string{"departments.yaml": `departments:
  - {code: "Fire!", name_zh: 消防, name_en: Fire}
  - {code: gas, name_en: Gas}
  - {code: gas, name_zh: 燃气, name_en: Gas}
  - {code: water, name_zh: 水利, name_en: Water, head: somebody}
`}, []string{
			"departments.yaml: departments[0].code", "departments.yaml: departments[1].name_zh",
			"departments.yaml: departments[2].code", "departments.yaml: departments[3]",
			// The categories and industries name departments that are gone.
			"categories.yaml: categories[0].department", "industries.yaml: industries[0].department",
		}},
		{"categories", map[string]string{"categories.json": `{"categories": [
  {"code": "fire", "name_zh": "消防", "name_en": "Fire", "department": "fire"},
  {"code": "9lives", "name_zh": "猫", "name_en": "Cats", "department": "fire"},
  {"code": "flood", "name_zh": "防汛", "department": "rain"},
  {"code": "fire", "name_zh": "火", "name_en": "Fire again"}
]}`, "categories.yaml": ""}, []string{
			"categories.json: categories[1].code", "categories.json: categories[2].name_en",
			"categories.json: categories[2].department", "categories.json: categories[3].code",
			// The checklists' categories that are gone.
			"checklists/construction-sites.yaml: category",
		}},
		{"industries", map[string]string{"industries.yaml": `industries:
  - {code: Chemicals, name_zh: 化工, name_en: Chemicals, department: emergency}
  - {code: mining, name_zh: 矿山, name_en: Mining, department: mines}
  - {code: ports, name_zh: 港口, name_en: Ports, department: transport, checklist: no-such-list}
  - {code: ports, name_en: Ports again}
`}, []string{
			"industries.yaml: industries[0].code", "industries.yaml: industries[1].department",
			"industries.yaml: industries[2].checklist", "industries.yaml: industries[3].code",
			"industries.yaml: industries[3].name_zh", "industries.yaml: industries[3].department",
			"checklists/construction-sites.yaml: industry",
		}},
		{"policy", map[string]string{"policy.yaml": `ladder: [1, 6, 3]
start: {red: 0, yellow: 9, blue: 1}
sampled: [purple]
sample_per_mille: 2000
inspectors_per_visit: 0
`}, []string{
			"policy.yaml: ladder", "policy.yaml: start.orange", "policy.yaml: start.yellow", "policy.yaml: sampled",
			"policy.yaml: sample_per_mille", "policy.yaml: inspectors_per_visit",
		}},
		{"policy types", map[string]string{"policy.yaml": "ladder: monthly\nstart: {red: 0}\n"}, []string{"policy.yaml"}},
		{"checklist", map[string]string{"checklists/mine.yaml": `id: mine
title: Mine
industry: quarrying
department: mines
category: rocks
items:
  - {code: M-01, text: Ventilation works., basis: {standard: X}, deadline_days: 0}
  - {code: M-01, text: "", basis: {standard: X}, deadline_days: 7}
`}, []string{
			"checklists/mine.yaml: items[0].deadline_days", "checklists/mine.yaml: items[1].code",
			"checklists/mine.yaml: items[1].text", "checklists/mine.yaml: department",
			"checklists/mine.yaml: category", "checklists/mine.yaml: industry",
		}},
		{"repeated checklist and sample", map[string]string{
			"checklists/again.json": `{"id": "construction-sites", "title": "Again", "industry": "construction", "department": "housing", "category": "construction",
  "items": [{"code": "A", "text": "a", "basis": {"standard": "s"}, "deadline_days": 1}]}`,
			"samples.yaml": "samples: [fire-crowded-places, no-such-sample]\n",
		}, []string{"checklists/construction-sites.yaml: id", "samples.yaml: samples[1]"}},
		{"not YAML and two spellings", map[string]string{"policy.yaml": "ladder: [1, 3\n", "departments.yml": "departments: []\n"},
			[]string{"policy.yaml", "departments.yaml, departments.yml"}},
		{"missing file", map[string]string{"industries.yaml": ""}, []string{"industries.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := cityFiles(t)
			for name, data := range tc.files {
				if data == "" {
					delete(fsys, name)
					continue
				}
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := server.LoadCity(fsys)
			got := problems(t, err)
			for _, f := range tc.want {
				assert.Contains(t, got, f, "every problem at once; got %v", got)
			}
		})
	}
}

// TestCityProblemsStopTheStart checks that a server does not start with a
// broken configuration directory, and says every problem.
func TestCityProblemsStopTheStart(t *testing.T) {
	dir := t.TempDir()
	writeCity(t, dir, map[string]string{"departments.yaml": "departments:\n  - {code: X}\n", "policy.yaml": "ladder: []\n"})
	_, err := server.New(context.Background(), server.Config{Addr: "127.0.0.1:0", CityDir: dir})
	got := problems(t, err)
	assert.Contains(t, got, "departments.yaml: departments[0].code")
	assert.Contains(t, got, "departments.yaml: departments[0].name_zh")
	assert.Contains(t, got, "policy.yaml: ladder")

	_, err = server.New(context.Background(), server.Config{Addr: "127.0.0.1:0", CityDir: filepath.Join(dir, "missing")})
	assert.Contains(t, problems(t, err), "config_dir")
}

// writeCity writes the committed configuration to dir with files
// replaced (an empty text removes the file).
func writeCity(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	fsys := cityFiles(t)
	for name, data := range files {
		if data == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	for name, f := range fsys {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, f.Data, 0o644))
	}
}

// twentyDepartments is a city's own list of departments, none of them the
// demo's but those its units and users need.
const twentyDepartments = `departments:
  - {code: emergency, name_zh: 应急管理局, name_en: Emergency Management}
  - {code: fire, name_zh: 消防救援支队, name_en: Fire and Rescue}
  - {code: market, name_zh: 市场监督管理局, name_en: Market Regulation}
  - {code: gas, name_zh: 燃气管理处, name_en: Gas Administration}
  - {code: transport, name_zh: 交通运输局, name_en: Transport}
  - {code: power, name_zh: 供电公司, name_en: Power Supply}
  - {code: housing, name_zh: 住房和城乡建设局, name_en: Housing}
  - {code: civil_affairs, name_zh: 民政局, name_en: Civil Affairs}
  - {code: water_affairs, name_zh: 水务局, name_en: Water Affairs}
  - {code: forestry, name_zh: 林业局, name_en: Forestry}
  - {code: mines, name_zh: 矿山安全监察局, name_en: Mine Safety}
  - {code: ports, name_zh: 港航管理局, name_en: Ports and Shipping}
  - {code: railway, name_zh: 铁路办, name_en: Railway Office}
  - {code: aviation, name_zh: 民航站, name_en: Civil Aviation}
  - {code: sports, name_zh: 体育局, name_en: Sports}
  - {code: religion, name_zh: 民族宗教局, name_en: Ethnic and Religious Affairs}
  - {code: tobacco, name_zh: 烟草专卖局, name_en: Tobacco Monopoly}
  - {code: post, name_zh: 邮政管理局, name_en: Postal Administration}
  - {code: weather, name_zh: 气象局, name_en: Meteorology}
  - {code: education, name_zh: 教育局, name_en: Education}
`

// TestCityWithTwentyDepartments starts the demo server on a city's own
// configuration directory (20 departments of its own, a category that
// goes to one of them, another category routed elsewhere) and checks that
// the API lists them and reports go where its categories say.
func TestCityWithTwentyDepartments(t *testing.T) {
	dir := t.TempDir()
	cats, err := os.ReadFile(filepath.Join("config", "categories.yaml"))
	require.NoError(t, err)
	writeCity(t, dir, map[string]string{
		"departments.yaml": twentyDepartments,
		"categories.yaml": string(cats) +
			"  - {code: flood, name_zh: 防汛, name_en: Flooding, industry: water, department: water_affairs}\n" +
			"  - {code: post_depot, name_zh: 快递分拣, name_en: Parcel depots, industry: post, department: post}\n",
	})
	s := startServer(t, func(c *server.Config) { c.CityDir = dir })

	var depts struct {
		Items []hazard.Department `json:"items"`
	}
	s.do("GET", "/api/v1/departments", "", nil).json(t, &depts)
	require.Len(t, depts.Items, 20)
	assert.Equal(t, "water_affairs", depts.Items[8].Code)
	var cl struct {
		Items []hazard.Category `json:"items"`
	}
	s.do("GET", "/api/v1/categories", "", nil).json(t, &cl)
	var flood hazard.Category
	for _, c := range cl.Items {
		if c.Code == "flood" {
			flood = c
		}
	}
	assert.Equal(t, "water_affairs", flood.Department)

	// A finding by staff of no department goes to its category's.
	admin := s.login("admin-1")
	for cat, want := range map[string]string{"flood": "water_affairs", "post_depot": "post", "fire": "fire"} {
		v := s.submit(admin, []string{s.upload(admin, pngPhoto(t, 40+len(cat)))}, func(b map[string]any) {
			b["category"], b["source"], b["unit_id"] = cat, "supervision", server.DemoUnitID(1)
			b["description"] = "督查发现：" + cat
		})
		assert.Equal(t, want, v["department"], "a %s finding", cat)
	}
	// A citizen's flood report is dispatched to the city's department; a
	// department the city does not have is refused.
	citizen, dispatcher := s.login("citizen-1"), s.login("dispatcher-1")
	v := s.submit(citizen, []string{s.upload(citizen, pngPhoto(t, 60))}, func(b map[string]any) {
		b["category"], b["description"] = "flood", "地下通道积水严重"
	})
	r := s.do("POST", "/api/v1/reports/"+v["id"].(string)+"/actions/dispatch", dispatcher,
		map[string]any{"expected_version": version(v), "department": "ecology", "note": "转办"})
	assert.Equal(t, http.StatusBadRequest, r.status, "a department of the demo city only: %s", r.body)
	v = s.act(dispatcher, v["id"].(string), "dispatch", map[string]any{"expected_version": version(v), "department": "water_affairs", "note": "转办"})
	assert.Equal(t, "water_affairs", v["department"])
}
