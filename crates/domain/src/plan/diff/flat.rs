//! The plan as a flat list of elements in display order, each with its attributes as text
//! under their Japanese labels — texts and values apart —, its parent and its position: what
//! the diff matches and compares, and what [`super::outline`] shows.

use crate::era::YearStyle;
use crate::ids::{ElementId, ElementRef};
use crate::plan::comprehensive::{Approach, ComprehensivePlan};
use crate::plan::strategy::{Indicator, IndicatorType, Strategy, YearValue};
use crate::plan::{ElementKind, Plan, PlanHeader};

use super::Shown;

/// How years are written in a diff: 「令和7年度（2025年度）」, as pages show them.
const YEAR_STYLE: YearStyle = YearStyle::WarekiWithWestern;
pub(super) type Key<'a> = (Option<ElementKind>, Option<&'a ElementId>);

/// One element (or the header) with its attributes as text.
pub(super) struct Entry {
    pub(super) kind: Option<ElementKind>,
    pub(super) id: Option<ElementId>,
    pub(super) title: String,
    /// The element it is listed under; `None` at the top of the plan.
    pub(super) parent: Option<ElementId>,
    /// The parent as users read it, for 「所属」.
    pub(super) parent_label: String,
    /// Index among its siblings of the same kind.
    pub(super) position: usize,
    pub(super) fields: Vec<Attr>,
}

impl Entry {
    pub(super) fn key(&self) -> Key<'_> {
        (self.kind.map(matching_kind), self.id.as_ref())
    }

    /// Where the element stands: 「分野「子育て」の施策の2番目」, 「基本構想のまちづくりの目標の1番目」.
    pub(super) fn place(&self) -> String {
        let Some(kind) = self.kind else {
            return String::new();
        };
        let n = self.position + 1;
        if self.parent_label.is_empty() {
            format!("{}の{n}番目", kind.label())
        } else {
            format!("{}の{}の{n}番目", self.parent_label, kind.label())
        }
    }

    /// Every attribute that is not empty (the sample flag only when set).
    pub(super) fn content(&self) -> Vec<Shown> {
        self.fields
            .iter()
            .filter(|a| {
                let unset_sample = a.label == SAMPLE && a.text == yes_no(false);
                !a.text.is_empty() && !unset_sample
            })
            .map(|a| Shown {
                label: a.label,
                text: a.text.clone(),
                value: a.value,
            })
            .collect()
    }
}

/// One attribute of an element as text, with whether it is a value or a text.
pub(super) struct Attr {
    pub(super) label: &'static str,
    pub(super) text: String,
    pub(super) value: bool,
}

/// The label of the sample flag: an added element lists it only when it is set.
const SAMPLE: &str = "サンプル";

/// A text attribute (compared character by character).
fn text(label: &'static str, text: String) -> Attr {
    Attr {
        label,
        text,
        value: false,
    }
}

/// A value attribute (compared whole).
pub(super) fn value(label: &'static str, text: String) -> Attr {
    Attr {
        label,
        text,
        value: true,
    }
}

/// The kind under which elements are matched across versions: a まちづくりの進め方 keeps its
/// identity when it moves between the 基本構想 and a 基本計画 (it is then shown as moved).
pub(super) fn matching_kind(kind: ElementKind) -> ElementKind {
    match kind {
        ElementKind::PlanApproach => ElementKind::VisionApproach,
        other => other,
    }
}

/// Where an element is listed.
#[derive(Clone)]
struct Parent {
    id: Option<ElementId>,
    label: String,
}

impl Parent {
    fn top(label: &str) -> Self {
        Self {
            id: None,
            label: label.to_owned(),
        }
    }

    fn of(kind: ElementKind, id: &ElementId, title: &str) -> Self {
        Self {
            id: Some(id.clone()),
            label: format!("{}「{}」", kind.label(), title),
        }
    }
}

fn element(
    kind: ElementKind,
    id: &ElementId,
    title: &str,
    parent: &Parent,
    position: usize,
    fields: Vec<Attr>,
) -> Entry {
    Entry {
        kind: Some(kind),
        id: Some(id.clone()),
        title: title.to_owned(),
        parent: parent.id.clone(),
        parent_label: parent.label.clone(),
        position,
        fields,
    }
}

pub(super) fn flatten(plan: &Plan) -> Vec<Entry> {
    let mut out = Vec::new();
    match plan {
        Plan::Comprehensive(p) => flatten_comprehensive(p, &mut out),
        Plan::Strategy(s) => flatten_strategy(s, &mut out),
    }
    out
}

fn header(h: &PlanHeader, extra: Vec<Attr>) -> Entry {
    let mut fields = vec![
        text("名称", h.title.clone()),
        text("目的", h.purpose.clone()),
        text("範囲", h.scope.clone()),
        value("開始年度", h.period.start.format(YEAR_STYLE)),
        value("終了年度", h.period.end.format(YEAR_STYLE)),
        text("期間の説明", h.period.description.clone()),
        value("状態", h.status.label().to_owned()),
    ];
    fields.extend(extra);
    Entry {
        kind: None,
        id: None,
        title: h.title.clone(),
        parent: None,
        parent_label: String::new(),
        position: 0,
        fields,
    }
}

fn yes_no(flag: bool) -> String {
    if flag { "はい" } else { "いいえ" }.to_owned()
}

fn join_ids(ids: &[ElementId]) -> String {
    ids.iter()
        .map(ElementId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn join_refs(refs: &[ElementRef]) -> String {
    refs.iter()
        .map(|r| format!("{}/{}", r.plan, r.element))
        .collect::<Vec<_>>()
        .join(", ")
}

fn value_of(v: Option<&YearValue>) -> String {
    v.map(|v| v.value.to_string()).unwrap_or_default()
}

fn year_of(v: Option<&YearValue>) -> String {
    v.map(|v| v.year.format(YEAR_STYLE)).unwrap_or_default()
}

fn year_value(v: Option<&YearValue>) -> String {
    v.map_or_else(String::new, |v| {
        format!(
            "{}（{}）",
            v.value,
            crate::format::fiscal_year_inline(v.year)
        )
    })
}

fn count(n: Option<u32>, unit: &str) -> String {
    n.map(|n| format!("{n}{unit}")).unwrap_or_default()
}

fn approach(kind: ElementKind, a: &Approach, parent: &Parent, position: usize) -> Entry {
    element(
        kind,
        &a.id,
        &a.title,
        parent,
        position,
        vec![
            value("番号", a.number.clone()),
            text("名称", a.title.clone()),
            text("説明", a.description.clone()),
        ],
    )
}

#[allow(clippy::too_many_lines)] // one entry per element kind of the tree, each with its labelled attributes
fn flatten_comprehensive(p: &ComprehensivePlan, out: &mut Vec<Entry>) {
    let v = &p.vision;
    out.push(header(
        &p.header,
        vec![
            text("将来像", v.future_image.clone()),
            text("将来像の説明", v.future_image_note.clone()),
        ],
    ));
    let vision = Parent::top("基本構想");
    for (k, x) in v.principles.iter().enumerate() {
        out.push(element(
            ElementKind::Principle,
            &x.id,
            &x.title,
            &vision,
            k,
            vec![
                value("番号", x.number.clone()),
                text("名称", x.title.clone()),
                text("説明", x.description.clone()),
            ],
        ));
    }
    for (k, x) in v.goals.iter().enumerate() {
        out.push(element(
            ElementKind::Goal,
            &x.id,
            &x.title,
            &vision,
            k,
            vec![
                value("番号", x.number.clone()),
                text("名称", x.title.clone()),
                text("説明", x.description.clone()),
            ],
        ));
    }
    for (k, x) in v.approaches.iter().enumerate() {
        out.push(approach(ElementKind::VisionApproach, x, &vision, k));
    }
    let top = Parent::top("");
    for (b, bp) in p.basic_plans.iter().enumerate() {
        out.push(element(
            ElementKind::BasicPlan,
            &bp.id,
            &bp.title,
            &top,
            b,
            vec![
                value("区分", bp.half.label().to_owned()),
                text("名称", bp.title.clone()),
                value("開始年度", bp.start.format(YEAR_STYLE)),
                value("終了年度", bp.end.format(YEAR_STYLE)),
                text("説明", bp.description.clone()),
            ],
        ));
        let in_bp = Parent::of(ElementKind::BasicPlan, &bp.id, &bp.title);
        for (k, x) in bp.priority_projects.iter().enumerate() {
            out.push(element(
                ElementKind::PriorityProject,
                &x.id,
                &x.title,
                &in_bp,
                k,
                vec![
                    value("番号", x.number.clone()),
                    text("名称", x.title.clone()),
                    text("施策の考え方・進め方", x.description.clone()),
                    value("関連する施策", join_ids(&x.measures)),
                    value("サンプル", yes_no(x.sample)),
                ],
            ));
        }
        for (k, f) in bp.fields.iter().enumerate() {
            out.push(element(
                ElementKind::Field,
                &f.id,
                &f.title,
                &in_bp,
                k,
                vec![
                    value("番号", f.number.clone()),
                    text("名称", f.title.clone()),
                    value("まちづくりの目標", f.goal.to_string()),
                    text("現状と課題", f.current_state.clone()),
                    value("所管課", f.department.clone()),
                    value("サンプル", yes_no(f.sample)),
                ],
            ));
            let in_field = Parent::of(ElementKind::Field, &f.id, &f.title);
            for (n, m) in f.measures.iter().enumerate() {
                out.push(element(
                    ElementKind::Measure,
                    &m.id,
                    &m.title,
                    &in_field,
                    n,
                    vec![
                        value("番号", m.number.clone()),
                        text("名称", m.title.clone()),
                        text("展開方法", m.course_of_action.clone()),
                        text("市民の参画", m.citizen_participation.clone()),
                        value("所管課", m.department.clone()),
                        value("サンプル", yes_no(m.sample)),
                    ],
                ));
                let in_measure = Parent::of(ElementKind::Measure, &m.id, &m.title);
                for (q, i) in m.indicators.iter().enumerate() {
                    out.push(indicator(ElementKind::OutcomeIndicator, i, &in_measure, q));
                }
            }
            for (q, i) in f.indicators.iter().enumerate() {
                out.push(indicator(ElementKind::OutcomeIndicator, i, &in_field, q));
            }
        }
        for (k, x) in bp.approaches.iter().enumerate() {
            out.push(approach(ElementKind::PlanApproach, x, &in_bp, k));
        }
    }
}

fn indicator(kind: ElementKind, i: &Indicator, parent: &Parent, position: usize) -> Entry {
    element(
        kind,
        &i.id,
        &i.title,
        parent,
        position,
        vec![
            text("名称", i.title.clone()),
            value("指標コード", i.code.clone()),
            value("単位", i.unit.clone()),
            value("方向", i.direction.label().to_owned()),
            value("種類", i.indicator_type.label().to_owned()),
            value("基準値", value_of(i.baseline.as_ref())),
            value("基準年度", year_of(i.baseline.as_ref())),
            value("目標値", value_of(i.target.as_ref())),
            value("目標年度", year_of(i.target.as_ref())),
            value(
                "中間目標値",
                i.interim_targets
                    .iter()
                    .map(|v| year_value(Some(v)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            value(
                "許容幅",
                i.tolerance.map(|t| format!("±{t}")).unwrap_or_default(),
            ),
            value(
                "累計値の入力方法",
                if i.indicator_type == IndicatorType::Cumulative {
                    i.cumulative_entry.label().to_owned()
                } else {
                    String::new()
                },
            ),
            value("表示桁数", count(i.decimals, "桁")),
            text("算出方法", i.calculation_method.clone()),
            text("出典", i.data_source.clone()),
            text("把握方法", i.acquisition.clone()),
            value("把握時期", count(i.lag_years, "年後")),
            text(
                "定義の変更",
                i.definition_changes
                    .iter()
                    .map(|c| format!("{}: {}", c.year.format(YEAR_STYLE), c.note))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            value("所管課", i.department.clone()),
            value("サンプル", yes_no(i.sample)),
        ],
    )
}

fn flatten_strategy(s: &Strategy, out: &mut Vec<Entry>) {
    out.push(header(&s.header, Vec::new()));
    let top = Parent::top("");
    for (k, o) in s.basic_objectives.iter().enumerate() {
        out.push(element(
            ElementKind::BasicObjective,
            &o.id,
            &o.title,
            &top,
            k,
            vec![
                value("番号", o.number.clone()),
                text("名称", o.title.clone()),
                text("説明", o.description.clone()),
                value("サンプル", yes_no(o.sample)),
            ],
        ));
        let in_objective = Parent::of(ElementKind::BasicObjective, &o.id, &o.title);
        for (n, t) in o.numerical_targets.iter().enumerate() {
            out.push(indicator(ElementKind::NumericalTarget, t, &in_objective, n));
        }
        for (n, m) in o.measures.iter().enumerate() {
            out.push(element(
                ElementKind::StrategyMeasure,
                &m.id,
                &m.title,
                &in_objective,
                n,
                vec![
                    value("番号", m.number.clone()),
                    text("名称", m.title.clone()),
                    text("説明", m.description.clone()),
                    value("所管課", m.department.clone()),
                    value("関連する施策", join_refs(&m.linked_measures)),
                    value(
                        "関連する重点プロジェクト",
                        join_refs(&m.linked_priority_projects),
                    ),
                    value("サンプル", yes_no(m.sample)),
                ],
            ));
            let in_measure = Parent::of(ElementKind::StrategyMeasure, &m.id, &m.title);
            for (q, kpi) in m.kpis.iter().enumerate() {
                out.push(indicator(ElementKind::Kpi, kpi, &in_measure, q));
            }
        }
    }
}
