package reward

import "github.com/hazardloop/hazardloop/hazard"

// National is the national rule for reports in work safety, version 1.
//
// Source: 《安全生产领域举报奖励办法》 (安监总财〔2018〕19号), articles on
// major hazards and illegal production: a verified report by a real-name
// reporter earns 15% of the administrative fine, at least ¥3,000 and at
// most ¥300,000; only the first accepted real-name reporter of a matter is
// rewarded (a report by the public: hazards found by inspections or a
// unit's own checks are not 举报); staff with supervision duties for the
// matter are not; the
// reward is collected within 60 days of the notice or deemed given up. The
// rule's awards for concealed accidents (per concealed death) are not
// modelled: they need facts a hazard report does not carry.
//
// Worked examples (tested): a fine of ¥10,000 gives 15% = ¥1,500, raised to
// the ¥3,000 minimum; a fine of ¥100,000 gives ¥15,000; a fine of
// ¥5,000,000 gives ¥750,000, capped at ¥300,000; a general hazard gives
// nothing.
func National() Policy {
	return Policy{
		Name:    "national",
		Version: 1,
		Title:   Text{ZH: "安全生产领域举报奖励", EN: "National work-safety reporting reward"},
		Source:  "安全生产领域举报奖励办法 (安监总财〔2018〕19号)",
		Rules: []Rule{
			ClosedValid(), CitizenReport(), RealName(), FirstReporter(), NotOwnDepartment(), MajorOnly(),
			FineShare{Name: "national_fine_share", Severity: hazard.SeverityMajor, Rate: 1500, Min: Yuan(3_000), Max: Yuan(300_000)},
		},
		Window: NationalWindow(),
	}
}

// Shandong is Shandong province's reward rule of 2019, version 1: a general
// hazard earns ¥500 to ¥5,000 (¥500, plus what the reviewer grants, within
// the bounds); a major hazard or illegal act earns 50% of the fine, at
// least ¥5,000 and at most ¥500,000. Eligibility (citizens' reports only)
// and the 60-day window follow the national rule.
//
// Source: 山东省安全生产领域举报奖励办法 (2019), as summarised in the
// project's domain reference.
//
// Worked examples (tested): a general hazard with no bonus gives ¥500; with
// a ¥6,000 bonus it gives ¥5,000 (the maximum); a major hazard fined
// ¥4,000 gives 50% = ¥2,000, raised to ¥5,000; fined ¥2,000,000 it gives
// ¥1,000,000, capped at ¥500,000.
func Shandong() Policy {
	return Policy{
		Name:    "shandong",
		Version: 1,
		Title:   Text{ZH: "山东省安全生产举报奖励", EN: "Shandong work-safety reporting reward"},
		Source:  "山东省安全生产领域举报奖励办法 (2019)",
		Rules: []Rule{
			ClosedValid(), CitizenReport(), RealName(), FirstReporter(), NotOwnDepartment(),
			Table{Name: "shandong_general", Default: map[hazard.Severity]Fen{hazard.SeverityGeneral: Yuan(500)}},
			FineShare{Name: "shandong_fine_share", Severity: hazard.SeverityMajor, Rate: 5000, Min: Yuan(5_000), Max: Yuan(500_000)},
			Bonus{Name: "reviewer_bonus", Max: Yuan(4_500)},
			Bounds{Name: "shandong_general_bounds", Severity: hazard.SeverityGeneral, Min: Yuan(500), Max: Yuan(5_000)},
			Bounds{Name: "shandong_major_bounds", Severity: hazard.SeverityMajor, Min: Yuan(5_000), Max: Yuan(500_000)},
		},
		Window: NationalWindow(),
	}
}

// CityProgramme is a city's snap-and-report (随手拍) programme, version 1:
// small fixed red envelopes per verified item, tiered by grade, to the
// first real-name citizen reporter only, with daily and monthly caps, a
// monthly budget and a claim window of 7 working days.
//
// Source: the city schemes summarised in the project's domain reference
// ("¥10 to ¥500, tiered by grade ... daily and monthly caps, a short claim
// window (7 working days in one city), real-name ... binding before
// payout"). The figures below are a reasonable default within that range,
// not one city's published table: a city sets its own by copying this
// policy and changing it under a new version.
//
//   - general hazard ¥20 (category "other" ¥10); fire, gas and hazardous
//     chemicals ¥50;
//   - major hazard ¥200; fire, gas and hazardous chemicals ¥500;
//   - a reviewer's bonus of at most ¥100, the total at most ¥500;
//   - per reporter at most 3 rewards and ¥1,000 a day, 10 rewards and
//     ¥3,000 a month; a budget of ¥100,000 a month;
//   - 7 working days to claim (holidays: pass them to CityWindow and set
//     Window).
func CityProgramme() Policy {
	g, m := hazard.SeverityGeneral, hazard.SeverityMajor
	high := map[hazard.Severity]Fen{g: Yuan(50), m: Yuan(500)}
	return Policy{
		Name:    "city",
		Version: 1,
		Title:   Text{ZH: "随手拍隐患举报奖励", EN: "Snap-and-report hazard reward"},
		Source:  "city snap-and-report schemes (domain reference: ¥10–¥500 tiered, caps, 7 working days)",
		Rules: []Rule{
			ClosedValid(), CitizenReport(), RealName(), FirstReporter(), NotOwnDepartment(),
			Table{
				Name:    "city_table",
				Default: map[hazard.Severity]Fen{g: Yuan(20), m: Yuan(200)},
				Categories: map[string]map[hazard.Severity]Fen{
					"fire": high, "gas": high, "hazardous_chemicals": high,
					"other": {g: Yuan(10), m: Yuan(200)},
				},
			},
			Bonus{Name: "reviewer_bonus", Max: Yuan(100)},
			Bounds{Name: "city_max", Max: Yuan(500)},
		},
		Window: CityWindow(nil, nil),
		Caps: Caps{
			DayCount: 3, DayAmount: Yuan(1_000),
			MonthCount: 10, MonthAmount: Yuan(3_000),
			Budget: Yuan(100_000), BudgetPeriod: PeriodMonth,
		},
	}
}
