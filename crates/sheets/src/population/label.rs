//! What the rows and columns of a census table are called: the age labels as published tables
//! and clerks write them (「0～4歳」, 「０〜４歳」, 「0-4」, 「0 ～ 4 歳」, 「90歳以上」, 「100歳以上」,
//! 「総数」, 「年齢「不詳」」, 「（再掲）15歳未満」), and the headers of the count columns (総数 /
//! 計 / 合計, 男 / 男性, 女 / 女性).

use keikaku_domain::population::GROUPS;

use crate::value::fold_width;

/// What a row's label says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Label {
    /// A five-year group below 90: 0–4 (index 0) … 85–89 (17).
    Group(usize),
    /// A part of 90歳以上: a five-year range from `from` (90–94, 95–99 …), or with `open` the
    /// last group, `from` and over (90歳以上, 100歳以上).
    Old {
        /// Its first age, 90 or more, a multiple of 5.
        from: u32,
        /// Whether it is 「…歳以上」.
        open: bool,
    },
    /// 総数 (計, 合計 …).
    Total,
    /// 年齢不詳.
    Unknown,
    /// A row a census table adds that is not a five-year group: a broad band (15歳未満,
    /// 15〜64歳, 65歳以上, 75歳以上), 平均年齢, 年齢中位数.
    Aggregate,
    /// A restated row (（再掲）, うち…): skipped; alone on a row, it opens the 再掲 section.
    Restated,
}

impl Label {
    /// The label as this crate writes it: 「25〜29歳」, 「95〜99歳」, 「100歳以上」.
    pub(super) fn canonical(self) -> String {
        match self {
            Self::Group(i) => keikaku_domain::population::group_label(i),
            Self::Old { from, open: true } => format!("{from}歳以上"),
            Self::Old { from, open: false } => format!("{from}〜{}歳", from + 4),
            Self::Total => "総数".to_owned(),
            Self::Unknown => "年齢不詳".to_owned(),
            Self::Aggregate | Self::Restated => String::new(),
        }
    }
}

/// The first age of the open group 90歳以上.
pub(super) const OLD_FROM: u32 = 90;

/// Words of a 総数 row.
const TOTAL_ROWS: [&str; 7] = ["総数", "合計", "総計", "計", "男女計", "年齢計", "総人口"];

/// Words of a 年齢不詳 row (brackets already removed).
const UNKNOWN_ROWS: [&str; 4] = ["年齢不詳", "不詳", "年齢不明", "不明"];

/// Rows of figures that are not people (平均年齢 …).
const STATISTIC_ROWS: [&str; 5] = ["平均年齢", "年齢中位数", "中位数", "中位年齢", "平均"];

/// Characters that join the two ages of a range: ～ (folded to ~), 〜, and the dashes.
const RANGE_MARKS: [char; 8] = ['~', '〜', '-', '‐', '–', '—', '―', 'ー'];

/// The label's text as compared: width folded, spaces, quotes and brackets of 「不詳」
/// removed, a leading code such as 「001_」 dropped.
fn normalise(text: &str) -> String {
    let folded: String = fold_width(text)
        .chars()
        .filter(|c| !c.is_whitespace() && !"「」『』\"".contains(*c))
        .collect();
    match folded.split_once('_') {
        Some((code, rest))
            if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty() =>
        {
            rest.to_owned()
        }
        _ => folded,
    }
}

/// Reads a row's label; `None` for text that is no label of a census table.
pub(super) fn recognise(text: &str) -> Option<Label> {
    let t = normalise(text);
    if t.is_empty() {
        return None;
    }
    if t.contains("再掲") || t.starts_with("うち") {
        return Some(Label::Restated);
    }
    let bare = t.trim_matches(|c| "()".contains(c));
    if TOTAL_ROWS.contains(&bare) {
        return Some(Label::Total);
    }
    if UNKNOWN_ROWS.contains(&bare) || UNKNOWN_ROWS.contains(&t.replace(['(', ')'], "").as_str()) {
        return Some(Label::Unknown);
    }
    if STATISTIC_ROWS.contains(&bare) {
        return Some(Label::Aggregate);
    }
    ages(&t)
}

/// A leading number and the rest of the text.
fn number(text: &str) -> Option<(u32, &str)> {
    let end = text
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(text.len(), |(i, _)| i);
    let n = text.get(..end)?.parse().ok()?;
    Some((n, &text[end..]))
}

/// 「0~4歳」, 「0歳~4歳」, 「90歳以上」, 「90~」, 「15歳未満」.
fn ages(text: &str) -> Option<Label> {
    let (from, rest) = number(text)?;
    let rest = rest.strip_prefix('歳').unwrap_or(rest);
    if rest.is_empty() {
        return None;
    }
    if matches!(rest, "以上" | "~" | "〜") {
        return open_group(from);
    }
    if rest == "未満" {
        return from.is_multiple_of(5).then_some(Label::Aggregate);
    }
    let mark = rest.chars().next()?;
    if !RANGE_MARKS.contains(&mark) {
        return None;
    }
    let (to, tail) = number(&rest[mark.len_utf8()..])?;
    if !matches!(tail, "" | "歳") || to <= from {
        return None;
    }
    range(from, to)
}

fn open_group(from: u32) -> Option<Label> {
    if !from.is_multiple_of(5) {
        return None;
    }
    Some(if from >= OLD_FROM {
        Label::Old { from, open: true }
    } else {
        Label::Aggregate
    })
}

fn range(from: u32, to: u32) -> Option<Label> {
    if !from.is_multiple_of(5) || !(to + 1).is_multiple_of(5) {
        return None;
    }
    if to != from + 4 {
        return Some(Label::Aggregate);
    }
    if from >= OLD_FROM {
        return Some(Label::Old { from, open: false });
    }
    usize::try_from(from / 5)
        .ok()
        .filter(|&i| i < GROUPS - 1)
        .map(Label::Group)
}

/// A count column of a census table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CountColumn {
    /// 総数 (男女計).
    Total,
    /// 男.
    Male,
    /// 女.
    Female,
}

impl CountColumn {
    /// 「総数」, 「男」, 「女」.
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Total => "総数",
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// A header as compared: width folded, spaces removed, a unit such as 「（人）」 dropped.
pub(super) fn header_name(text: &str) -> String {
    let key = crate::value::header_key(text);
    key.strip_suffix("(人)")
        .or_else(|| key.strip_suffix("[人]"))
        .unwrap_or(&key)
        .to_owned()
}

/// The count column a header names.
pub(super) fn count_column(text: &str) -> Option<CountColumn> {
    match header_name(text).as_str() {
        "総数" | "計" | "合計" | "男女計" | "総計" | "総人口" | "人口" => {
            Some(CountColumn::Total)
        }
        "男" | "男性" => Some(CountColumn::Male),
        "女" | "女性" => Some(CountColumn::Female),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_labels_in_every_common_form() {
        let cases = [
            ("0～4歳", Label::Group(0)),
            ("０〜４歳", Label::Group(0)),
            ("0-4", Label::Group(0)),
            ("0 ～ 4 歳", Label::Group(0)),
            ("0歳～4歳", Label::Group(0)),
            ("　5～9", Label::Group(1)),
            ("５－９歳", Label::Group(1)),
            ("85〜89歳", Label::Group(17)),
            ("001_0～4歳", Label::Group(0)),
            (
                "90歳以上",
                Label::Old {
                    from: 90,
                    open: true,
                },
            ),
            (
                "90～",
                Label::Old {
                    from: 90,
                    open: true,
                },
            ),
            (
                "９０歳以上",
                Label::Old {
                    from: 90,
                    open: true,
                },
            ),
            (
                "90～94歳",
                Label::Old {
                    from: 90,
                    open: false,
                },
            ),
            (
                "95-99",
                Label::Old {
                    from: 95,
                    open: false,
                },
            ),
            (
                "100歳以上",
                Label::Old {
                    from: 100,
                    open: true,
                },
            ),
            ("総数", Label::Total),
            ("（総数）", Label::Total),
            ("計", Label::Total),
            ("000_総数", Label::Total),
            ("年齢不詳", Label::Unknown),
            ("年齢「不詳」", Label::Unknown),
            ("不詳", Label::Unknown),
            ("年齢（不詳）", Label::Unknown),
            ("15歳未満", Label::Aggregate),
            ("15～64歳", Label::Aggregate),
            ("０～１４歳", Label::Aggregate),
            ("65歳以上", Label::Aggregate),
            ("75歳以上", Label::Aggregate),
            ("平均年齢", Label::Aggregate),
            ("年齢中位数", Label::Aggregate),
            ("（再掲）", Label::Restated),
            ("(再掲)15歳未満", Label::Restated),
            ("うち65歳以上", Label::Restated),
        ];
        for (text, want) in cases {
            assert_eq!(recognise(text), Some(want), "{text}");
        }
        for other in [
            "",
            "0歳",
            "1～5歳",
            "3-7",
            "5～4歳",
            "88歳以上",
            "年齢",
            "注：",
            "男",
            "abc",
            "0～4人",
        ] {
            assert_eq!(recognise(other), None, "{other}");
        }
    }

    #[test]
    fn labels_are_written_back_as_the_domain_writes_them() {
        assert_eq!(Label::Group(5).canonical(), "25〜29歳");
        assert_eq!(
            Label::Old {
                from: 95,
                open: false
            }
            .canonical(),
            "95〜99歳"
        );
        assert_eq!(
            Label::Old {
                from: 100,
                open: true
            }
            .canonical(),
            "100歳以上"
        );
    }

    #[test]
    fn count_headers() {
        for (text, want) in [
            ("総数", Some(CountColumn::Total)),
            ("合計", Some(CountColumn::Total)),
            ("計（人）", Some(CountColumn::Total)),
            ("男", Some(CountColumn::Male)),
            ("男 性", Some(CountColumn::Male)),
            ("女性(人)", Some(CountColumn::Female)),
            ("男女別人口", None),
            ("年齢", None),
        ] {
            assert_eq!(count_column(text), want, "{text}");
        }
    }
}
