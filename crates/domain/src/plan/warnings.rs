//! Warnings: input a plan may hold but that is probably not what its author meant — a target
//! year outside the period the indicator belongs to, a baseline and a target in the same
//! year, a target that does not move the way the indicator should. A save with warnings
//! succeeds (the plan is valid, [`crate::plan::validate`] says what is not); the page after it
//! shows them, each with the field it concerns, so that the author can look again.
//!
//! What `validate` already refuses (a target year before the baseline year, a value without
//! its year) is never warned about as well.

use crate::era::{FiscalYear, YearStyle};
use crate::ids::ElementId;
use crate::plan::Plan;
use crate::plan::kinds::{ElementField, ElementKind};
use crate::plan::strategy::{Direction, Indicator};

/// One warning: the field it concerns and the message, which names the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The field the author should look at again.
    pub field: ElementField,
    /// What looks wrong, in Japanese, beginning with the field's label.
    pub message: String,
}

/// The fiscal years an indicator's target should fall in, with their name in messages
/// (「計画期間」, 「前期基本計画の期間」).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// What the span is called.
    pub name: String,
    /// Its first fiscal year.
    pub start: FiscalYear,
    /// Its last fiscal year.
    pub end: FiscalYear,
}

impl Span {
    fn text(&self) -> String {
        format!(
            "{}（{}〜{}）",
            self.name,
            self.start.format(YearStyle::Wareki),
            self.end.format(YearStyle::Wareki)
        )
    }
}

/// The label an indicator's form gives a field (「目標値の年度」).
fn label(field: ElementField) -> &'static str {
    ElementKind::Kpi
        .fields()
        .iter()
        .find(|d| d.field == field)
        .map_or("", |d| d.label)
}

/// The warnings of one indicator, whose target should fall in `span`.
pub fn indicator_warnings(ind: &Indicator, span: &Span) -> Vec<Warning> {
    let mut out = Vec::new();
    let warn = |field: ElementField, text: String| Warning {
        field,
        message: format!("{} {text}", label(field)),
    };
    if let Some(t) = ind.target
        && !(span.start <= t.year && t.year <= span.end)
    {
        out.push(warn(
            ElementField::TargetYear,
            format!(
                "{}は{}の外です。",
                crate::format::fiscal_year(t.year),
                span.text()
            ),
        ));
    }
    let (Some(b), Some(t)) = (ind.baseline, ind.target) else {
        return out;
    };
    if b.year == t.year {
        out.push(warn(
            ElementField::TargetYear,
            format!(
                "{}は基準値の年度と同じです。",
                crate::format::fiscal_year(t.year)
            ),
        ));
    }
    // A later baseline year is an error of its own (validate), so values are compared only
    // when the years run forward.
    if b.year > t.year {
        return out;
    }
    let (bv, tv) = (
        crate::format::value(b.value, ind.decimals),
        crate::format::value(t.value, ind.decimals),
    );
    let wrong_way = match ind.direction {
        Direction::Higher => t.value < b.value,
        Direction::Lower => t.value > b.value,
        Direction::Maintain => false,
    };
    if t.value == b.value && ind.direction != Direction::Maintain {
        out.push(warn(
            ElementField::TargetValue,
            format!(
                "{tv}{}が基準値と同じです（目指す方向は「{}」）。",
                ind.unit,
                ind.direction.label()
            ),
        ));
    } else if wrong_way {
        out.push(warn(
            ElementField::TargetValue,
            format!(
                "{tv}{unit}が基準値{bv}{unit}より{}なっています（目指す方向は「{}」）。",
                if ind.direction == Direction::Higher {
                    "小さく"
                } else {
                    "大きく"
                },
                ind.direction.label(),
                unit = ind.unit,
            ),
        ));
    }
    out
}

/// The span an element's target should fall in: a strategy's period; for a comprehensive
/// plan's 成果指標, the period of the basic plan it belongs to.
fn span_of(plan: &Plan, id: &ElementId) -> Span {
    let period = &plan.header().period;
    let whole = Span {
        name: "計画期間".to_owned(),
        start: period.start,
        end: period.end,
    };
    match plan {
        Plan::Strategy(_) => whole,
        Plan::Comprehensive(p) => p
            .outcome_indicator(id)
            .and_then(|(f, _, _)| p.field(&f.id))
            .map_or(whole, |(bp, _)| Span {
                name: format!("{}の期間", bp.title),
                start: bp.start,
                end: bp.end,
            }),
    }
}

/// The warnings of an element of a plan (none for an element that is not an indicator).
pub fn element_warnings(plan: &Plan, id: &ElementId) -> Vec<Warning> {
    plan.indicator(id)
        .map(|place| indicator_warnings(place.indicator, &span_of(plan, id)))
        .unwrap_or_default()
}
