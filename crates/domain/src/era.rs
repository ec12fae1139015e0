//! 年度 (fiscal years) and 和暦 (Japanese era years): validated calendar dates, the five modern
//! eras, and the reading and writing of years and dates the way municipal plans write them.
//!
//! Design choices:
//!
//! - [`CivilDate`] is a proleptic Gregorian date with a year from 1 to 9999.
//! - 明治 begins on **1868-10-23**, the Gregorian date of the proclamation (明治元年9月8日). The
//!   era was applied retroactively to the whole lunisolar year 1868, and Japan kept the
//!   lunisolar calendar until 1872-12-31; this module ignores both: every date is Gregorian and
//!   the era year of a date is its Gregorian year minus the era's [`Era::offset`]. Dates before
//!   1868-10-23 therefore have no era and are written in Western form.
//! - The era of a fiscal year is the era in effect on 31 December of its April's year, so FY2019
//!   is 令和元年度 and FY1989 is 平成元年度. Reading 平成31年度 still gives FY2019.
//! - Reading a year accepts legacy "future" years that plans written before 2019 contain
//!   (平成37年 = 2025): 平成 and 令和 take any year from 1, 明治 up to 45, 大正 up to 15 and 昭和
//!   up to 64. A full date, however, must lie inside its era (平成31年5月1日 is refused).
//! - Output uses ASCII digits, 元年 for year 1 and full-width brackets: 令和7年度（2025年度）.

use std::fmt;
use std::str::FromStr;

/// Why a date, year or fiscal year was refused. The message is Japanese, for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EraError {
    /// The text (or value) that was refused, as given.
    pub input: String,
    /// A Japanese sentence that quotes the input and says why it was refused.
    pub message: String,
}

impl EraError {
    fn new(input: &str, what: &str, reason: &str) -> Self {
        let shown = input.trim();
        let message = if shown.is_empty() {
            format!("{what}が入力されていません。")
        } else {
            format!("「{shown}」は{what}として解釈できません: {reason}。")
        };
        Self {
            input: input.to_owned(),
            message,
        }
    }
}

impl fmt::Display for EraError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EraError {}

/// A calendar date (proleptic Gregorian, years 1 to 9999), always valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    year: i32,
    month: u8,
    day: u8,
}

impl CivilDate {
    /// The earliest year a date may have.
    pub const MIN_YEAR: i32 = 1;
    /// The latest year a date may have.
    pub const MAX_YEAR: i32 = 9999;

    /// Builds a date, checking the year (1–9999), the month and the day, leap years included.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, EraError> {
        check_date(i64::from(year), i64::from(month), i64::from(day))
            .map_err(|r| EraError::new(&format!("{year}-{month:02}-{day:02}"), "日付", &r))
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Whether `year` is a Gregorian leap year.
    pub fn is_leap_year(year: i32) -> bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in a month of a year; 0 when `month` is not 1 to 12.
    pub fn days_in_month(year: i32, month: u8) -> u8 {
        match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if Self::is_leap_year(year) => 29,
            2 => 28,
            _ => 0,
        }
    }

    /// ISO 8601 form, e.g. "2025-04-01".
    pub fn to_iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Reads the strict ISO 8601 form "YYYY-MM-DD" (surrounding whitespace is ignored).
    pub fn parse_iso(s: &str) -> Result<Self, EraError> {
        let t = s.trim();
        let b = t.as_bytes();
        let shape = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        let field = |r: std::ops::Range<usize>| t.get(r).and_then(|x| x.parse::<i64>().ok());
        match (shape, field(0..4), field(5..7), field(8..10)) {
            (true, Some(y), Some(m), Some(d)) => check_date(y, m, d),
            _ => Err("ISO 8601の形式（例: 2025-04-01）ではありません".to_owned()),
        }
        .map_err(|r| EraError::new(s, "日付", &r))
    }
}

impl fmt::Display for CivilDate {
    /// Writes the ISO 8601 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

/// Checks a date given as wide integers; the error is a Japanese reason.
fn check_date(y: i64, m: i64, d: i64) -> Result<CivilDate, String> {
    let year = i32::try_from(y)
        .ok()
        .filter(|y| (CivilDate::MIN_YEAR..=CivilDate::MAX_YEAR).contains(y))
        .ok_or_else(|| "年は1から9999までです".to_owned())?;
    let month = u8::try_from(m)
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| "月は1から12までです".to_owned())?;
    let dim = CivilDate::days_in_month(year, month);
    let day = u8::try_from(d).ok().filter(|d| (1..=dim).contains(d));
    match day {
        Some(day) => Ok(CivilDate { year, month, day }),
        None if month == 2 && dim == 28 && d == 29 => {
            Err(format!("{year}年はうるう年ではないため、2月は28日までです"))
        }
        None => Err(format!("{year}年{month}月の日は1から{dim}までです")),
    }
}

/// 年度: 1 April to 31 March; FY y is the year in which its April falls (2016-02-15 is in
/// FY2015). Ranges from [`FiscalYear::MIN`] (明治元年度) to [`FiscalYear::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(i32);

impl FiscalYear {
    /// The earliest fiscal year, 1868 (明治元年度).
    pub const MIN: i32 = 1868;
    /// The latest fiscal year, 9998 (its last day is 9999-03-31).
    pub const MAX: i32 = 9998;

    /// The fiscal year whose April falls in `year`; refused outside `MIN..=MAX`.
    pub fn new(year: i32) -> Result<Self, EraError> {
        fy_from_western(i64::from(year)).map_err(|r| EraError::new(&year.to_string(), "年度", &r))
    }

    /// The Western year of the fiscal year's April.
    pub fn year(self) -> i32 {
        self.0
    }

    /// The fiscal year a date falls in. Saturates at [`FiscalYear::MIN`] and
    /// [`FiscalYear::MAX`] for dates outside 1868-04-01 – 9999-03-31 (see
    /// [`FiscalYear::checked_containing`]).
    pub fn containing(date: CivilDate) -> Self {
        Self(april_year(date).clamp(Self::MIN, Self::MAX))
    }

    /// The fiscal year a date falls in, or `None` when it is outside the supported range.
    pub fn checked_containing(date: CivilDate) -> Option<Self> {
        let y = april_year(date);
        (Self::MIN..=Self::MAX).contains(&y).then_some(Self(y))
    }

    /// 1 April of the year.
    pub fn first_day(self) -> CivilDate {
        ymd(self.0, 4, 1)
    }

    /// 31 March of the next year.
    pub fn last_day(self) -> CivilDate {
        ymd(self.0 + 1, 3, 31)
    }

    /// The next fiscal year (stays at the maximum).
    pub fn next(self) -> Self {
        Self((self.0 + 1).min(Self::MAX))
    }

    /// The previous fiscal year (stays at the minimum).
    pub fn prev(self) -> Self {
        Self((self.0 - 1).max(Self::MIN))
    }

    /// The era year: the era in effect on 31 December of the year, so FY2019 is 令和元年度.
    pub fn era_year(self) -> EraYear {
        let (era, year) = (Era::Meiji, 1);
        Era::of_date(ymd(self.0, 12, 31)).unwrap_or(EraYear { era, year })
    }

    /// Writes the year in a style: 令和7年度, 令和7年度（2025年度） or 2025年度.
    pub fn format(self, style: YearStyle) -> String {
        let wareki = format!("{}度", self.era_year());
        match style {
            YearStyle::Wareki => wareki,
            YearStyle::WarekiWithWestern => format!("{wareki}（{}年度）", self.0),
            YearStyle::Western => format!("{}年度", self.0),
        }
    }

    /// Reads a fiscal year as plans write it: 令和7年度, 令和元年度, 平成37年 (legacy future
    /// year), R7, H27年度, ㋿7, 2025, 2025年度, FY2025, 令和7年度（2025年度）; full-width digits
    /// and letters, kanji numerals (令和七年度, 平成三十一年度) and spaces are accepted.
    pub fn parse(input: &str) -> Result<Self, EraError> {
        let err = |r: String| EraError::new(input, "年度", &r);
        let mut c = Cursor::new(input);
        if c.at_end() {
            return Err(err(String::new()));
        }
        let s1 = c.pos;
        let first = c.fy_part().map_err(err)?;
        let e1 = c.pos;
        c.skip_ws();
        if c.eat('(') {
            let s2 = c.pos;
            let second = c.fy_part().map_err(err)?;
            let e2 = c.pos;
            c.skip_ws();
            if !c.eat(')') {
                return Err(err("閉じ括弧「）」がありません".to_owned()));
            }
            if first != second {
                return Err(err(format!(
                    "「{}」と「{}」が一致しません（{first}年度と{second}年度）",
                    c.text(s1, e1).trim(),
                    c.text(s2, e2).trim()
                )));
            }
        }
        c.skip_ws();
        if !c.at_end() {
            return Err(err(format!("「{}」は余分です", c.rest())));
        }
        fy_from_western(first).map_err(err)
    }
}

impl fmt::Display for FiscalYear {
    /// Writes [`YearStyle::WarekiWithWestern`]: 令和7年度（2025年度）.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(YearStyle::WarekiWithWestern))
    }
}

impl FromStr for FiscalYear {
    type Err = EraError;

    /// Same as [`FiscalYear::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A date known to be valid (callers keep the year within `MIN_YEAR..=MAX_YEAR`).
const fn ymd(year: i32, month: u8, day: u8) -> CivilDate {
    CivilDate { year, month, day }
}

/// The year of the April on or before a date: its fiscal year, unbounded.
fn april_year(date: CivilDate) -> i32 {
    date.year - i32::from(date.month < 4)
}

fn fy_from_western(y: i64) -> Result<FiscalYear, String> {
    match i32::try_from(y) {
        Ok(y) if (FiscalYear::MIN..=FiscalYear::MAX).contains(&y) => Ok(FiscalYear(y)),
        _ => Err(format!(
            "{y}年度は扱える範囲（{}年度〜{}年度）の外です",
            FiscalYear::MIN,
            FiscalYear::MAX
        )),
    }
}

/// The five eras since 1868 (一世一元).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Era {
    /// 明治 (M), from 1868-10-23.
    Meiji,
    /// 大正 (T), from 1912-07-30.
    Taisho,
    /// 昭和 (S), from 1926-12-25.
    Showa,
    /// 平成 (H), from 1989-01-08.
    Heisei,
    /// 令和 (R), from 2019-05-01.
    Reiwa,
}

/// Per era: name, letter, ligature, offset, first day, last day, and the highest year a fiscal
/// year may be written with (`None`: any, for legacy future years such as 平成37年).
#[rustfmt::skip]
type EraInfo = (&'static str, char, char, i32, CivilDate, Option<CivilDate>, Option<u64>);

#[rustfmt::skip]
const ERAS: [EraInfo; 5] = [
    ("明治", 'M', '㍾', 1867, ymd(1868, 10, 23), Some(ymd(1912, 7, 29)), Some(45)),
    ("大正", 'T', '㍽', 1911, ymd(1912, 7, 30), Some(ymd(1926, 12, 24)), Some(15)),
    ("昭和", 'S', '㍼', 1925, ymd(1926, 12, 25), Some(ymd(1989, 1, 7)), Some(64)),
    ("平成", 'H', '㍻', 1988, ymd(1989, 1, 8), Some(ymd(2019, 4, 30)), None),
    ("令和", 'R', '\u{32FF}', 2018, ymd(2019, 5, 1), None, None),
];

impl Era {
    /// All eras, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    const fn info(self) -> &'static EraInfo {
        &ERAS[self as usize]
    }

    /// The name in kanji, e.g. "令和".
    pub const fn name(self) -> &'static str {
        self.info().0
    }

    /// The one-letter abbreviation, e.g. 'R'.
    pub const fn letter(self) -> char {
        self.info().1
    }

    /// The first day. 明治 starts on 1868-10-23, the Gregorian date of its proclamation (see
    /// the module documentation).
    pub const fn first_day(self) -> CivilDate {
        self.info().4
    }

    /// The last day, the day before the next era begins; `None` for the current era.
    pub const fn last_day(self) -> Option<CivilDate> {
        self.info().5
    }

    /// Western year = offset + era year: 令和 2018, 平成 1988, 昭和 1925, 大正 1911, 明治 1867.
    pub const fn offset(self) -> i32 {
        self.info().3
    }

    /// The era and era year of a date; `None` before 1868-10-23.
    pub fn of_date(date: CivilDate) -> Option<EraYear> {
        let era = Era::ALL.into_iter().rev().find(|e| date >= e.first_day())?;
        let year = u32::try_from(date.year - era.offset()).ok()?;
        Some(EraYear { era, year })
    }
}

/// A year counted in an era, e.g. 令和7年.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EraYear {
    /// The era.
    pub era: Era,
    /// The year within the era; 1 is 元年.
    pub year: u32,
}

impl fmt::Display for EraYear {
    /// "令和元年" for year 1, "令和7年" otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.year == 1 {
            write!(f, "{}元年", self.era.name())
        } else {
            write!(f, "{}{}年", self.era.name(), self.year)
        }
    }
}

/// How a year is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum YearStyle {
    /// 和暦 only: 令和7年度.
    Wareki,
    /// 和暦 with the Western year in full-width brackets: 令和7年度（2025年度）.
    #[default]
    WarekiWithWestern,
    /// Western year only: 2025年度.
    Western,
}

/// Writes a date: 令和7年4月1日, 令和7年（2025年）4月1日 or 2025年4月1日 (元年 for year 1).
/// Dates before 明治 are always written in Western form.
pub fn format_date(date: CivilDate, style: YearStyle) -> String {
    let md = format!("{}月{}日", date.month, date.day);
    match (style, Era::of_date(date)) {
        (YearStyle::Wareki, Some(ey)) => format!("{ey}{md}"),
        (YearStyle::WarekiWithWestern, Some(ey)) => format!("{ey}（{}年）{md}", date.year),
        _ => format!("{}年{md}", date.year),
    }
}

/// Reads a date: "2025-04-01", "2025/4/1", "2025.4.1", "2025年4月1日", "令和7年4月1日",
/// "令和7年（2025年）4月1日", "R7.4.1", "平成31年4月30日", with full-width digits and kanji
/// numerals. An era date must lie inside its era: 平成31年5月1日 and 平成37年4月1日 are refused.
pub fn parse_date(input: &str) -> Result<CivilDate, EraError> {
    let err = |r: String| EraError::new(input, "日付", &r);
    let mut c = Cursor::new(input);
    if c.at_end() {
        return Err(err(String::new()));
    }
    c.date().map_err(err)
}

/// Maps full-width ASCII (Ｒ７, （）) to ASCII and letters to upper case.
fn normalize_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_uppercase()
}

fn kanji_digit(c: char) -> Option<u64> {
    "〇一二三四五六七八九"
        .chars()
        .position(|k| k == c)
        .and_then(|p| u64::try_from(p).ok())
}

/// Reads 七, 十, 三十一 (up to 九十九) or positional digits such as 二〇二五.
fn kanji_value(run: &[char]) -> Option<u64> {
    let Some(i) = run.iter().position(|&c| c == '十') else {
        return run.iter().try_fold(0u64, |acc, &c| {
            Some(acc.saturating_mul(10).saturating_add(kanji_digit(c)?))
        });
    };
    let digit = |cs: &[char], empty: u64| match cs {
        [] => Some(empty),
        [c] => kanji_digit(*c).filter(|&d| d > 0),
        _ => None,
    };
    Some(digit(&run[..i], 1)? * 10 + digit(&run[i + 1..], 0)?)
}

fn wide(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX / 2)
}

/// The Western year of an era year; `for_fy` applies the per-era limits on written years.
fn western_of(era: Era, n: u64, for_fy: bool) -> Result<i64, String> {
    if n == 0 {
        return Err("年は1（元年）以上です".to_owned());
    }
    if let Some(max) = era.info().6.filter(|&max| for_fy && n > max) {
        return Err(format!("{}は{max}年までです", era.name()));
    }
    Ok(i64::from(era.offset()).saturating_add(wide(n)))
}

/// A cursor over the trimmed input; `norm` is the normalised text, `orig` the text as given
/// (same length, so positions are shared).
struct Cursor {
    norm: Vec<char>,
    orig: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn new(input: &str) -> Self {
        let orig: Vec<char> = input.trim().chars().collect();
        let norm = orig.iter().map(|&c| normalize_char(c)).collect();
        Self { norm, orig, pos: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.norm.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.norm.len()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        self.pos += usize::from(hit);
        hit
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let hit = self
            .norm
            .get(self.pos..self.pos + n)
            .is_some_and(|w| w.iter().copied().eq(s.chars()));
        self.pos += if hit { n } else { 0 };
        hit
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.orig.get(from..to).unwrap_or_default().iter().collect()
    }

    fn rest(&self) -> String {
        self.text(self.pos, self.orig.len())
    }

    fn era(&mut self) -> Option<Era> {
        if let Some(era) = Era::ALL.into_iter().find(|e| self.eat_str(e.name())) {
            return Some(era);
        }
        let c = self.peek()?;
        let era = Era::ALL
            .into_iter()
            .find(|e| e.letter() == c || e.info().2 == c)?;
        self.pos += 1;
        Some(era)
    }

    /// ASCII digits, kanji numerals, or 元 when `gan`; `Ok(None)` when no number is here.
    fn number(&mut self, gan: bool) -> Result<Option<u64>, String> {
        if gan && self.eat('元') {
            return Ok(Some(1));
        }
        let start = self.pos;
        let mut value = 0u64;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            value = value.saturating_mul(10).saturating_add(u64::from(d));
            self.pos += 1;
        }
        if self.pos > start {
            return Ok(Some(value));
        }
        while self
            .peek()
            .is_some_and(|c| c == '十' || kanji_digit(c).is_some())
        {
            self.pos += 1;
        }
        if self.pos == start {
            return Ok(None);
        }
        let run = self.norm.get(start..self.pos).unwrap_or_default();
        kanji_value(run).map(Some).ok_or_else(|| {
            format!(
                "漢数字「{}」を数として読めません",
                self.text(start, self.pos)
            )
        })
    }

    /// An era (optional) and a year number; a reason naming the unknown era otherwise.
    fn year_number(&mut self) -> Result<(Option<Era>, u64), String> {
        let start = self.pos;
        if let Some(era) = self.era() {
            let name = self.text(start, self.pos);
            self.skip_ws();
            let n = self.number(true)?;
            return n
                .map(|n| (Some(era), n))
                .ok_or_else(|| format!("「{name}」の後に年の数字がありません"));
        }
        if let Some(n) = self.number(false)? {
            return Ok((None, n));
        }
        let stop = |c: &&char| {
            c.is_ascii_digit()
                || c.is_whitespace()
                || kanji_digit(**c).is_some()
                || "十元年()".contains(**c)
        };
        let len = self.norm[start..].iter().take_while(|c| !stop(c)).count();
        if len == 0 && self.peek() == Some('元') {
            return Err("元年の前に元号が必要です".to_owned());
        }
        if len == 0 {
            return Err("年の数字がありません".to_owned());
        }
        Err(format!(
            "元号「{}」を認識できません（使えるのは明治・大正・昭和・平成・令和、またはM・T・S・H・R）",
            self.text(start, start + len)
        ))
    }

    /// An inline Western year in brackets, e.g. the "(2025)" of 令和7(2025)年度, followed by one
    /// of `units` or none; the cursor is left unchanged when there is none.
    fn paren_western(&mut self, units: &[&str]) -> Result<Option<u64>, String> {
        let save = self.pos;
        if self.eat('(') {
            self.skip_ws();
            if let Some(w) = self.number(false)? {
                self.skip_ws();
                let _ = units.iter().any(|u| self.eat_str(u));
                self.skip_ws();
                if self.eat(')') {
                    return Ok(Some(w));
                }
            }
        }
        self.pos = save;
        Ok(None)
    }

    /// One written fiscal year, returned as a Western year (range not yet checked).
    fn fy_part(&mut self) -> Result<i64, String> {
        self.skip_ws();
        let start = self.pos;
        let year = if self.eat_str("FY") {
            self.skip_ws();
            wide(self.number(false)?.ok_or("FYの後に年の数字がありません")?)
        } else {
            match self.year_number()? {
                (Some(era), n) => {
                    let y = western_of(era, n, true)?;
                    let end = self.pos;
                    self.skip_ws();
                    if let Some(w) = self.paren_western(&[])? {
                        agree(&self.text(start, end), y, w, "年度")?;
                    }
                    y
                }
                (None, n) => wide(n),
            }
        };
        self.skip_ws();
        let _ = self.eat_str("年度") || self.eat('年');
        Ok(year)
    }

    fn date(&mut self) -> Result<CivilDate, String> {
        let start = self.pos;
        let (era, n) = self.year_number()?;
        let year = match era {
            Some(era) => western_of(era, n, false)?,
            None => wide(n),
        };
        let written = self.text(start, self.pos);
        self.skip_ws();
        let mut western = None;
        if era.is_some() {
            western = self.paren_western(&[])?;
            self.skip_ws();
        }
        let sep = if self.eat('年') {
            None
        } else {
            match self.peek() {
                Some(s @ ('-' | '/' | '.')) => {
                    self.pos += 1;
                    Some(s)
                }
                _ => return Err("年の後には「年」か区切り（- / .）が必要です".to_owned()),
            }
        };
        self.skip_ws();
        if era.is_some() && sep.is_none() && western.is_none() {
            western = self.paren_western(&["年"])?;
            self.skip_ws();
        }
        if let Some(w) = western {
            agree(&format!("{written}年"), year, w, "年")?;
        }
        let month = self.number(false)?.ok_or("月の数字がありません")?;
        self.skip_ws();
        match sep {
            None if !self.eat('月') => return Err("月の後に「月」が必要です".to_owned()),
            Some(s) if !self.eat(s) => return Err(format!("月の後に区切り「{s}」が必要です")),
            _ => {}
        }
        self.skip_ws();
        let day = self.number(false)?.ok_or("日の数字がありません")?;
        self.skip_ws();
        if sep.is_none() {
            self.eat('日');
            self.skip_ws();
        }
        if !self.at_end() {
            return Err(format!("「{}」は余分です", self.rest()));
        }
        let date = check_date(year, wide(month), wide(day))?;
        match era {
            Some(era) => check_in_era(era, date).map(|()| date),
            None => Ok(date),
        }
    }
}

/// Checks that an era year and the Western year written beside it agree.
fn agree(written: &str, year: i64, western: u64, unit: &str) -> Result<(), String> {
    if wide(western) == year {
        return Ok(());
    }
    Err(format!(
        "「{written}」と「{western}{unit}」が一致しません（「{written}」は{year}{unit}です）"
    ))
}

fn check_in_era(era: Era, date: CivilDate) -> Result<(), String> {
    let name = era.name();
    let western = |d: CivilDate| format_date(d, YearStyle::Western);
    if date < era.first_day() {
        return Err(format!("{name}は{}からです", western(era.first_day())));
    }
    match (era.last_day(), Era::of_date(date)) {
        (Some(last), Some(actual)) if date > last => Err(format!(
            "{name}は{}までです（{}は{actual}）",
            western(last),
            western(date)
        )),
        _ => Ok(()),
    }
}
