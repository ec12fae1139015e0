//! Reading an indicator (数値目標, KPI, 成果指標) of a plan file: the members of version 1 and
//! those version 2 added (code, interim targets, tolerance, cumulative entry, decimals,
//! acquisition, lag years, definition changes), each problem with its JSON path. In a version
//! 1 file the version 2 members are unknown members, and the definition gets their defaults.

use keikaku_domain::kpi::Entered;
use keikaku_domain::{DefinitionChange, Direction, Indicator, IndicatorType};
use serde_json::Value;

use crate::read::{Obj, Reader};

/// The members of an indicator in export order; the first [`V1_MEMBERS`] are version 1's.
const MEMBERS: [&str; 19] = [
    "id",
    "title",
    "unit",
    "direction",
    "indicator_type",
    "baseline",
    "target",
    "calculation_method",
    "data_source",
    "department",
    "sample",
    "code",
    "interim_targets",
    "tolerance",
    "cumulative_entry",
    "decimals",
    "acquisition",
    "lag_years",
    "definition_changes",
];
const V1_MEMBERS: usize = 11;

impl Reader {
    pub(crate) fn indicator(&mut self, v: &Value, path: &str) -> Indicator {
        let o = self.object(v, path, &MEMBERS[..self.keys(MEMBERS.len(), V1_MEMBERS)]);
        Indicator {
            id: self.element_id(o, "id", path),
            title: self.string(o, "title", path),
            unit: self.text(o, "unit", path),
            direction: self.parsed(
                o,
                "direction",
                path,
                |s| {
                    Direction::from_code(s).ok_or_else(|| {
                        format!("「{s}」: direction は higher / lower / maintain のいずれかです。")
                    })
                },
                Direction::Higher,
            ),
            indicator_type: self.parsed(
                o,
                "indicator_type",
                path,
                |s| {
                    IndicatorType::from_code(s).ok_or_else(|| {
                        format!(
                            "「{s}」: indicator_type は level / cumulative / rate のいずれかです。"
                        )
                    })
                },
                IndicatorType::Level,
            ),
            baseline: self.year_value(o, "baseline", path),
            target: self.year_value(o, "target", path),
            calculation_method: self.text(o, "calculation_method", path),
            data_source: self.text(o, "data_source", path),
            department: self.text(o, "department", path),
            sample: self.flag(o, "sample", path),
            code: self.text(o, "code", path),
            decimals: self.count(o, "decimals", path),
            interim_targets: self.list(o, "interim_targets", path, Self::year_value_at),
            tolerance: match o.get("tolerance") {
                None | Some(Value::Null) => None,
                Some(v) => Some(self.decimal_value(v, &format!("{path}.tolerance"))),
            },
            cumulative_entry: match o.get("cumulative_entry") {
                None | Some(Value::Null) => Entered::RunningTotals,
                Some(_) => self.parsed(
                    o,
                    "cumulative_entry",
                    path,
                    |s| {
                        Entered::from_code(s).ok_or_else(|| {
                            format!(
                                "「{s}」: cumulative_entry は running_totals（累計を入力）か yearly_amounts（各年度の実績を入力）です。"
                            )
                        })
                    },
                    Entered::RunningTotals,
                ),
            },
            acquisition: self.text(o, "acquisition", path),
            lag_years: self.count(o, "lag_years", path),
            definition_changes: self.list(o, "definition_changes", path, Self::definition_change),
        }
    }

    /// An optional whole number ≥ 0.
    fn count(&mut self, o: &Obj, key: &str, path: &str) -> Option<u32> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) => Some(n),
                None => {
                    self.problem(
                        &format!("{path}.{key}"),
                        format!("{n} は使えません。0以上の整数で指定してください。"),
                    );
                    None
                }
            },
            Some(_) => {
                self.problem(
                    &format!("{path}.{key}"),
                    "0以上の整数（例: 2）か null で指定してください。",
                );
                None
            }
        }
    }

    fn definition_change(&mut self, v: &Value, path: &str) -> DefinitionChange {
        let o = self.object(v, path, &["year", "note"]);
        let year = self.year(o, "year", path);
        DefinitionChange {
            year,
            note: self.string(o, "note", path),
        }
    }
}
