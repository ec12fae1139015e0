//! Property and exhaustive tests for `keikaku_domain::era`: round trips of formatting and
//! parsing, fiscal-year containment and era consistency.
#![allow(clippy::unwrap_used)]

use keikaku_domain::era::{CivilDate, Era, FiscalYear, YearStyle, format_date, parse_date};
use proptest::prelude::*;

const STYLES: [YearStyle; 3] = [
    YearStyle::Wareki,
    YearStyle::WarekiWithWestern,
    YearStyle::Western,
];

/// Any valid date with a year in `years`.
fn date_in(years: std::ops::RangeInclusive<i32>) -> impl Strategy<Value = CivilDate> {
    (years, 1u8..=12, 1u8..=31).prop_map(|(y, m, day)| {
        let day = day.min(CivilDate::days_in_month(y, m));
        CivilDate::new(y, m, day).unwrap()
    })
}

fn style() -> impl Strategy<Value = YearStyle> {
    prop::sample::select(STYLES.to_vec())
}

/// ASCII digits to full-width digits (０-９).
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
            _ => c,
        })
        .collect()
}

/// 1..=99 in kanji: 七, 十, 三十一.
fn kanji(n: u32) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let (tens, ones) = ((n / 10) as usize, (n % 10) as usize);
    match tens {
        0 => DIGITS[ones].to_owned(),
        1 => format!("十{}", DIGITS[ones]),
        _ => format!("{}十{}", DIGITS[tens], DIGITS[ones]),
    }
}

#[test]
fn every_fiscal_year_round_trips_in_every_style() {
    let mut checked = 0;
    for y in FiscalYear::MIN..=FiscalYear::MAX {
        let fy = FiscalYear::new(y).unwrap();
        assert_eq!(fy.year(), y);
        for style in STYLES {
            let text = fy.format(style);
            assert_eq!(FiscalYear::parse(&text), Ok(fy), "{text}");
            assert_eq!(FiscalYear::parse(&full_width(&text)), Ok(fy), "{text}");
            assert!(text.is_ascii() || !text.chars().any(|c| ('０'..='９').contains(&c)));
            checked += 1;
        }
        assert_eq!(fy.to_string().parse::<FiscalYear>(), Ok(fy));
    }
    assert_eq!(checked, 3 * (FiscalYear::MAX - FiscalYear::MIN + 1));
}

#[test]
fn every_heisei_year_including_legacy_future_years_parses() {
    for y in 1989..=FiscalYear::MAX {
        let n = y - 1988;
        let fy = FiscalYear::new(y).unwrap();
        assert_eq!(FiscalYear::parse(&format!("平成{n}年度")), Ok(fy));
        assert_eq!(FiscalYear::parse(&format!("H{n}")), Ok(fy));
        assert_eq!(
            FiscalYear::parse(&format!("平成{n}年度（{y}年度）")),
            Ok(fy)
        );
    }
    assert!(FiscalYear::parse(&format!("平成{}年度", FiscalYear::MAX - 1988 + 1)).is_err());
}

#[test]
fn era_year_of_fiscal_year_is_era_on_december_31() {
    for y in FiscalYear::MIN..=FiscalYear::MAX {
        let ey = FiscalYear::new(y).unwrap().era_year();
        let dec31 = CivilDate::new(y, 12, 31).unwrap();
        assert_eq!(Era::of_date(dec31), Some(ey), "FY{y}");
        assert_eq!(ey.era.offset() + ey.year as i32, y);
    }
}

proptest! {
    #[test]
    fn containing_fy_holds_the_date(date in date_in(1868..=9999)) {
        prop_assume!(date >= CivilDate::new(1868, 4, 1).unwrap());
        prop_assume!(date <= CivilDate::new(9999, 3, 31).unwrap());
        let fy = FiscalYear::containing(date);
        prop_assert!(fy.first_day() <= date, "{date} {fy:?}");
        prop_assert!(date <= fy.last_day(), "{date} {fy:?}");
        prop_assert_eq!(FiscalYear::checked_containing(date), Some(fy));
        prop_assert_eq!(fy.first_day().month(), 4);
        prop_assert_eq!(fy.last_day().year(), fy.year() + 1);
    }

    #[test]
    fn containing_saturates_outside_the_range(date in date_in(1..=9999)) {
        let fy = FiscalYear::containing(date);
        match FiscalYear::checked_containing(date) {
            Some(exact) => prop_assert_eq!(exact, fy),
            None => prop_assert!(
                fy.year() == FiscalYear::MIN || fy.year() == FiscalYear::MAX
            ),
        }
    }

    #[test]
    fn date_round_trips_through_format(date in date_in(1868..=9999), style in style()) {
        prop_assume!(date >= Era::Meiji.first_day());
        let text = format_date(date, style);
        prop_assert_eq!(parse_date(&text), Ok(date), "{}", text);
        prop_assert_eq!(parse_date(&full_width(&text)), Ok(date), "{}", text);
    }

    #[test]
    fn iso_round_trips(date in date_in(1..=9999)) {
        let iso = date.to_iso();
        prop_assert_eq!(iso.len(), 10);
        prop_assert_eq!(CivilDate::parse_iso(&iso), Ok(date));
        prop_assert_eq!(parse_date(&iso), Ok(date));
        prop_assert_eq!(
            parse_date(&format!("{}/{}/{}", date.year(), date.month(), date.day())),
            Ok(date)
        );
    }

    #[test]
    fn era_of_date_is_consistent(date in date_in(1..=9999)) {
        match Era::of_date(date) {
            None => prop_assert!(date < Era::Meiji.first_day()),
            Some(ey) => {
                prop_assert!(ey.era.first_day() <= date);
                if let Some(last) = ey.era.last_day() {
                    prop_assert!(date <= last);
                }
                prop_assert!(ey.year >= 1);
                prop_assert_eq!(ey.era.offset() + ey.year as i32, date.year());
            }
        }
    }

    #[test]
    fn letters_names_and_kanji_agree(era_index in 0usize..5, n in 1u32..=99) {
        let era = Era::ALL[era_index];
        let limit = match era { Era::Meiji => 45, Era::Taisho => 15, Era::Showa => 64, _ => 99 };
        let by_name = FiscalYear::parse(&format!("{}{n}年度", era.name()));
        if n <= limit {
            let expected = FiscalYear::new(era.offset() + n as i32).unwrap();
            prop_assert_eq!(&by_name, &Ok(expected));
            prop_assert_eq!(FiscalYear::parse(&format!("{}{n}", era.letter())), Ok(expected));
            let lower = era.letter().to_ascii_lowercase();
            prop_assert_eq!(FiscalYear::parse(&format!("{lower}{n}年")), Ok(expected));
            let spelled = format!("{}{}年度", era.name(), kanji(n));
            prop_assert_eq!(FiscalYear::parse(&spelled), Ok(expected), "{}", spelled);
        } else {
            let e = by_name.unwrap_err();
            prop_assert!(e.message.contains("年までです"), "{}", e.message);
        }
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,12}") {
        let _ = FiscalYear::parse(&s);
        let _ = parse_date(&s);
        let _ = CivilDate::parse_iso(&s);
    }

    #[test]
    fn parsers_never_panic_on_plausible_text(
        s in "[令和平成昭和元年度月日0-9０-９一二三十〇（）()RHSTMF /.\\-　]{0,14}"
    ) {
        if let Ok(fy) = FiscalYear::parse(&s) {
            prop_assert!((FiscalYear::MIN..=FiscalYear::MAX).contains(&fy.year()));
        }
        if let Ok(date) = parse_date(&s) {
            prop_assert_eq!(CivilDate::new(date.year(), date.month(), date.day()), Ok(date));
        }
    }
}
