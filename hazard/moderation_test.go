package hazard_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/workflow"
)

// TestPublishPolicy: by default a citizen's report reaches the plaza once
// a dispatcher forwards it, never when rejected before; a staff finding
// from its submission; with PublishOnSubmit at once.
func TestPublishPolicy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	assert.Equal(t, hazard.PublishOnForward, f.svc.PublishPolicy())
	h := f.submit(t, citizen, fireReport())
	rejected := f.submit(t, otherCit, func() hazard.SubmitInput { in := fireReport(); in.Category = "gas"; return in }())
	finding := f.submit(t, inspector, func() hazard.SubmitInput {
		in := fireReport()
		in.Source, in.UnitID, in.Contact = hazard.SourceInspection, "acme-chem", hazard.Contact{}
		return in
	}())
	refs := func() []string {
		l, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{})
		require.NoError(t, err, "PublicList")
		out := []string{}
		for _, p := range l.Items {
			out = append(out, p.Ref)
		}
		return out
	}
	assert.Equal(t, []string{finding.Ref}, refs(), "the plaza before any dispatch")
	_, err := f.svc.PublicView(ctx, h.Ref)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "PublicView before dispatch")
	_, _, err = f.svc.PublicHistory(ctx, h.Ref)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "PublicHistory before dispatch")

	f.act(t, dispatcher, rejected, "reject", hazard.ActInput{Note: "not a hazard"})
	f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	assert.Equal(t, []string{finding.Ref, h.Ref}, refs(), "the plaza after dispatching one and rejecting the other")

	g := newFixture(t, publishOnSubmit)
	a := g.submit(t, citizen, fireReport())
	_, err = g.svc.PublicView(ctx, a.Ref)
	assert.NoError(t, err, "PublicView with PublishOnSubmit")
}

// TestPublicListFillsPages: unpublished reports do not shorten the pages
// of the plaza while they fit in MaxPublicListReads reads, and Next walks
// on without repeating or skipping.
func TestPublicListFillsPages(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var want []string
	for i := range 9 {
		h := f.submit(t, citizen, fireReport())
		if i%3 == 0 {
			f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
			want = append([]string{h.Ref}, want...)
		}
	}
	var got []string
	p := hazard.Page{Limit: 2}
	for range 10 {
		l, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, p)
		require.NoError(t, err, "PublicList")
		if l.Next != "" {
			assert.Len(t, l.Items, 2, "a page before the last")
		}
		for _, it := range l.Items {
			got = append(got, it.Ref)
		}
		if l.Next == "" {
			break
		}
		p.Cursor = l.Next
	}
	assert.Equal(t, want, got, "the published reports, newest first")
}

// TestHoldPatterns: a report whose text matches a hold pattern is held
// (an EventHeld) and stays off the plaza, even forwarded, until a
// moderator releases it; the queue lists it; a release of a report not
// held is a conflict.
func TestHoldPatterns(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, text := range []string{"老板电话13912345678", "身份证110101199003071234", "这个傻逼老板", "clean text, call 010-1234"} {
		_, held := f.svc.HoldMatch(text)
		assert.Equal(t, text != "clean text, call 010-1234", held, "HoldMatch(%q)", text)
	}
	in := fireReport()
	in.Description = "出口堵了，老板电话13912345678"
	h := f.submit(t, citizen, in)
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	_, err := f.svc.PublicView(ctx, h.Ref)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "a held report on the plaza")
	q, err := f.svc.HeldQueue(ctx, reviewer, 0)
	require.NoError(t, err, "HeldQueue")
	require.Len(t, q, 1)
	assert.Equal(t, h.ID, q[0].Hazard.ID)
	assert.True(t, q[0].Held)
	_, err = f.svc.HeldQueue(ctx, dispatcher, 0)
	assert.ErrorIs(t, err, hazard.ErrForbidden, "HeldQueue of a dispatcher")

	v, err := f.svc.Moderate(ctx, reviewer, h.ID, hazard.ModerateInput{Action: hazard.ModEdit, Reason: "a phone number",
		Description: "出口堵了。"})
	require.NoError(t, err, "edit")
	v, err = f.svc.Moderate(ctx, reviewer, h.ID, hazard.ModerateInput{Action: hazard.ModRelease, Reason: "checked", ExpectedVersion: v.Moderation.Version})
	require.NoError(t, err, "release")
	assert.False(t, v.Held)
	assert.True(t, v.Published)
	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err, "PublicView after release")
	assert.Equal(t, "出口堵了。", p.Description)
	assert.NotContains(t, p.Description, "13912345678")
	_, err = f.svc.Moderate(ctx, reviewer, h.ID, hazard.ModerateInput{Action: hazard.ModRelease, Reason: "again", ExpectedVersion: v.Moderation.Version})
	assert.ErrorIs(t, err, hazard.ErrConflict, "release of a released report")

	g := newFixture(t, func(c *hazard.ServiceConfig) { c.Moderation.HoldPatterns = []string{} })
	_, held := g.svc.HoldMatch("13912345678")
	assert.False(t, held, "an empty list holds nothing")
}

// TestHoldMatchNamesThePattern: HoldMatch names the first pattern that
// matches, each pattern's flags stay its own (a case-insensitive pattern
// does not make another one so), and anchors keep their meaning.
func TestHoldMatchNamesThePattern(t *testing.T) {
	f := newFixture(t, func(c *hazard.ServiceConfig) {
		c.Moderation.HoldPatterns = []string{`^abc$`, `(?i)xyz`, `abc`, `(^|[^0-9])110([^0-9]|$)`}
	})
	for text, want := range map[string]int{
		"abc": 0, "XyZ": 1, "the abc": 2, "call 110 now": 3, "ABC": -1, "1101": -1, "": -1,
	} {
		i, held := f.svc.HoldMatch(text)
		if want < 0 {
			assert.False(t, held, "HoldMatch(%q)", text)
			continue
		}
		assert.True(t, held, "HoldMatch(%q)", text)
		assert.Equal(t, want, i, "HoldMatch(%q)", text)
	}
}

// TestModerationConfig: invalid settings are refused, naming the field.
func TestModerationConfig(t *testing.T) {
	for name, c := range map[string]struct {
		cfg   hazard.ModerationConfig
		field string
	}{
		"policy":       {hazard.ModerationConfig{Publish: "never"}, "moderation.publish"},
		"pattern":      {hazard.ModerationConfig{HoldPatterns: []string{"("}}, "moderation.hold_patterns[0]"},
		"empty":        {hazard.ModerationConfig{HoldPatterns: []string{""}}, "moderation.hold_patterns[0]"},
		"long":         {hazard.ModerationConfig{HoldPatterns: []string{"a", strings.Repeat("b", hazard.MaxHoldPatternLen+1)}}, "moderation.hold_patterns[1]"},
		"citizen role": {hazard.ModerationConfig{Moderators: []workflow.Role{hazard.RoleReporter}}, "moderation.moderators[0]"},
	} {
		_, err := hazard.NewService(hazard.ServiceConfig{Store: newFixture(t).store, Moderation: c.cfg})
		require.ErrorIs(t, err, hazard.ErrInvalid, name)
		var e *hazard.Error
		require.ErrorAs(t, err, &e)
		fields := []string{}
		for _, p := range e.Fields {
			fields = append(fields, p.Field)
		}
		assert.Contains(t, fields, c.field, name)
	}
	many := make([]string, hazard.MaxHoldPatterns+1)
	for i := range many {
		many[i] = "x"
	}
	_, err := hazard.NewService(hazard.ServiceConfig{Store: newFixture(t).store, Moderation: hazard.ModerationConfig{HoldPatterns: many}})
	assert.ErrorIs(t, err, hazard.ErrInvalid, "more than MaxHoldPatterns")
}

// TestModerate: who may moderate, the rules of each action, the event of
// each, and what the public and staff see after.
func TestModerate(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"})
	photoKey := h.Photos[0].SHA256
	mod := func(u hazard.User, in hazard.ModerateInput) (hazard.ModerationView, error) {
		return f.svc.Moderate(ctx, u, h.ID, in)
	}
	for _, u := range []hazard.User{dispatcher, fireDept, citizen, enterprise, inspector} {
		_, err := mod(u, hazard.ModerateInput{Action: hazard.ModHide, Reason: "x"})
		assert.ErrorIs(t, err, hazard.ErrForbidden, "Moderate by %s", u.Role)
	}
	_, err := mod(hazard.User{}, hazard.ModerateInput{Action: hazard.ModHide, Reason: "x"})
	assert.ErrorIs(t, err, hazard.ErrUnauthenticated)
	for name, in := range map[string]hazard.ModerateInput{
		"no reason":       {Action: hazard.ModHide},
		"unknown action":  {Action: "burn", Reason: "x"},
		"redact directly": {Action: hazard.ModRedactPhoto, Reason: "x", Photo: photoKey},
		"bad photo key":   {Action: hazard.ModHidePhoto, Reason: "x", Photo: "nope"},
		"foreign photo":   {Action: hazard.ModHidePhoto, Reason: "x", Photo: photo("elsewhere").SHA256},
		"long text":       {Action: hazard.ModEdit, Reason: "x", Description: string(make([]rune, hazard.MaxDescriptionLen+1))},
	} {
		_, err := mod(admin, in)
		assert.ErrorIs(t, err, hazard.ErrInvalid, name)
	}

	v, err := mod(admin, hazard.ModerateInput{Action: hazard.ModHide, Reason: "names a business wrongly"})
	require.NoError(t, err, "hide")
	assert.False(t, v.Published)
	_, err = f.svc.PublicView(ctx, h.Ref)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "a hidden report on the plaza")
	_, err = mod(admin, hazard.ModerateInput{Action: hazard.ModShow, Reason: "stale"})
	assert.ErrorIs(t, err, hazard.ErrConflict, "a moderation of a stale version")
	v, err = mod(reviewer, hazard.ModerateInput{Action: hazard.ModShow, Reason: "checked", ExpectedVersion: v.Moderation.Version})
	require.NoError(t, err, "show")
	v, err = mod(reviewer, hazard.ModerateInput{Action: hazard.ModHidePhoto, Photo: photoKey, Reason: "a face", ExpectedVersion: v.Moderation.Version})
	require.NoError(t, err, "hide photo")
	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	assert.Empty(t, p.Photos, "the hidden photo on the plaza")
	sv, err := f.svc.StaffView(ctx, dispatcher, h.ID)
	require.NoError(t, err)
	assert.Equal(t, photoKey, sv.Hazard.Photos[0].SHA256, "staff keep the original")
	v, err = mod(reviewer, hazard.ModerateInput{Action: hazard.ModShowPhoto, Photo: photoKey, Reason: "fine", ExpectedVersion: v.Moderation.Version})
	require.NoError(t, err, "show photo")
	assert.Empty(t, v.Moderation.Photos)

	// Every moderation is an event with who, when and why, off the public timeline.
	var mods []hazard.Event
	for _, e := range f.events(t, h.ID) {
		if e.Type == hazard.EventModerated {
			mods = append(mods, e)
		}
	}
	require.Len(t, mods, 4)
	assert.Equal(t, admin.ID, mods[0].Actor.ID)
	assert.Equal(t, "names a business wrongly", mods[0].PrivateNote)
	assert.Equal(t, string(hazard.ModHide), mods[0].Data[hazard.DataModeration])
	assert.Equal(t, f.clock.Now(), mods[0].Time)
	p, err = f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	for _, e := range p.Timeline {
		assert.NotEqual(t, hazard.EventModerated, e.Type, "a moderation on the public timeline")
	}
	_, err = f.svc.ModerationViewByRef(ctx, reviewer, "LC-19700101-000000")
	assert.ErrorIs(t, err, hazard.ErrNotFound)
	_, err = f.svc.ModerationView(ctx, dispatcher, h.ID)
	assert.ErrorIs(t, err, hazard.ErrForbidden)
	byID, err := f.svc.ModerationView(ctx, reviewer, h.ID)
	require.NoError(t, err)
	mv, err := f.svc.ModerationViewByRef(ctx, reviewer, h.Ref)
	require.NoError(t, err)
	assert.Len(t, mv.Events, 4)
	assert.Equal(t, []string{photoKey}, mv.Photos)
	assert.Equal(t, byID.Moderation, mv.Moderation)
}

// TestClosedInvalidWithheld: a report closed as invalid shows on the
// plaza only with its moderated text and the reason: with the default
// policy a finding dismissed, with PublishOnSubmit a report rejected.
func TestClosedInvalidWithheld(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, publishOnSubmit)
	h := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "reject", hazard.ActInput{Note: "no hazard at the address"})
	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	assert.True(t, p.Withheld)
	assert.Empty(t, p.Description, "the reporter's text of an invalid report")
	assert.Empty(t, p.Photos)
	assert.Equal(t, "no hazard at the address", p.Reason)
	_, err = f.svc.Moderate(ctx, reviewer, h.ID, hazard.ModerateInput{Action: hazard.ModEdit, Reason: "public summary", Description: "经核查不属实。"})
	require.NoError(t, err)
	p, err = f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	assert.Equal(t, "经核查不属实。", p.Description)

	g := newFixture(t)
	in := fireReport()
	in.Source, in.UnitID, in.Contact = hazard.SourceInspection, "acme-chem", hazard.Contact{}
	finding := g.submit(t, inspector, in)
	g.act(t, inspector, finding, "dismiss", hazard.ActInput{Note: "not a hazard"})
	p, err = g.svc.PublicView(ctx, finding.Ref)
	require.NoError(t, err, "a dismissed finding under the default policy")
	assert.True(t, p.Withheld)
	assert.Empty(t, p.Description)
	assert.Equal(t, "not a hazard", p.Reason)
}

// TestRedact: a moderator's redaction blacks out or blurs a region of the
// public copy, stored as its own blob; the public gets it, staff and the
// reporter the original; a WebP photo cannot be redacted.
func TestRedact(t *testing.T) {
	ctx := context.Background()
	f := newPhotos(t, 0)
	img := image.NewRGBA(image.Rect(0, 0, 100, 50))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	orig := buf.Bytes()
	u := f.upload(t, citizen, orig)
	in := fireReport()
	in.Photos = nil
	h, err := f.photos.Submit(ctx, citizen, in, []string{u.Key}, "")
	require.NoError(t, err)
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	redact := func(u hazard.User, in hazard.RedactInput) (hazard.ModerationView, error) {
		return f.photos.Redact(ctx, u, h.ID, in)
	}
	_, err = redact(dispatcher, hazard.RedactInput{Photo: u.Key, Region: hazard.Region{W: 500, H: 1000}, Style: hazard.RedactBlack, Reason: "a face"})
	assert.ErrorIs(t, err, hazard.ErrForbidden, "Redact by a dispatcher")
	for name, bad := range map[string]hazard.RedactInput{
		"outside": {Photo: u.Key, Region: hazard.Region{X: 600, W: 500, H: 10}, Style: hazard.RedactBlack, Reason: "x"},
		"empty":   {Photo: u.Key, Region: hazard.Region{W: 0, H: 10}, Style: hazard.RedactBlack, Reason: "x"},
		"style":   {Photo: u.Key, Region: hazard.Region{W: 10, H: 10}, Style: "pink", Reason: "x"},
		"reason":  {Photo: u.Key, Region: hazard.Region{W: 10, H: 10}, Style: hazard.RedactBlack},
		"foreign": {Photo: photo("x").SHA256, Region: hazard.Region{W: 10, H: 10}, Style: hazard.RedactBlack, Reason: "x"},
	} {
		_, err := redact(admin, bad)
		assert.ErrorIs(t, err, hazard.ErrInvalid, name)
	}
	v, err := redact(admin, hazard.RedactInput{Photo: u.Key, Region: hazard.Region{W: 500, H: 1000}, Style: hazard.RedactBlack, Reason: "a face"})
	require.NoError(t, err, "Redact")
	pm, ok := v.Moderation.Photo(u.Key)
	require.True(t, ok)
	read := func(who hazard.User) (image.Image, hazard.PhotoCopy) {
		t.Helper()
		rc, pc, err := f.photos.Open(ctx, who, u.Key)
		require.NoError(t, err, "Open by %q", who.ID)
		defer rc.Close()
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		im, err := png.Decode(bytes.NewReader(b))
		require.NoError(t, err)
		return im, pc
	}
	pub, pc := read(hazard.User{})
	assert.False(t, pc.Original)
	assert.Equal(t, color.RGBA{0, 0, 0, 255}, color.RGBAModel.Convert(pub.At(10, 10)), "inside the region")
	assert.Equal(t, color.RGBA{200, 200, 200, 200}, color.RGBAModel.Convert(pub.At(90, 10)), "outside the region")
	staff, pc := read(dispatcher)
	assert.True(t, pc.Original)
	assert.Equal(t, color.RGBA{200, 200, 200, 200}, color.RGBAModel.Convert(staff.At(10, 10)), "staff see the original")
	redacted, err := f.blob(t, pm.Redacted)
	require.NoError(t, err, "the redacted copy is a blob of its own")
	assert.NotEqual(t, orig, redacted)

	// Blurring on top keeps the black region and blurs the other half.
	v, err = redact(admin, hazard.RedactInput{Photo: u.Key, Region: hazard.Region{X: 500, W: 500, H: 1000}, Style: hazard.RedactBlur, Reason: "a plate",
		ExpectedVersion: v.Moderation.Version})
	require.NoError(t, err, "Redact blur")
	pub, _ = read(hazard.User{})
	assert.Equal(t, color.RGBA{0, 0, 0, 255}, color.RGBAModel.Convert(pub.At(10, 10)), "the earlier redaction stays")

	webp := f.upload(t, citizen, hazardtest.WebPWithEXIF(true))
	in = fireReport()
	in.Photos = nil
	h2, err := f.photos.Submit(ctx, citizen, in, []string{webp.Key}, "")
	require.NoError(t, err)
	_, err = f.photos.Redact(ctx, admin, h2.ID, hazard.RedactInput{Photo: webp.Key, Region: hazard.Region{W: 10, H: 10}, Style: hazard.RedactBlack, Reason: "x"})
	assert.ErrorIs(t, err, hazard.ErrInvalid, "Redact of a WebP photo")
}

// TestPublicUpdatesFollowPublication: the feed of public steps leaves out
// the hazards the public may not see now and the photos a moderator hid.
func TestPublicUpdatesFollowPublication(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.submit(t, citizen, fireReport())
	f.submit(t, otherCit, fireReport()) // never forwarded
	a = f.act(t, dispatcher, a, "dispatch", hazard.ActInput{Department: "fire"})
	a = f.act(t, fireDept, a, "accept", hazard.ActInput{})
	fix := photo("fix")
	f.act(t, fireDept, a, "resolve", hazard.ActInput{Note: "cleared", Photos: []hazard.Photo{fix}})
	all, err := f.svc.PublicUpdates(ctx, hazard.UpdatesQuery{Since: t0, Until: t0.Add(time.Hour)})
	require.NoError(t, err)
	require.Len(t, all, 4, "the forwarded report's steps only")
	for _, s := range all {
		assert.Equal(t, a.Ref, s.Ref)
	}
	assert.Equal(t, []string{fix.SHA256}, all[3].Photos)
	_, err = f.svc.Moderate(ctx, reviewer, a.ID, hazard.ModerateInput{Action: hazard.ModHidePhoto, Photo: fix.SHA256, Reason: "a face"})
	require.NoError(t, err)
	all, err = f.svc.PublicUpdates(ctx, hazard.UpdatesQuery{Since: t0, Until: t0.Add(time.Hour)})
	require.NoError(t, err)
	require.Len(t, all, 4, "a moderation is no public step")
	assert.Empty(t, all[3].Photos, "a hidden photo in the feed")
	_, err = f.svc.Moderate(ctx, reviewer, a.ID, hazard.ModerateInput{Action: hazard.ModHide, Reason: "x", ExpectedVersion: 1})
	require.NoError(t, err)
	all, err = f.svc.PublicUpdates(ctx, hazard.UpdatesQuery{Since: t0, Until: t0.Add(time.Hour)})
	require.NoError(t, err)
	assert.Empty(t, all, "a hidden report's steps")
}

// TestPublicListReadsAtMost: a page of the plaza reads at most
// MaxPublicListReads pages of the store; a run of unpublished reports
// longer than that gives a short page whose Next goes on.
func TestPublicListReadsAtMost(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	old := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"})
	for range hazard.MaxPublicListReads + 1 {
		f.submit(t, otherCit, fireReport())
	}
	l, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{Limit: 1})
	require.NoError(t, err)
	assert.Empty(t, l.Items, "a page after MaxPublicListReads reads of unpublished reports")
	require.NotEmpty(t, l.Next)
	l, err = f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{Limit: 1, Cursor: l.Next})
	require.NoError(t, err)
	require.Len(t, l.Items, 1, "the next page goes on")
	assert.Equal(t, old.Ref, l.Items[0].Ref)
}

// TestRedactTooLarge: a photo of more than MaxRedactPixels is not decoded.
func TestRedactTooLarge(t *testing.T) {
	ctx := context.Background()
	f := newPhotos(t, 0)
	// A 1×1 PNG whose header claims 8000 × (MaxRedactPixels/8000+1)
	// pixels: the size is read from the header, before any pixel.
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))))
	b := buf.Bytes()
	ihdr := b[8+8 : 8+8+13] // after the signature, the chunk's length and type
	binary.BigEndian.PutUint32(ihdr[0:4], 8000)
	binary.BigEndian.PutUint32(ihdr[4:8], hazard.MaxRedactPixels/8000+1)
	binary.BigEndian.PutUint32(b[8+8+13:], crc32.ChecksumIEEE(b[8+4:8+8+13]))
	info, err := f.blobs.Put(ctx, bytes.NewReader(b), hazard.TypePNG)
	require.NoError(t, err)
	in := fireReport()
	in.Photos = []hazard.Photo{{SHA256: info.Key, ContentType: info.ContentType, Size: info.Size}}
	h := f.submit(t, citizen, in)
	_, err = f.photos.Redact(ctx, admin, h.ID, hazard.RedactInput{Photo: info.Key, Region: hazard.Region{W: 10, H: 10}, Style: hazard.RedactBlack, Reason: "x"})
	require.ErrorIs(t, err, hazard.ErrInvalid, "Redact of a photo larger than MaxRedactPixels")
	assert.ErrorIs(t, err, hazard.ErrRedactTooLarge, "refused for its size")
}
