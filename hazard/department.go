package hazard

// MaxDepartmentNameLen is the longest name of a department, in runes.
const MaxDepartmentNameLen = 100

// Validate reports every problem with d as one CodeInvalid error: a code
// like a category's (lower-case letters, digits and underscores, starting
// with a letter, at most MaxCategoryCodeLen bytes) and both names, each at
// most MaxDepartmentNameLen runes.
func (d Department) Validate() error {
	var p Problems
	if !codePattern.MatchString(d.Code) || len(d.Code) > MaxCategoryCodeLen {
		p.Add("code", "must be 1 to %d lower-case letters, digits or underscores, starting with a letter", MaxCategoryCodeLen)
	}
	CheckLine(&p, "name_zh", d.NameZH, 1, MaxDepartmentNameLen)
	CheckLine(&p, "name_en", d.NameEN, 1, MaxDepartmentNameLen)
	return p.Err("department")
}
