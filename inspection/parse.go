package inspection

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxChecklistFileSize is the largest checklist file ParseJSON and ParseCSV
// read, in bytes.
const MaxChecklistFileSize = 1 << 20

// CSVHeader is the header row a checklist CSV file starts with; the columns
// may come in any order, and each is required.
var CSVHeader = []string{"code", "text", "standard", "article", "criterion", "deadline_days"}

// ParseJSON reads one checklist from a JSON object with the fields of
// Checklist (unknown fields are refused) and validates it. Every problem is
// reported at once in one CodeInvalid error, each on its field
// ("items[2].code"); a file that is not JSON is CodeInvalid on "file".
func ParseJSON(r io.Reader) (Checklist, error) {
	const op = "parse checklist"
	data, err := readFile(op, r)
	if err != nil {
		return Checklist{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Checklist
	if err := dec.Decode(&c); err != nil {
		return Checklist{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "file", Message: "is not a checklist in JSON: " + err.Error()}
	}
	if dec.More() {
		return Checklist{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "file", Message: "holds more than one checklist"}
	}
	c.Version, c.PublishedAt, c.PublishedBy = 0, c.PublishedAt.UTC(), ""
	normalize(&c)
	var p hazard.Problems
	c.check(&p, func(i int) string { return "items[" + strconv.Itoa(i) + "]" })
	if err := p.Err(op); err != nil {
		return Checklist{}, err
	}
	return c, nil
}

// ParseCSV reads the items of a checklist from a CSV file (UTF-8, an
// optional byte order mark, a header row of CSVHeader's columns, one item a
// row) into a copy of meta, which gives the checklist's ID, title,
// industry, department, category and Sample. Every problem is reported at
// once in one CodeInvalid error, each on its line and column
// ("line[3].code", line 1 being the header); a missing column is on
// "header".
func ParseCSV(r io.Reader, meta Checklist) (Checklist, error) {
	const op = "parse checklist"
	data, err := readFile(op, r)
	if err != nil {
		return Checklist{}, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return Checklist{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "file", Message: "is not CSV: " + err.Error()}
	}
	var p hazard.Problems
	if len(rows) == 0 {
		p.Add("header", "is missing")
		return Checklist{}, p.Err(op)
	}
	col := make(map[string]int)
	for i, h := range rows[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, h := range CSVHeader {
		if _, ok := col[h]; !ok {
			p.Add("header", "has no column %q", h)
		}
	}
	if err := p.Err(op); err != nil {
		return Checklist{}, err
	}
	c := meta.Clone()
	c.Items, c.Version, c.PublishedBy = nil, 0, ""
	where := func(i int) string { return "line[" + strconv.Itoa(i+2) + "]" }
	for n, row := range rows[1:] {
		get := func(name string) string {
			if i := col[name]; i < len(row) {
				return row[i]
			}
			return ""
		}
		it := Item{Code: get("code"), Text: get("text"), Basis: Basis{Standard: get("standard"), Article: get("article")}, Criterion: get("criterion")}
		if d := strings.TrimSpace(get("deadline_days")); d != "" {
			v, err := strconv.Atoi(d)
			if err != nil {
				p.Add(where(n)+".deadline_days", "must be a whole number of days")
				v = 1 // reported; do not report it twice
			}
			it.DeadlineDays = v
		}
		c.Items = append(c.Items, it)
	}
	normalize(&c)
	c.check(&p, where)
	if err := p.Err(op); err != nil {
		return Checklist{}, err
	}
	return c, nil
}

func readFile(op string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxChecklistFileSize+1))
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	if len(data) > MaxChecklistFileSize {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "file", Message: "must be at most " + strconv.Itoa(MaxChecklistFileSize) + " bytes"}
	}
	return data, nil
}

// normalize trims the text of c and its items.
func normalize(c *Checklist) {
	n := hazard.NormalizeText
	c.ID, c.Title, c.Industry, c.Department, c.Category = n(c.ID), n(c.Title), n(c.Industry), n(c.Department), n(c.Category)
	for i := range c.Items {
		it := &c.Items[i]
		it.Code, it.Text, it.Criterion = n(it.Code), n(it.Text), n(it.Criterion)
		it.Basis.Standard, it.Basis.Article = n(it.Basis.Standard), n(it.Basis.Article)
	}
}

var errNoSample = errors.New("no such sample")
