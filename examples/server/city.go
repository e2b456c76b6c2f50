package server

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/risk"
)

// The files of a city configuration directory (see City). Each may be
// written in YAML (.yaml or .yml) or JSON (.json); exactly one spelling of
// each must be present, but for samples and the checklists directory,
// which are optional.
const (
	CityDepartmentsFile = "departments"
	CityCategoriesFile  = "categories"
	CityIndustriesFile  = "industries"
	CityPolicyFile      = "policy"
	CitySamplesFile     = "samples"
	CityChecklistsDir   = "checklists"
)

// Limits of a city configuration.
const (
	// MaxCityFileSize is the largest file of a city configuration, in
	// bytes (a checklist file has inspection.MaxChecklistFileSize).
	MaxCityFileSize = 1 << 20
	// MaxCityDepartments, MaxCityCategories and MaxCityIndustries bound
	// the lists; MaxCityChecklists the checklist files.
	MaxCityDepartments = 200
	MaxCityCategories  = 200
	MaxCityIndustries  = 100
	MaxCityChecklists  = 500
	// MaxIndustryNameLen is the longest name of an industry, in runes.
	MaxIndustryNameLen = 100
)

// cityExtensions are the spellings of a configuration file, in the order
// they are looked for.
var cityExtensions = []string{".yaml", ".yml", ".json"}

//go:embed config
var defaultCityFiles embed.FS

// Industry is a kind of unit the city supervises (化工, 消防重点单位, ...):
// the department that supervises it and the checklist its inspections
// follow by default.
type Industry struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	// Department is the code of the department that supervises the
	// industry's units.
	Department string `json:"department"`
	// Checklist is the ID of the checklist its inspections use by default;
	// optional.
	Checklist string `json:"checklist,omitempty"`
}

// City is what a city edits: its departments, the hazard categories and
// the department each goes to by default, the industries it supervises,
// its graded supervision policy and its checklists. LoadCity reads it from
// a directory; DefaultCity is the demo's, embedded in the server and
// committed as examples/server/config.
type City struct {
	Departments []hazard.Department
	Categories  []hazard.Category
	Industries  []Industry
	Policy      risk.Policy
	// Checklists are the checklists to publish at start: the library's
	// samples named in samples.yaml, then the files of checklists/ in name
	// order.
	Checklists []inspection.Checklist
}

// DefaultCity returns the demo city's configuration, the files under
// examples/server/config built into the server.
func DefaultCity() City {
	sub, err := fs.Sub(defaultCityFiles, "config")
	if err != nil {
		panic(err)
	}
	c, err := LoadCity(sub)
	if err != nil {
		panic("server: the built-in city configuration is invalid: " + err.Error()) // a test pins it
	}
	return c
}

// LoadCityDir reads a city's configuration from the directory dir (see
// LoadCity).
func LoadCityDir(dir string) (City, error) {
	if _, err := os.Stat(dir); err != nil {
		var p hazard.Problems
		p.Add("config_dir", "cannot be read: %v", err)
		return City{}, p.Err("city config")
	}
	return LoadCity(os.DirFS(dir))
}

// LoadCity reads a city's configuration from fsys and validates it with
// the library's own rules (hazard.Department.Validate,
// hazard.Category.Validate, risk.Policy.Validate, inspection.ParseJSON)
// and the references between the files: a category's, an industry's or a
// checklist's department must be a configured department, a checklist's
// category a configured category and its industry a configured industry,
// an industry's checklist a configured checklist.
//
// Every problem of every file is reported at once in one CodeInvalid
// *hazard.Error: each of its Fields names the file and the path of the
// field within it ("categories.yaml: categories[3].department") and says
// what is wrong.
func LoadCity(fsys fs.FS) (City, error) {
	l := &cityLoader{fsys: fsys, where: map[string]string{}}
	var c City
	l.list(CityDepartmentsFile, "departments", MaxCityDepartments, func(at string, raw json.RawMessage) {
		var d hazard.Department
		if l.decode(at, raw, &d) {
			l.merge(at, d.Validate())
			c.Departments = append(c.Departments, d)
		}
	})
	l.list(CityCategoriesFile, "categories", MaxCityCategories, func(at string, raw json.RawMessage) {
		var cat hazard.Category
		if l.decode(at, raw, &cat) {
			l.merge(at, cat.Validate())
			c.Categories = append(c.Categories, cat)
		}
	})
	l.list(CityIndustriesFile, "industries", MaxCityIndustries, func(at string, raw json.RawMessage) {
		var ind Industry
		if l.decode(at, raw, &ind) {
			l.merge(at, ind.validate())
			c.Industries = append(c.Industries, ind)
		}
	})
	if raw, ok := l.read(CityPolicyFile, true); ok {
		c.Policy = l.policy(raw)
	}
	l.checklists(&c)
	l.crossCheck(&c)
	if len(l.problems) > 0 {
		msg := l.problems[0].Message
		if n := len(l.problems); n > 1 {
			msg = fmt.Sprintf("%s (and %d more problems)", msg, n-1)
		}
		return City{}, &hazard.Error{Code: hazard.CodeInvalid, Op: "city config", Field: l.problems[0].Field, Message: msg, Fields: l.problems}
	}
	return c, nil
}

func (ind Industry) validate() error {
	var p hazard.Problems
	// An industry's code follows the rule of a category's.
	if err := (hazard.Category{Code: ind.Code, NameZH: "-", NameEN: "-"}).Validate(); err != nil {
		p.Add("code", "must be lower-case letters, digits or underscores, starting with a letter, at most %d bytes", hazard.MaxCategoryCodeLen)
	}
	hazard.CheckLine(&p, "name_zh", ind.NameZH, 1, MaxIndustryNameLen)
	hazard.CheckLine(&p, "name_en", ind.NameEN, 1, MaxIndustryNameLen)
	if ind.Department == "" {
		p.Add("department", "is required")
	}
	return p.Err("industry")
}

// cityLoader collects the problems of every file.
type cityLoader struct {
	fsys     fs.FS
	problems []hazard.FieldError
	// file is the name of the file being read, the prefix of its problems.
	file string
	// where remembers where each list entry came from, for cross checks.
	where map[string]string
	// broken are the checklists with problems, whose references are
	// checked too.
	broken []inspection.Checklist
}

func (l *cityLoader) add(file, field, format string, args ...any) {
	if field != "" {
		file += ": " + field
	}
	l.problems = append(l.problems, hazard.FieldError{Field: file, Message: fmt.Sprintf(format, args...)})
}

// merge adds the field problems of a library validator's error under at.
func (l *cityLoader) merge(at string, err error) {
	var p hazard.Problems
	if err == nil {
		return
	}
	if !p.Merge(at, err) {
		l.add(l.file, at, "%s", hazard.ErrorMessage(err))
		return
	}
	for _, f := range p.Err("").(*hazard.Error).Fields {
		l.add(l.file, f.Field, "%s", f.Message)
	}
}

// find returns the name of the file base with one of cityExtensions, or
// "" when none is there (a problem when required). Two spellings of one
// file are a problem.
func (l *cityLoader) find(base string, required bool) string {
	var found []string
	for _, ext := range cityExtensions {
		if _, err := fs.Stat(l.fsys, base+ext); err == nil {
			found = append(found, base+ext)
		}
	}
	switch {
	case len(found) > 1:
		l.add(strings.Join(found, ", "), "", "are two spellings of one file: keep one")
		return ""
	case len(found) == 0 && required:
		l.add(base+".yaml", "", "is missing (or %s.json)", base)
		return ""
	case len(found) == 0:
		return ""
	}
	return found[0]
}

// read returns the file base as JSON, converted from YAML where needed.
func (l *cityLoader) read(base string, required bool) (json.RawMessage, bool) {
	name := l.find(base, required)
	if name == "" {
		return nil, false
	}
	l.file = name
	return l.readFile(name, MaxCityFileSize)
}

func (l *cityLoader) readFile(name string, max int) (json.RawMessage, bool) {
	data, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		l.add(name, "", "cannot be read: %v", err)
		return nil, false
	}
	if len(data) > max {
		l.add(name, "", "must be at most %d bytes", max)
		return nil, false
	}
	if path.Ext(name) == ".json" {
		if !json.Valid(data) {
			var v any
			err := json.Unmarshal(data, &v)
			l.add(name, "", "is not JSON: %v", err)
			return nil, false
		}
		return data, true
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		l.add(name, "", "is not YAML: %v", err)
		return nil, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		l.add(name, "", "holds a value JSON cannot hold: %v", err)
		return nil, false
	}
	return out, true
}

// list reads the file base, an object whose key holds a list, and calls
// each with the path of every entry ("departments[3]") and its JSON.
func (l *cityLoader) list(base, key string, max int, each func(at string, raw json.RawMessage)) {
	raw, ok := l.read(base, true)
	if !ok {
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		l.add(l.file, "", "must be an object with the key %q", key)
		return
	}
	for k := range top {
		if k != key {
			l.add(l.file, k, "is not a known key (only %q)", key)
		}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(top[key], &items); err != nil || len(items) == 0 {
		l.add(l.file, key, "must be a list of at least one entry")
		return
	}
	if len(items) > max {
		l.add(l.file, key, "must have at most %d entries", max)
		return
	}
	for i, it := range items {
		each(key+"["+strconv.Itoa(i)+"]", it)
	}
}

// decode decodes raw into v, refusing unknown fields; a problem is
// reported on at.
func (l *cityLoader) decode(at string, raw json.RawMessage, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		l.add(l.file, at, "%s", decodeProblem(err))
		return false
	}
	return true
}

// decodeProblem says what is wrong with a value encoding/json refused.
func decodeProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%s must be %s, not %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("must be %s, not %s", te.Type, te.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return msg
}

func (l *cityLoader) policy(raw json.RawMessage) risk.Policy {
	var p risk.Policy
	if !l.decode("", raw, &p) {
		return p
	}
	l.merge("", p.Validate())
	return p
}

// checklists reads samples.yaml and the checklists directory.
func (l *cityLoader) checklists(c *City) {
	ids := map[string]string{}
	keep := func(file string, cl inspection.Checklist) {
		if first, dup := ids[cl.ID]; dup {
			l.add(file, "id", "repeats the checklist %q of %s", cl.ID, first)
			return
		}
		ids[cl.ID] = file
		c.Checklists = append(c.Checklists, cl)
	}
	if raw, ok := l.read(CitySamplesFile, false); ok {
		file := l.file
		var s struct {
			Samples []string `json:"samples"`
		}
		if l.decode("", raw, &s) {
			have := inspection.SampleIDs()
			for i, id := range s.Samples {
				at := "samples[" + strconv.Itoa(i) + "]"
				if !slices.Contains(have, id) {
					l.add(file, at, "is not a sample of the library (%s)", strings.Join(have, ", "))
					continue
				}
				cl, err := inspection.Sample(id)
				if err != nil {
					l.add(file, at, "%s", hazard.ErrorMessage(err))
					continue
				}
				l.where["checklist:"+cl.ID] = file + ": " + at
				keep(file, cl)
			}
		}
	}
	entries, err := fs.ReadDir(l.fsys, CityChecklistsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		l.add(CityChecklistsDir, "", "cannot be read: %v", err)
		return
	}
	n := 0
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || !slices.Contains(cityExtensions, ext) {
			continue
		}
		if n++; n > MaxCityChecklists {
			l.add(CityChecklistsDir, "", "must hold at most %d checklists", MaxCityChecklists)
			return
		}
		name := path.Join(CityChecklistsDir, e.Name())
		raw, ok := l.readFile(name, inspection.MaxChecklistFileSize)
		if !ok {
			continue
		}
		cl, err := inspection.ParseJSON(bytes.NewReader(raw))
		if err != nil {
			l.file = name
			var he *hazard.Error
			if errors.As(err, &he) && he.Field == "file" && len(he.Fields) == 0 {
				l.add(name, "", "%s", he.Message)
				continue
			}
			l.merge("", err)
			// Its references are checked all the same.
			var broken inspection.Checklist
			if json.Unmarshal(raw, &broken) == nil {
				l.where["checklist:"+broken.ID] = name
				l.broken = append(l.broken, broken)
			}
			continue
		}
		l.where["checklist:"+cl.ID] = name
		keep(name, cl)
	}
}

// crossCheck reports the references between files that name nothing.
func (l *cityLoader) crossCheck(c *City) {
	depts := map[string]bool{}
	for i, d := range c.Departments {
		if depts[d.Code] && d.Code != "" {
			l.add(l.name(CityDepartmentsFile), "departments["+strconv.Itoa(i)+"].code", "repeats the code %q", d.Code)
		}
		depts[d.Code] = true
	}
	cats := map[string]bool{}
	for i, cat := range c.Categories {
		at := "categories[" + strconv.Itoa(i) + "]"
		if cats[cat.Code] && cat.Code != "" {
			l.add(l.name(CityCategoriesFile), at+".code", "repeats the code %q", cat.Code)
		}
		cats[cat.Code] = true
		if cat.Department != "" && len(c.Departments) > 0 && !depts[cat.Department] {
			l.add(l.name(CityCategoriesFile), at+".department", "names no department of %s: %q", l.name(CityDepartmentsFile), cat.Department)
		}
	}
	inds := map[string]bool{}
	checklists := map[string]bool{}
	for _, cl := range c.Checklists {
		checklists[cl.ID] = true
	}
	for i, ind := range c.Industries {
		at := "industries[" + strconv.Itoa(i) + "]"
		if inds[ind.Code] && ind.Code != "" {
			l.add(l.name(CityIndustriesFile), at+".code", "repeats the code %q", ind.Code)
		}
		inds[ind.Code] = true
		if ind.Department != "" && len(c.Departments) > 0 && !depts[ind.Department] {
			l.add(l.name(CityIndustriesFile), at+".department", "names no department of %s: %q", l.name(CityDepartmentsFile), ind.Department)
		}
		if ind.Checklist != "" && !checklists[ind.Checklist] {
			l.add(l.name(CityIndustriesFile), at+".checklist", "names no configured checklist: %q", ind.Checklist)
		}
	}
	for _, cl := range append(slices.Clip(c.Checklists), l.broken...) {
		file := l.where["checklist:"+cl.ID]
		if len(c.Departments) > 0 && !depts[cl.Department] {
			l.add(file, "department", "names no department of %s: %q", l.name(CityDepartmentsFile), cl.Department)
		}
		if len(c.Categories) > 0 && !cats[cl.Category] {
			l.add(file, "category", "names no category of %s: %q", l.name(CityCategoriesFile), cl.Category)
		}
		if len(c.Industries) > 0 && !inds[cl.Industry] {
			l.add(file, "industry", "names no industry of %s: %q", l.name(CityIndustriesFile), cl.Industry)
		}
	}
	// The hazard service's own check of the lists together.
	if len(c.Departments) > 0 && len(c.Categories) > 0 && len(l.problems) == 0 {
		reg, err := hazard.NewCategories(c.Categories...)
		if err == nil {
			_, err = hazard.NewService(hazard.ServiceConfig{Store: memstore.New(), Categories: reg, Departments: c.Departments})
		}
		if err != nil {
			l.file = l.name(CityCategoriesFile)
			l.merge("", err)
		}
	}
}

// name is the file name base was read from, or its YAML spelling.
func (l *cityLoader) name(base string) string {
	for _, ext := range cityExtensions {
		if _, err := fs.Stat(l.fsys, base+ext); err == nil {
			return base + ext
		}
	}
	return base + ".yaml"
}

// configUser is the user in whose name the city's checklists are
// published.
var configUser = hazard.User{ID: "system:config", Role: string(hazard.RoleAdmin)}

// loadCity reads the city's configuration: Config.CityDir, or the demo
// city's built in.
func (s *Server) loadCity() error {
	if s.cfg.CityDir == "" {
		s.city = DefaultCity()
		return nil
	}
	c, err := LoadCityDir(s.cfg.CityDir)
	if err != nil {
		return err
	}
	s.city = c
	return nil
}

// publishChecklists publishes each checklist of the city's configuration
// whose latest published version differs from it (or that has none), so
// that a restart publishes nothing new and an edited file a new version.
func (s *Server) publishChecklists(ctx context.Context) error {
	for _, c := range s.city.Checklists {
		latest, err := s.regs.insp.Checklist(ctx, configUser, c.ID, 0)
		if err != nil && !errors.Is(err, hazard.ErrNotFound) {
			return err
		}
		if err == nil && sameChecklist(&latest, &c) {
			continue
		}
		if _, err := s.regs.insp.PublishChecklist(ctx, configUser, c); err != nil {
			return fmt.Errorf("checklist %s: %w", c.ID, err)
		}
	}
	return nil
}

// sameChecklist reports whether a and b say the same, whatever their
// versions and publication.
func sameChecklist(a, b *inspection.Checklist) bool {
	return a.ID == b.ID && a.Title == b.Title && a.Industry == b.Industry && a.Department == b.Department &&
		a.Category == b.Category && a.Sample == b.Sample && slices.Equal(a.Items, b.Items)
}
