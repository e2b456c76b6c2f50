package hazard_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func TestTextPolicyRefusesDeceptiveCharacters(t *testing.T) {
	for _, r := range []rune{'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069',
		'\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'} {
		s := "出口" + string(r) + "堵塞"
		assert.True(t, hazard.Deceptive(r), "Deceptive(%U)", r)
		for _, check := range []func(*hazard.Problems, string, string, int, int){hazard.CheckText, hazard.CheckLine} {
			var p hazard.Problems
			check(&p, "f", s, 0, 100)
			err := p.Err("test")
			require.ErrorIs(t, err, hazard.ErrInvalid, "check(%q)", s)
			assert.Equal(t, []string{"f"}, fields(t, err), "check(%q)", s)
		}
	}
	for _, r := range []rune{'a', '危', '\u200e', '\u00a0', '🔥'} {
		assert.False(t, hazard.Deceptive(r), "Deceptive(%U)", r)
	}
}

func TestCheckLineRefusesLineBreaks(t *testing.T) {
	tests := []struct {
		name string
		s    string
		ok   bool
	}{
		{"one line", "朝阳区 建国路", true},
		{"newline", "a\nb", false},
		{"tab", "a\tb", false},
		{"carriage return", "a\rb", false},
		{"line separator", "a\u2028b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p hazard.Problems
			hazard.CheckLine(&p, "unit", tt.s, 0, 100)
			err := p.Err("test")
			if tt.ok {
				require.NoError(t, err, "CheckLine(%q)", tt.s)
				return
			}
			require.ErrorIs(t, err, hazard.ErrInvalid, "CheckLine(%q)", tt.s)
			assert.Equal(t, []string{"unit"}, fields(t, err))
		})
	}
}

func TestCheckPhone(t *testing.T) {
	tests := []struct {
		s  string
		ok bool
	}{
		{"", true},
		{"13800138000", true},
		{"+86 13800138000", true},
		{"86-19912345678", true},
		{"010-12345678", true},
		{"01012345678", true},
		{"0755-1234567", true},
		{"0755-12345678-123", true},
		{"12800138000", false},   // no mobile prefix 12
		{"1380013800", false},    // 10 digits
		{"138001380001", false},  // 12 digits
		{"12345678", false},      // landline without area code
		{"call me maybe", false}, // not a number
		{"1380013800０", false},   // a full-width digit
		{"13800138000\n", false},
		{"+1 415 555 0100", false},
	}
	for _, tt := range tests {
		var p hazard.Problems
		hazard.CheckPhone(&p, "contact.phone", tt.s)
		err := p.Err("test")
		if tt.ok {
			assert.NoError(t, err, "CheckPhone(%q)", tt.s)
			continue
		}
		if assert.ErrorIs(t, err, hazard.ErrInvalid, "CheckPhone(%q)", tt.s) {
			assert.Equal(t, []string{"contact.phone"}, fields(t, err))
		}
	}
}

// TestSubmitAppliesTheTextPolicy checks that the use case, which every
// entry point calls, refuses what the policy refuses, naming each field.
func TestSubmitAppliesTheTextPolicy(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(in *hazard.SubmitInput)
		field string
	}{
		{"override in description", func(in *hazard.SubmitInput) { in.Description = "exit \u202egnikcolb" }, "description"},
		{"zero width in address", func(in *hazard.SubmitInput) { in.Location.Address = "建国\u200b路88号" }, "address"},
		{"line break in address", func(in *hazard.SubmitInput) { in.Location.Address = "建国路\n88号" }, "address"},
		{"line break in unit", func(in *hazard.SubmitInput) { in.Unit = "某某\n公司" }, "unit"},
		{"isolate in unit", func(in *hazard.SubmitInput) { in.Unit = "某某\u2067公司" }, "unit"},
		{"line break in name", func(in *hazard.SubmitInput) { in.Contact.Name = "王\n小明" }, "contact.name"},
		{"not a phone", func(in *hazard.SubmitInput) { in.Contact.Phone = "call me" }, "contact.phone"},
		{"invalid UTF-8", func(in *hazard.SubmitInput) { in.Description = "a\xffb" }, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			in := fireReport()
			tt.edit(&in)
			_, err := f.svc.Submit(context.Background(), citizen, in, "")
			require.ErrorIs(t, err, hazard.ErrInvalid)
			assert.Equal(t, []string{tt.field}, fields(t, err))
		})
	}
}

func TestActAppliesTheTextPolicy(t *testing.T) {
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	_, err := f.svc.Act(context.Background(), citizen, h.ID, "withdraw", hazard.ActInput{ExpectedVersion: h.Version, Note: "\u202eetadpu"})
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, []string{"note"}, fields(t, err))
}
