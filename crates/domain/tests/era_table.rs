//! Table tests for `keikaku_domain::era`: dates, eras, fiscal years, formatting and parsing.
#![allow(clippy::unwrap_used)]

use keikaku_domain::era::{
    CivilDate, Era, EraError, EraYear, FiscalYear, YearStyle, format_date, parse_date,
};

fn d(y: i32, m: u8, day: u8) -> CivilDate {
    CivilDate::new(y, m, day).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

const STYLES: [YearStyle; 3] = [
    YearStyle::Wareki,
    YearStyle::WarekiWithWestern,
    YearStyle::Western,
];

#[test]
fn civil_date_validation() {
    let ok = [
        (2024, 2, 29),
        (2000, 2, 29),
        (2023, 2, 28),
        (2025, 1, 31),
        (2025, 4, 30),
        (2025, 12, 31),
        (1, 1, 1),
        (9999, 12, 31),
    ];
    for (y, m, day) in ok {
        let date = CivilDate::new(y, m, day).unwrap();
        assert_eq!((date.year(), date.month(), date.day()), (y, m, day));
    }
    let bad = [
        (2023, 2, 29, "うるう年ではない"),
        (1900, 2, 29, "うるう年ではない"),
        (2100, 2, 29, "うるう年ではない"),
        (2024, 2, 30, "1から29まで"),
        (2025, 4, 31, "1から30まで"),
        (2025, 1, 32, "1から31まで"),
        (2025, 1, 0, "1から31まで"),
        (2025, 13, 1, "月は1から12まで"),
        (2025, 0, 1, "月は1から12まで"),
        (0, 1, 1, "年は1から9999まで"),
        (10000, 1, 1, "年は1から9999まで"),
        (-5, 1, 1, "年は1から9999まで"),
    ];
    for (y, m, day, why) in bad {
        let e = CivilDate::new(y, m, day).unwrap_err();
        assert!(e.message.contains(why), "{y}-{m}-{day}: {}", e.message);
        assert!(
            e.message.contains("日付として解釈できません"),
            "{}",
            e.message
        );
        assert_eq!(e.to_string(), e.message);
    }
}

#[test]
fn leap_years() {
    for (y, leap) in [
        (2024, true),
        (2000, true),
        (1900, false),
        (2023, false),
        (2100, false),
    ] {
        assert_eq!(CivilDate::is_leap_year(y), leap, "{y}");
        assert_eq!(CivilDate::days_in_month(y, 2), if leap { 29 } else { 28 });
    }
    assert_eq!(CivilDate::days_in_month(2025, 13), 0);
    assert_eq!(CivilDate::days_in_month(2025, 0), 0);
}

#[test]
fn iso_round_trip_and_errors() {
    assert_eq!(d(2025, 4, 1).to_iso(), "2025-04-01");
    assert_eq!(d(7, 1, 9).to_iso(), "0007-01-09");
    assert_eq!(d(2025, 4, 1).to_string(), "2025-04-01");
    assert_eq!(CivilDate::parse_iso("2025-04-01").unwrap(), d(2025, 4, 1));
    assert_eq!(
        CivilDate::parse_iso(" 2024-02-29\n").unwrap(),
        d(2024, 2, 29)
    );
    for bad in [
        "",
        "2025-4-1",
        "2025/04/01",
        "2025-02-29",
        "2025-13-01",
        "0000-01-01",
        "abcd-ef-gh",
        "2025-04-01x",
        "+202-04-01",
        "２０２５-04-01",
    ] {
        let e = CivilDate::parse_iso(bad).unwrap_err();
        assert_eq!(e.input, bad);
        assert!(!e.message.is_empty());
    }
}

#[test]
fn ordering_of_dates() {
    assert!(d(2019, 4, 30) < d(2019, 5, 1));
    assert!(d(2018, 12, 31) < d(2019, 1, 1));
    assert!(d(2019, 1, 31) < d(2019, 2, 1));
}

#[test]
fn era_constants() {
    assert_eq!(
        Era::ALL,
        [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa]
    );
    let table = [
        (
            Era::Meiji,
            "明治",
            'M',
            1867,
            d(1868, 10, 23),
            Some(d(1912, 7, 29)),
        ),
        (
            Era::Taisho,
            "大正",
            'T',
            1911,
            d(1912, 7, 30),
            Some(d(1926, 12, 24)),
        ),
        (
            Era::Showa,
            "昭和",
            'S',
            1925,
            d(1926, 12, 25),
            Some(d(1989, 1, 7)),
        ),
        (
            Era::Heisei,
            "平成",
            'H',
            1988,
            d(1989, 1, 8),
            Some(d(2019, 4, 30)),
        ),
        (Era::Reiwa, "令和", 'R', 2018, d(2019, 5, 1), None),
    ];
    for (era, name, letter, offset, first, last) in table {
        assert_eq!(era.name(), name);
        assert_eq!(era.letter(), letter);
        assert_eq!(era.offset(), offset);
        assert_eq!(era.first_day(), first);
        assert_eq!(era.last_day(), last);
        // The first day of an era is in its year 1.
        assert_eq!(Era::of_date(first), Some(EraYear { era, year: 1 }));
    }
    // Each era ends the day before the next begins.
    for pair in Era::ALL.windows(2) {
        let last = pair[0].last_day().unwrap();
        let next = pair[1].first_day();
        assert_eq!(Era::of_date(last).unwrap().era, pair[0]);
        assert_eq!(Era::of_date(next).unwrap().era, pair[1]);
        assert!(last < next);
    }
}

#[test]
fn era_of_boundary_days() {
    let table = [
        (d(1868, 1, 1), None),
        (d(1868, 10, 22), None),
        (d(1868, 10, 23), Some((Era::Meiji, 1))),
        (d(1872, 12, 31), Some((Era::Meiji, 5))),
        (d(1912, 7, 29), Some((Era::Meiji, 45))),
        (d(1912, 7, 30), Some((Era::Taisho, 1))),
        (d(1926, 12, 24), Some((Era::Taisho, 15))),
        (d(1926, 12, 25), Some((Era::Showa, 1))),
        (d(1989, 1, 7), Some((Era::Showa, 64))),
        (d(1989, 1, 8), Some((Era::Heisei, 1))),
        (d(2019, 4, 30), Some((Era::Heisei, 31))),
        (d(2019, 5, 1), Some((Era::Reiwa, 1))),
        (d(2025, 4, 1), Some((Era::Reiwa, 7))),
        (d(9999, 12, 31), Some((Era::Reiwa, 7981))),
    ];
    for (date, expected) in table {
        let got = Era::of_date(date).map(|ey| (ey.era, ey.year));
        assert_eq!(got, expected, "{date}");
    }
}

#[test]
fn era_year_display() {
    let table = [
        (Era::Reiwa, 1, "令和元年"),
        (Era::Reiwa, 7, "令和7年"),
        (Era::Heisei, 31, "平成31年"),
        (Era::Showa, 64, "昭和64年"),
        (Era::Taisho, 1, "大正元年"),
        (Era::Meiji, 45, "明治45年"),
    ];
    for (era, year, text) in table {
        assert_eq!(EraYear { era, year }.to_string(), text);
    }
}

#[test]
fn fiscal_year_containing() {
    let table = [
        (d(2016, 2, 15), 2015),
        (d(2025, 3, 31), 2024),
        (d(2025, 4, 1), 2025),
        (d(2025, 4, 2), 2025),
        (d(2025, 12, 31), 2025),
        (d(2026, 1, 1), 2025),
        (d(2026, 3, 31), 2025),
        (d(2026, 4, 1), 2026),
        (d(2024, 2, 29), 2023),
        (d(2020, 2, 29), 2019),
        (d(2019, 4, 30), 2019),
        (d(2019, 5, 1), 2019),
        (d(1868, 4, 1), 1868),
        (d(9999, 3, 31), 9998),
    ];
    for (date, year) in table {
        let f = FiscalYear::containing(date);
        assert_eq!(f.year(), year, "{date}");
        assert_eq!(FiscalYear::checked_containing(date), Some(f));
        assert!(f.first_day() <= date && date <= f.last_day(), "{date}");
    }
    // Outside the supported range: saturates, and `checked_containing` says so.
    for (date, year) in [
        (d(1868, 3, 31), FiscalYear::MIN),
        (d(1, 1, 1), FiscalYear::MIN),
        (d(9999, 4, 1), FiscalYear::MAX),
        (d(9999, 12, 31), FiscalYear::MAX),
    ] {
        assert_eq!(FiscalYear::containing(date).year(), year, "{date}");
        assert_eq!(FiscalYear::checked_containing(date), None, "{date}");
    }
}

#[test]
fn fiscal_year_bounds_and_steps() {
    assert_eq!(fy(2025).first_day(), d(2025, 4, 1));
    assert_eq!(fy(2025).last_day(), d(2026, 3, 31));
    assert_eq!(fy(2023).last_day(), d(2024, 3, 31));
    assert!(fy(2023).first_day() < d(2024, 2, 29) && d(2024, 2, 29) < fy(2023).last_day());
    assert_eq!(fy(FiscalYear::MAX).last_day(), d(9999, 3, 31));
    assert_eq!(fy(2025).next(), fy(2026));
    assert_eq!(fy(2025).prev(), fy(2024));
    assert_eq!(fy(FiscalYear::MAX).next(), fy(FiscalYear::MAX));
    assert_eq!(fy(FiscalYear::MIN).prev(), fy(FiscalYear::MIN));
    assert!(fy(2024) < fy(2025));
    for bad in [1867, 9999, 0, -1, i32::MIN, i32::MAX] {
        let e = FiscalYear::new(bad).unwrap_err();
        assert!(e.message.contains("1868年度〜9998年度"), "{}", e.message);
        assert_eq!(e.input, bad.to_string());
    }
}

#[test]
fn fiscal_year_era_years() {
    let table = [
        (1868, Era::Meiji, 1),
        (1911, Era::Meiji, 44),
        (1912, Era::Taisho, 1),
        (1925, Era::Taisho, 14),
        (1926, Era::Showa, 1),
        (1988, Era::Showa, 63),
        (1989, Era::Heisei, 1),
        (2018, Era::Heisei, 30),
        (2019, Era::Reiwa, 1),
        (2025, Era::Reiwa, 7),
        (9998, Era::Reiwa, 7980),
    ];
    for (y, era, year) in table {
        assert_eq!(fy(y).era_year(), EraYear { era, year }, "FY{y}");
    }
}

#[test]
fn fiscal_year_format() {
    let table = [
        (2025, "令和7年度", "令和7年度（2025年度）", "2025年度"),
        (2019, "令和元年度", "令和元年度（2019年度）", "2019年度"),
        (2018, "平成30年度", "平成30年度（2018年度）", "2018年度"),
        (1989, "平成元年度", "平成元年度（1989年度）", "1989年度"),
        (1988, "昭和63年度", "昭和63年度（1988年度）", "1988年度"),
        (1926, "昭和元年度", "昭和元年度（1926年度）", "1926年度"),
        (1912, "大正元年度", "大正元年度（1912年度）", "1912年度"),
        (1868, "明治元年度", "明治元年度（1868年度）", "1868年度"),
    ];
    for (y, wareki, both, western) in table {
        assert_eq!(fy(y).format(YearStyle::Wareki), wareki);
        assert_eq!(fy(y).format(YearStyle::WarekiWithWestern), both);
        assert_eq!(fy(y).format(YearStyle::Western), western);
        assert_eq!(fy(y).to_string(), both);
    }
    assert_eq!(YearStyle::default(), YearStyle::WarekiWithWestern);
}

#[test]
fn fiscal_year_parse_accepts() {
    let table: &[(&str, i32)] = &[
        // era name + year + optional 年度/年
        ("平成27年度", 2015),
        ("令和元年度", 2019),
        ("令和7年", 2025),
        ("令和7", 2025),
        ("令和 7 年度", 2025),
        ("令和７年度", 2025),
        ("令和七年度", 2025),
        ("令和 元 年度", 2019),
        ("平成三十一年度", 2019),
        ("平成十年度", 1998),
        ("平成二十年度", 2008),
        ("昭和六十四年", 1989),
        ("平成31年度", 2019),
        ("平成元年度", 1989),
        ("昭和64年度", 1989),
        ("昭和63年度", 1988),
        ("大正15年度", 1926),
        ("大正元年度", 1912),
        ("明治45年度", 1912),
        ("明治元年度", 1868),
        ("令和07年度", 2025),
        // legacy future years
        ("平成37年", 2025),
        ("平成34年度", 2022),
        ("平成99年度", 2087),
        ("平成100年度", 2088),
        // letters and ligatures
        ("H27", 2015),
        ("R1", 2019),
        ("r7", 2025),
        ("Ｒ７", 2025),
        ("ｒ７", 2025),
        ("H27年度", 2015),
        ("R元", 2019),
        ("R元年度", 2019),
        ("S64", 1989),
        ("T15", 1926),
        ("M45", 1912),
        ("h37", 2025),
        ("R 7", 2025),
        ("㍾45年度", 1912),
        ("㍽元年", 1912),
        ("㍼64", 1989),
        ("㍻27年度", 2015),
        ("\u{32FF}7年度", 2025),
        // western
        ("2025", 2025),
        ("2025年度", 2025),
        ("2025年", 2025),
        ("FY2025", 2025),
        ("fy2025", 2025),
        ("FY 2025", 2025),
        ("ＦＹ２０２５", 2025),
        ("２０２５年度", 2025),
        ("二〇二五年度", 2025),
        ("1868", 1868),
        ("9998年度", 9998),
        // combined
        ("令和7年度（2025年度）", 2025),
        ("令和7年度(2025年度)", 2025),
        ("令和7年度 （2025年度）", 2025),
        ("令和元年度（2019年度）", 2019),
        ("平成31年度（2019年度）", 2019),
        ("平成37年度（2025年度）", 2025),
        ("2025年度（令和7年度）", 2025),
        ("令和7年度（２０２５年度）", 2025),
        ("R7(2025)", 2025),
        ("令和7(2025)年度", 2025),
        ("令和７（２０２５）年度", 2025),
        // whitespace, including U+3000
        ("  令和7年度  ", 2025),
        ("\u{3000}令和7年度\u{3000}", 2025),
        ("\t2025\n", 2025),
    ];
    for &(input, year) in table {
        let got = FiscalYear::parse(input);
        assert_eq!(
            got.as_ref().map(|f| f.year()),
            Ok(year),
            "{input:?}: {got:?}"
        );
        assert_eq!(input.parse::<FiscalYear>(), got, "{input:?}");
    }
}

#[test]
fn fiscal_year_parse_refuses() {
    let table: &[(&str, &str)] = &[
        ("", "年度が入力されていません"),
        ("   ", "年度が入力されていません"),
        ("\u{3000}", "年度が入力されていません"),
        ("令和0年度", "年は1（元年）以上です"),
        ("R0", "年は1（元年）以上です"),
        ("令和〇年度", "年は1（元年）以上です"),
        ("0年", "扱える範囲"),
        ("0", "扱える範囲"),
        ("天保3年度", "元号「天保」を認識できません"),
        ("X7", "元号「X」を認識できません"),
        ("年度", "年の数字がありません"),
        ("昭和65年度", "昭和は64年までです"),
        ("S65", "昭和は64年までです"),
        ("大正16年", "大正は15年までです"),
        ("明治46年度", "明治は45年までです"),
        ("1867年度", "扱える範囲（1868年度〜9998年度）の外"),
        ("9999", "扱える範囲"),
        ("25", "扱える範囲"),
        ("令和7981年度", "扱える範囲"),
        ("平成99999999999999999999999年度", "扱える範囲"),
        ("令和7年度です", "「です」は余分です"),
        ("2025年度x", "「x」は余分です"),
        ("令和7年度 2025", "「2025」は余分です"),
        (
            "令和7年度（2024年度）",
            "「令和7年度」と「2024年度」が一致しません",
        ),
        (
            "平成30年度(2019年度)",
            "「平成30年度」と「2019年度」が一致しません",
        ),
        ("令和7(2024)年度", "「令和7」と「2024年度」が一致しません"),
        ("令和7年度（2025年度", "閉じ括弧"),
        ("令和7年度（）", "年の数字がありません"),
        ("R", "「R」の後に年の数字がありません"),
        ("令和", "「令和」の後に年の数字がありません"),
        ("令和年度", "「令和」の後に年の数字がありません"),
        ("FY", "FYの後に年の数字がありません"),
        ("元年度", "元年の前に元号が必要です"),
        ("令和十十年度", "漢数字「十十」を数として読めません"),
        ("令和一二十年度", "漢数字"),
        ("令和7年度年度", "余分"),
    ];
    for &(input, why) in table {
        let e: EraError = FiscalYear::parse(input).unwrap_err();
        assert!(e.message.contains(why), "{input:?}: {}", e.message);
        assert_eq!(e.input, input);
        assert_eq!(e.to_string(), e.message);
        if !input.trim().is_empty() {
            let quoted = format!("「{}」は年度として解釈できません: ", input.trim());
            assert!(e.message.starts_with(&quoted), "{}", e.message);
            assert!(e.message.ends_with('。'), "{}", e.message);
        }
    }
}

#[test]
fn format_date_styles() {
    let table = [
        (
            d(2025, 4, 1),
            "令和7年4月1日",
            "令和7年（2025年）4月1日",
            "2025年4月1日",
        ),
        (
            d(2019, 5, 1),
            "令和元年5月1日",
            "令和元年（2019年）5月1日",
            "2019年5月1日",
        ),
        (
            d(2019, 4, 30),
            "平成31年4月30日",
            "平成31年（2019年）4月30日",
            "2019年4月30日",
        ),
        (
            d(1989, 1, 8),
            "平成元年1月8日",
            "平成元年（1989年）1月8日",
            "1989年1月8日",
        ),
        (
            d(1989, 1, 7),
            "昭和64年1月7日",
            "昭和64年（1989年）1月7日",
            "1989年1月7日",
        ),
        (
            d(1926, 12, 25),
            "昭和元年12月25日",
            "昭和元年（1926年）12月25日",
            "1926年12月25日",
        ),
        (
            d(1926, 12, 24),
            "大正15年12月24日",
            "大正15年（1926年）12月24日",
            "1926年12月24日",
        ),
        (
            d(1912, 7, 30),
            "大正元年7月30日",
            "大正元年（1912年）7月30日",
            "1912年7月30日",
        ),
        (
            d(1912, 7, 29),
            "明治45年7月29日",
            "明治45年（1912年）7月29日",
            "1912年7月29日",
        ),
        (
            d(1868, 10, 23),
            "明治元年10月23日",
            "明治元年（1868年）10月23日",
            "1868年10月23日",
        ),
        // No era before 明治: always Western.
        (
            d(1868, 10, 22),
            "1868年10月22日",
            "1868年10月22日",
            "1868年10月22日",
        ),
        (
            d(2024, 2, 29),
            "令和6年2月29日",
            "令和6年（2024年）2月29日",
            "2024年2月29日",
        ),
    ];
    for (date, wareki, both, western) in table {
        assert_eq!(format_date(date, YearStyle::Wareki), wareki);
        assert_eq!(format_date(date, YearStyle::WarekiWithWestern), both);
        assert_eq!(format_date(date, YearStyle::Western), western);
        for style in STYLES {
            assert_eq!(
                parse_date(&format_date(date, style)),
                Ok(date),
                "{date} {style:?}"
            );
        }
    }
}

#[test]
fn parse_date_accepts() {
    let table: &[(&str, CivilDate)] = &[
        ("2025-04-01", d(2025, 4, 1)),
        ("2025-4-1", d(2025, 4, 1)),
        ("2025/4/1", d(2025, 4, 1)),
        ("2025/04/01", d(2025, 4, 1)),
        ("2025.4.1", d(2025, 4, 1)),
        ("2025年4月1日", d(2025, 4, 1)),
        ("2025年4月1", d(2025, 4, 1)),
        ("2025 年 4 月 1 日", d(2025, 4, 1)),
        ("令和7年4月1日", d(2025, 4, 1)),
        ("令和七年四月一日", d(2025, 4, 1)),
        ("令和7年（2025年）4月1日", d(2025, 4, 1)),
        ("令和7年(2025)4月1日", d(2025, 4, 1)),
        ("令和7(2025)年4月1日", d(2025, 4, 1)),
        ("R7.4.1", d(2025, 4, 1)),
        ("r7/4/1", d(2025, 4, 1)),
        ("Ｒ７．４．１", d(2025, 4, 1)),
        ("R元.5.1", d(2019, 5, 1)),
        ("令和元年5月1日", d(2019, 5, 1)),
        ("平成31年4月30日", d(2019, 4, 30)),
        ("H31.4.30", d(2019, 4, 30)),
        ("平成元年1月8日", d(1989, 1, 8)),
        ("昭和64年1月7日", d(1989, 1, 7)),
        ("㍼64年1月7日", d(1989, 1, 7)),
        ("大正15年12月24日", d(1926, 12, 24)),
        ("明治元年10月23日", d(1868, 10, 23)),
        ("２０２５年４月１日", d(2025, 4, 1)),
        ("２０２５－０４－０１", d(2025, 4, 1)),
        ("令和6年2月29日", d(2024, 2, 29)),
        ("\u{3000}2024-02-29 ", d(2024, 2, 29)),
        ("平成三十一年四月三十日", d(2019, 4, 30)),
        ("1800-01-01", d(1800, 1, 1)),
    ];
    for &(input, date) in table {
        assert_eq!(parse_date(input), Ok(date), "{input:?}");
    }
}

#[test]
fn parse_date_refuses() {
    let table: &[(&str, &str)] = &[
        ("", "日付が入力されていません"),
        (
            "平成31年5月1日",
            "平成は2019年4月30日までです（2019年5月1日は令和元年）",
        ),
        ("H31.5.1", "平成は2019年4月30日まで"),
        ("平成37年4月1日", "平成は2019年4月30日まで"),
        ("令和元年4月30日", "令和は2019年5月1日からです"),
        ("昭和64年1月8日", "昭和は1989年1月7日まで"),
        ("平成元年1月7日", "平成は1989年1月8日から"),
        ("大正15年12月25日", "大正は1926年12月24日まで"),
        ("明治元年1月1日", "明治は1868年10月23日から"),
        ("明治45年7月30日", "明治は1912年7月29日まで"),
        ("令和0年5月1日", "年は1（元年）以上です"),
        ("2025-02-29", "うるう年ではない"),
        ("令和7年2月29日", "うるう年ではない"),
        ("2025-04-31", "1から30まで"),
        ("2025-13-01", "月は1から12まで"),
        ("0-01-01", "年は1から9999まで"),
        ("2025年4月", "日の数字がありません"),
        ("2025年", "月の数字がありません"),
        ("2025", "区切り"),
        ("2025-04/01", "区切り「-」"),
        ("2025年4/1", "「月」が必要"),
        ("2025年4月1日です", "「です」は余分です"),
        ("2025-04-01日", "「日」は余分です"),
        (
            "令和7年（2024年）4月1日",
            "「令和7年」と「2024年」が一致しません",
        ),
        ("天保3年4月1日", "元号「天保」を認識できません"),
        ("令和", "「令和」の後に年の数字がありません"),
    ];
    for &(input, why) in table {
        let e = parse_date(input).unwrap_err();
        assert!(e.message.contains(why), "{input:?}: {}", e.message);
        assert_eq!(e.input, input);
        if !input.is_empty() {
            assert!(
                e.message
                    .starts_with(&format!("「{input}」は日付として解釈できません: ")),
                "{}",
                e.message
            );
        }
    }
}

#[test]
fn error_is_std_error() {
    let e: Box<dyn std::error::Error> = Box::new(FiscalYear::parse("令和0年度").unwrap_err());
    assert_eq!(
        e.to_string(),
        "「令和0年度」は年度として解釈できません: 年は1（元年）以上です。"
    );
}
