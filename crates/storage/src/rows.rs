//! The rows of the shared schema, and the conversion between them and a [`Plan`].
//!
//! A plan is stored as one `plan` row, one `plan_element` row per element (goal, field,
//! measure, KPI, …) with a `kind`, a parent and a position, and one `plan_link` row per
//! many-to-many link (priority project → measure, strategy measure → comprehensive plan).
//! Kind-specific attributes are ordinary nullable columns, so that later work can query them
//! (by department, by KPI year) in SQL.

use std::collections::HashMap;
use std::str::FromStr;

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::Entered;
use keikaku_domain::plan::year_lines;
use keikaku_domain::{
    Approach, BasicObjective, BasicPlan, ComprehensivePlan, Direction, ElementId, ElementKind,
    ElementRef, Field, Goal, Half, Indicator, IndicatorType, LinkKind, Measure, MunicipalityCode,
    Period, Plan, PlanHeader, PlanId, PlanKind, PlanStatus, Principle, PriorityProject, Strategy,
    StrategyMeasure, Vision, YearValue,
};
use rust_decimal::Decimal;

/// The `plan` row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanRow {
    pub municipality_code: String,
    pub id: String,
    pub kind: String,
    pub title: String,
    pub purpose: String,
    pub scope: String,
    pub period_start: i32,
    pub period_end: i32,
    pub period_description: String,
    pub status: String,
    pub position: i32,
    pub future_image: Option<String>,
    pub future_image_note: Option<String>,
}

/// A `plan_element` row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ElementRow {
    pub id: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub position: i32,
    pub number: String,
    pub title: String,
    pub description: String,
    pub goal_id: Option<String>,
    pub current_state: Option<String>,
    pub course_of_action: Option<String>,
    pub citizen_participation: Option<String>,
    pub department: Option<String>,
    pub half: Option<String>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub unit: Option<String>,
    pub direction: Option<String>,
    pub indicator_type: Option<String>,
    pub baseline_value: Option<String>,
    pub baseline_year: Option<i32>,
    pub target_value: Option<String>,
    pub target_year: Option<i32>,
    pub calculation_method: Option<String>,
    pub data_source: Option<String>,
    pub sample: bool,
    pub code: Option<String>,
    pub decimals: Option<i32>,
    /// 中間目標値 in the canonical text of [`keikaku_domain::plan::year_lines`].
    pub interim_targets: Option<String>,
    pub tolerance: Option<String>,
    pub cumulative_entry: Option<String>,
    pub acquisition: Option<String>,
    pub lag_years: Option<i32>,
    /// 定義の変更 in the canonical text of [`keikaku_domain::plan::year_lines`].
    pub definition_changes: Option<String>,
}

/// A `plan_link` row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkRow {
    pub from_id: String,
    pub kind: String,
    pub to_plan_id: String,
    pub to_id: String,
    pub position: i32,
}

/// All rows of one plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanRows {
    pub plan: PlanRow,
    pub elements: Vec<ElementRow>,
    pub links: Vec<LinkRow>,
}

fn pos(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

fn base(id: &ElementId, kind: &str, parent: Option<&ElementId>, i: usize) -> ElementRow {
    ElementRow {
        id: id.as_str().to_owned(),
        kind: kind.to_owned(),
        parent_id: parent.map(|p| p.as_str().to_owned()),
        position: pos(i),
        ..ElementRow::default()
    }
}

fn titled(row: ElementRow, number: &str, title: &str, description: &str) -> ElementRow {
    ElementRow {
        number: number.to_owned(),
        title: title.to_owned(),
        description: description.to_owned(),
        ..row
    }
}

/// Flattens a plan into rows.
pub fn flatten(plan: &Plan) -> PlanRows {
    let h = plan.header();
    let mut rows = PlanRows {
        plan: PlanRow {
            municipality_code: h.municipality.as_str().to_owned(),
            id: h.id.as_str().to_owned(),
            kind: plan.kind().code().to_owned(),
            title: h.title.clone(),
            purpose: h.purpose.clone(),
            scope: h.scope.clone(),
            period_start: h.period.start.year(),
            period_end: h.period.end.year(),
            period_description: h.period.description.clone(),
            status: h.status.code().to_owned(),
            position: h.position,
            future_image: None,
            future_image_note: None,
        },
        ..PlanRows::default()
    };
    match plan {
        Plan::Comprehensive(p) => flatten_comprehensive(p, &mut rows),
        Plan::Strategy(s) => flatten_strategy(s, &mut rows),
    }
    rows
}

fn approach_row(a: &Approach, kind: &str, parent: Option<&ElementId>, i: usize) -> ElementRow {
    titled(
        base(&a.id, kind, parent, i),
        &a.number,
        &a.title,
        &a.description,
    )
}

#[allow(clippy::too_many_lines)] // one row per element kind of the tree, in the tree's order
fn flatten_comprehensive(p: &ComprehensivePlan, rows: &mut PlanRows) {
    rows.plan.future_image = Some(p.vision.future_image.clone());
    rows.plan.future_image_note = Some(p.vision.future_image_note.clone());
    let e = &mut rows.elements;
    for (i, x) in p.vision.principles.iter().enumerate() {
        e.push(titled(
            base(&x.id, ElementKind::Principle.code(), None, i),
            &x.number,
            &x.title,
            &x.description,
        ));
    }
    for (i, x) in p.vision.goals.iter().enumerate() {
        e.push(titled(
            base(&x.id, ElementKind::Goal.code(), None, i),
            &x.number,
            &x.title,
            &x.description,
        ));
    }
    for (i, x) in p.vision.approaches.iter().enumerate() {
        e.push(approach_row(x, ElementKind::VisionApproach.code(), None, i));
    }
    for (i, bp) in p.basic_plans.iter().enumerate() {
        e.push(ElementRow {
            half: Some(bp.half.code().to_owned()),
            start_year: Some(bp.start.year()),
            end_year: Some(bp.end.year()),
            ..titled(
                base(&bp.id, ElementKind::BasicPlan.code(), None, i),
                "",
                &bp.title,
                &bp.description,
            )
        });
        let parent = Some(&bp.id);
        for (j, pp) in bp.priority_projects.iter().enumerate() {
            e.push(ElementRow {
                sample: pp.sample,
                ..titled(
                    base(&pp.id, ElementKind::PriorityProject.code(), parent, j),
                    &pp.number,
                    &pp.title,
                    &pp.description,
                )
            });
            for (k, m) in pp.measures.iter().enumerate() {
                rows.links.push(LinkRow {
                    from_id: pp.id.as_str().to_owned(),
                    kind: LinkKind::ProjectMeasure.code().to_owned(),
                    to_plan_id: p.header.id.as_str().to_owned(),
                    to_id: m.as_str().to_owned(),
                    position: pos(k),
                });
            }
        }
        for (j, f) in bp.fields.iter().enumerate() {
            e.push(ElementRow {
                goal_id: Some(f.goal.as_str().to_owned()),
                current_state: Some(f.current_state.clone()),
                department: Some(f.department.clone()),
                sample: f.sample,
                ..titled(
                    base(&f.id, ElementKind::Field.code(), parent, j),
                    &f.number,
                    &f.title,
                    "",
                )
            });
            for (k, m) in f.measures.iter().enumerate() {
                e.push(ElementRow {
                    course_of_action: Some(m.course_of_action.clone()),
                    citizen_participation: Some(m.citizen_participation.clone()),
                    department: Some(m.department.clone()),
                    sample: m.sample,
                    ..titled(
                        base(&m.id, ElementKind::Measure.code(), Some(&f.id), k),
                        &m.number,
                        &m.title,
                        "",
                    )
                });
                for (q, ind) in m.indicators.iter().enumerate() {
                    e.push(indicator_row(
                        ind,
                        ElementKind::OutcomeIndicator.code(),
                        &m.id,
                        q,
                    ));
                }
            }
            for (q, ind) in f.indicators.iter().enumerate() {
                e.push(indicator_row(
                    ind,
                    ElementKind::OutcomeIndicator.code(),
                    &f.id,
                    q,
                ));
            }
        }
        for (j, a) in bp.approaches.iter().enumerate() {
            e.push(approach_row(a, ElementKind::PlanApproach.code(), parent, j));
        }
    }
}

fn indicator_row(ind: &Indicator, kind: &str, parent: &ElementId, i: usize) -> ElementRow {
    ElementRow {
        unit: Some(ind.unit.clone()),
        direction: Some(ind.direction.code().to_owned()),
        indicator_type: Some(ind.indicator_type.code().to_owned()),
        baseline_value: ind.baseline.map(|b| b.value.to_string()),
        baseline_year: ind.baseline.map(|b| b.year.year()),
        target_value: ind.target.map(|t| t.value.to_string()),
        target_year: ind.target.map(|t| t.year.year()),
        calculation_method: Some(ind.calculation_method.clone()),
        data_source: Some(ind.data_source.clone()),
        department: Some(ind.department.clone()),
        sample: ind.sample,
        code: Some(ind.code.clone()),
        decimals: ind.decimals.map(count),
        interim_targets: Some(year_lines::year_values_text(&ind.interim_targets)),
        tolerance: ind.tolerance.map(|t| t.to_string()),
        cumulative_entry: Some(ind.cumulative_entry.code().to_owned()),
        acquisition: Some(ind.acquisition.clone()),
        lag_years: ind.lag_years.map(count),
        definition_changes: Some(year_lines::definition_changes_text(&ind.definition_changes)),
        ..titled(base(&ind.id, kind, Some(parent), i), "", &ind.title, "")
    }
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn flatten_strategy(s: &Strategy, rows: &mut PlanRows) {
    for (i, o) in s.basic_objectives.iter().enumerate() {
        rows.elements.push(ElementRow {
            sample: o.sample,
            ..titled(
                base(&o.id, ElementKind::BasicObjective.code(), None, i),
                &o.number,
                &o.title,
                &o.description,
            )
        });
        for (j, t) in o.numerical_targets.iter().enumerate() {
            rows.elements.push(indicator_row(
                t,
                ElementKind::NumericalTarget.code(),
                &o.id,
                j,
            ));
        }
        for (j, m) in o.measures.iter().enumerate() {
            rows.elements.push(ElementRow {
                department: Some(m.department.clone()),
                sample: m.sample,
                ..titled(
                    base(&m.id, ElementKind::StrategyMeasure.code(), Some(&o.id), j),
                    &m.number,
                    &m.title,
                    &m.description,
                )
            });
            for (k, kpi) in m.kpis.iter().enumerate() {
                rows.elements
                    .push(indicator_row(kpi, ElementKind::Kpi.code(), &m.id, k));
            }
            let links = [
                (LinkKind::StrategyMeasure.code(), &m.linked_measures),
                (
                    LinkKind::StrategyProject.code(),
                    &m.linked_priority_projects,
                ),
            ];
            for (link_kind, refs) in links {
                for (k, r) in refs.iter().enumerate() {
                    rows.links.push(LinkRow {
                        from_id: m.id.as_str().to_owned(),
                        kind: link_kind.to_owned(),
                        to_plan_id: r.plan.as_str().to_owned(),
                        to_id: r.element.as_str().to_owned(),
                        position: pos(k),
                    });
                }
            }
        }
    }
}

/// Assembling failed: the rows do not form a plan. The message says which row and why.
pub type AssembleError = String;

struct Assembler {
    /// Children of each parent ("" for top level), by kind, in position order.
    children: HashMap<(String, String), Vec<ElementRow>>,
    links: HashMap<(String, String), Vec<LinkRow>>,
}

impl Assembler {
    fn new(rows: &PlanRows) -> Self {
        let mut children: HashMap<(String, String), Vec<ElementRow>> = HashMap::new();
        for e in &rows.elements {
            let key = (e.parent_id.clone().unwrap_or_default(), e.kind.clone());
            children.entry(key).or_default().push(e.clone());
        }
        children
            .values_mut()
            .for_each(|v| v.sort_by_key(|e| e.position));
        let mut links: HashMap<(String, String), Vec<LinkRow>> = HashMap::new();
        for l in &rows.links {
            let key = (l.from_id.clone(), l.kind.clone());
            links.entry(key).or_default().push(l.clone());
        }
        links
            .values_mut()
            .for_each(|v| v.sort_by_key(|l| l.position));
        Self { children, links }
    }

    fn children(&self, parent: Option<&str>, kind: &str) -> &[ElementRow] {
        self.children
            .get(&(parent.unwrap_or("").to_owned(), kind.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    fn links(&self, from: &str, kind: &str) -> Result<Vec<ElementRef>, AssembleError> {
        self.links
            .get(&(from.to_owned(), kind.to_owned()))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|l| {
                Ok(ElementRef {
                    plan: PlanId::parse(&l.to_plan_id).map_err(|e| e.to_string())?,
                    element: element_id(&l.to_id)?,
                })
            })
            .collect()
    }
}

fn element_id(s: &str) -> Result<ElementId, AssembleError> {
    ElementId::parse(s).map_err(|e| e.to_string())
}

fn fiscal_year(y: i32) -> Result<FiscalYear, AssembleError> {
    FiscalYear::new(y).map_err(|e| e.to_string())
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn non_negative(n: i32, what: &str) -> Result<u32, AssembleError> {
    u32::try_from(n).map_err(|_| format!("{what}「{n}」"))
}

fn year_value(
    value: &Option<String>,
    year: Option<i32>,
) -> Result<Option<YearValue>, AssembleError> {
    match (value, year) {
        (Some(v), Some(y)) => Ok(Some(YearValue {
            value: Decimal::from_str(v).map_err(|e| format!("数値「{v}」: {e}"))?,
            year: fiscal_year(y)?,
        })),
        _ => Ok(None),
    }
}

/// Assembles a plan from its rows.
pub fn assemble(rows: &PlanRows) -> Result<Plan, AssembleError> {
    let p = &rows.plan;
    let kind = PlanKind::from_code(&p.kind).ok_or_else(|| format!("計画種別「{}」", p.kind))?;
    let header = PlanHeader {
        id: PlanId::parse(&p.id).map_err(|e| e.to_string())?,
        municipality: MunicipalityCode::parse(&p.municipality_code).map_err(|e| e.to_string())?,
        title: p.title.clone(),
        purpose: p.purpose.clone(),
        scope: p.scope.clone(),
        period: Period {
            start: fiscal_year(p.period_start)?,
            end: fiscal_year(p.period_end)?,
            description: p.period_description.clone(),
        },
        status: PlanStatus::from_code(&p.status).ok_or_else(|| format!("状態「{}」", p.status))?,
        position: p.position,
    };
    let a = Assembler::new(rows);
    Ok(match kind {
        PlanKind::Comprehensive => Plan::Comprehensive(assemble_comprehensive(header, p, &a)?),
        PlanKind::Strategy => Plan::Strategy(assemble_strategy(header, &a)?),
    })
}

fn approaches(
    a: &Assembler,
    parent: Option<&str>,
    kind: &str,
) -> Result<Vec<Approach>, AssembleError> {
    a.children(parent, kind)
        .iter()
        .map(|r| {
            Ok(Approach {
                id: element_id(&r.id)?,
                number: r.number.clone(),
                title: r.title.clone(),
                description: r.description.clone(),
            })
        })
        .collect()
}

#[allow(clippy::too_many_lines)] // the inverse of flatten_comprehensive, kind by kind
fn assemble_comprehensive(
    header: PlanHeader,
    p: &PlanRow,
    a: &Assembler,
) -> Result<ComprehensivePlan, AssembleError> {
    let vision = Vision {
        future_image: text(&p.future_image),
        future_image_note: text(&p.future_image_note),
        principles: approaches(a, None, ElementKind::Principle.code())?
            .into_iter()
            .map(|x| Principle {
                id: x.id,
                number: x.number,
                title: x.title,
                description: x.description,
            })
            .collect(),
        goals: approaches(a, None, ElementKind::Goal.code())?
            .into_iter()
            .map(|x| Goal {
                id: x.id,
                number: x.number,
                title: x.title,
                description: x.description,
            })
            .collect(),
        approaches: approaches(a, None, ElementKind::VisionApproach.code())?,
    };
    let mut basic_plans = Vec::new();
    for r in a.children(None, ElementKind::BasicPlan.code()) {
        let parent = Some(r.id.as_str());
        let mut fields = Vec::new();
        for f in a.children(parent, ElementKind::Field.code()) {
            let measures = a
                .children(Some(&f.id), ElementKind::Measure.code())
                .iter()
                .map(|m| {
                    Ok(Measure {
                        id: element_id(&m.id)?,
                        number: m.number.clone(),
                        title: m.title.clone(),
                        course_of_action: text(&m.course_of_action),
                        citizen_participation: text(&m.citizen_participation),
                        department: text(&m.department),
                        indicators: indicators(a, &m.id, ElementKind::OutcomeIndicator.code())?,
                        sample: m.sample,
                    })
                })
                .collect::<Result<_, AssembleError>>()?;
            fields.push(Field {
                id: element_id(&f.id)?,
                goal: element_id(&text(&f.goal_id))?,
                number: f.number.clone(),
                title: f.title.clone(),
                current_state: text(&f.current_state),
                department: text(&f.department),
                measures,
                indicators: indicators(a, &f.id, ElementKind::OutcomeIndicator.code())?,
                sample: f.sample,
            });
        }
        let priority_projects = a
            .children(parent, ElementKind::PriorityProject.code())
            .iter()
            .map(|pp| {
                Ok(PriorityProject {
                    id: element_id(&pp.id)?,
                    number: pp.number.clone(),
                    title: pp.title.clone(),
                    description: pp.description.clone(),
                    measures: a
                        .links(&pp.id, LinkKind::ProjectMeasure.code())?
                        .into_iter()
                        .map(|l| l.element)
                        .collect(),
                    sample: pp.sample,
                })
            })
            .collect::<Result<_, AssembleError>>()?;
        let half = text(&r.half);
        basic_plans.push(BasicPlan {
            id: element_id(&r.id)?,
            half: Half::from_code(&half).ok_or_else(|| format!("前期・後期「{half}」"))?,
            title: r.title.clone(),
            start: fiscal_year(r.start_year.unwrap_or_default())?,
            end: fiscal_year(r.end_year.unwrap_or_default())?,
            description: r.description.clone(),
            priority_projects,
            fields,
            approaches: approaches(a, parent, ElementKind::PlanApproach.code())?,
        });
    }
    Ok(ComprehensivePlan {
        header,
        vision,
        basic_plans,
    })
}

fn indicators(a: &Assembler, parent: &str, kind: &str) -> Result<Vec<Indicator>, AssembleError> {
    a.children(Some(parent), kind)
        .iter()
        .map(|r| {
            let direction = text(&r.direction);
            let indicator_type = text(&r.indicator_type);
            Ok(Indicator {
                id: element_id(&r.id)?,
                title: r.title.clone(),
                unit: text(&r.unit),
                direction: Direction::from_code(&direction)
                    .ok_or_else(|| format!("方向「{direction}」"))?,
                indicator_type: IndicatorType::from_code(&indicator_type)
                    .ok_or_else(|| format!("指標の種類「{indicator_type}」"))?,
                baseline: year_value(&r.baseline_value, r.baseline_year)?,
                target: year_value(&r.target_value, r.target_year)?,
                calculation_method: text(&r.calculation_method),
                data_source: text(&r.data_source),
                department: text(&r.department),
                sample: r.sample,
                code: text(&r.code),
                decimals: r
                    .decimals
                    .map(|d| non_negative(d, "表示桁数"))
                    .transpose()?,
                interim_targets: year_lines::parse_year_values(&text(&r.interim_targets))
                    .map_err(|e| format!("中間目標値: {e}"))?,
                tolerance: r
                    .tolerance
                    .as_deref()
                    .map(|t| Decimal::from_str(t).map_err(|e| format!("許容幅「{t}」: {e}")))
                    .transpose()?,
                cumulative_entry: match r.cumulative_entry.as_deref() {
                    None | Some("") => Entered::RunningTotals,
                    Some(c) => {
                        Entered::from_code(c).ok_or_else(|| format!("累計値の入力方法「{c}」"))?
                    }
                },
                acquisition: text(&r.acquisition),
                lag_years: r
                    .lag_years
                    .map(|d| non_negative(d, "把握時期"))
                    .transpose()?,
                definition_changes: year_lines::parse_definition_changes(&text(
                    &r.definition_changes,
                ))
                .map_err(|e| format!("定義の変更: {e}"))?,
            })
        })
        .collect()
}

fn assemble_strategy(header: PlanHeader, a: &Assembler) -> Result<Strategy, AssembleError> {
    let mut basic_objectives = Vec::new();
    for o in a.children(None, ElementKind::BasicObjective.code()) {
        let mut measures = Vec::new();
        for m in a.children(Some(&o.id), ElementKind::StrategyMeasure.code()) {
            measures.push(StrategyMeasure {
                id: element_id(&m.id)?,
                number: m.number.clone(),
                title: m.title.clone(),
                description: m.description.clone(),
                department: text(&m.department),
                kpis: indicators(a, &m.id, ElementKind::Kpi.code())?,
                linked_measures: a.links(&m.id, LinkKind::StrategyMeasure.code())?,
                linked_priority_projects: a.links(&m.id, LinkKind::StrategyProject.code())?,
                sample: m.sample,
            });
        }
        basic_objectives.push(BasicObjective {
            id: element_id(&o.id)?,
            number: o.number.clone(),
            title: o.title.clone(),
            description: o.description.clone(),
            numerical_targets: indicators(a, &o.id, ElementKind::NumericalTarget.code())?,
            measures,
            sample: o.sample,
        });
    }
    Ok(Strategy {
        header,
        basic_objectives,
    })
}
