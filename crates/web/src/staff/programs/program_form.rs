//! The parts of a program's form: the values of a stored program as the form shows them
//! (amounts in exact 千円), the links a program may have (grouped for the form's select and
//! checkboxes), the inputs of each fiscal year, and the departments offered.

use std::collections::BTreeMap;

use keikaku_app::programs::EditionView;
use keikaku_domain::ElementKind;
use keikaku_domain::Plan;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format;
use keikaku_domain::program::{FundingPart, Program, ProgramYear};

/// The amount fields of a year, in the order of the form's columns.
const YEAR_FIELDS: [(&str, &str); 7] = [
    ("cost", "事業費"),
    ("national", "国庫支出金"),
    ("prefectural", "県支出金"),
    ("bonds", "地方債"),
    ("other", "その他"),
    ("general", "一般財源"),
    ("activity_target", "活動指標の目標値"),
];

/// The values a form shows for a stored program: amounts in exact 千円.
pub(super) fn values_of(
    p: &Program,
    view: &EditionView,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut v = BTreeMap::new();
    for (k, text) in [
        ("code", p.code.to_string()),
        ("name", p.name.clone()),
        ("department", p.department.clone()),
        ("category", p.category.code().to_owned()),
        ("purpose", p.purpose.clone()),
        ("target_group", p.target_group.clone()),
        ("means", p.means.clone()),
        ("start_year", p.start_year.year().to_string()),
        (
            "end_year",
            p.end_year.map(|y| y.year().to_string()).unwrap_or_default(),
        ),
        ("account", p.account.code().to_owned()),
        ("expense_type", p.expense_type.code().to_owned()),
        ("activity_name", p.activity.name.clone()),
        ("activity_unit", p.activity.unit.clone()),
    ] {
        v.insert(k.to_owned(), text);
    }
    if p.sample {
        v.insert("sample".to_owned(), "yes".to_owned());
    }
    for y in &p.years {
        year_values(y, &mut v);
    }
    let places = view.places();
    let link_text = |l: &keikaku_domain::ElementRef| format!("{}/{}", l.plan, l.element);
    let primary = p
        .links
        .iter()
        .find(|l| l.plan == view.edition.plan && places.kind(l) == Some(ElementKind::Measure));
    if let Some(m) = primary {
        v.insert("primary".to_owned(), link_text(m));
    }
    let others = p
        .links
        .iter()
        .filter(|l| Some(*l) != primary)
        .map(link_text)
        .collect();
    (v, others)
}

fn year_values(y: &ProgramYear, v: &mut BTreeMap<String, String>) {
    let thousands = |yen: i64| {
        let d = rust_decimal::Decimal::new(yen, 3).normalize();
        format::group_digits(&d.to_string())
    };
    let key = |k: &str| format!("y{}.{k}", y.fiscal_year.year());
    v.insert(key("cost"), thousands(y.funding.cost.yen()));
    for part in FundingPart::ALL {
        v.insert(key(part.code()), thousands(y.funding.part(part).yen()));
    }
    if let Some(t) = y.activity_target {
        v.insert(key("activity_target"), t.to_string());
    }
}

/// One choice of a checkbox group or select.
pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) checked: bool,
}

pub(super) struct ChoiceGroup {
    pub(super) legend: String,
    pub(super) choices: Vec<Choice>,
}

/// The measures of one field for the primary measure's select: (group label, options).
pub(super) type MeasureOptions = (String, Vec<(String, String)>);

/// The links a program may have, grouped: the basis plan's measures (by field), its priority
/// projects, the strategies' measures, every indicator; and any link that names nothing now.
pub(super) fn link_groups(
    view: &EditionView,
    checked: &[String],
) -> (Vec<MeasureOptions>, Vec<ChoiceGroup>) {
    let is = |v: &str| checked.iter().any(|c| c == v);
    let mut measures = Vec::new();
    let mut projects = Vec::new();
    let mut strategy = Vec::new();
    let mut indicators = Vec::new();
    for plan in &view.plans {
        let pid = plan.id();
        for i in plan.indicators() {
            let value = format!("{pid}/{}", i.indicator.id);
            indicators.push(Choice {
                checked: is(&value),
                label: format!(
                    "{}（{}・{}）",
                    i.indicator.title,
                    i.kind.label(),
                    plan.header().title
                ),
                value,
            });
        }
        match plan {
            Plan::Comprehensive(c) if pid == &view.edition.plan => {
                for bp in &c.basic_plans {
                    for f in &bp.fields {
                        let options: Vec<(String, String)> = f
                            .measures
                            .iter()
                            .map(|m| {
                                (
                                    format!("{pid}/{}", m.id),
                                    format!("{}\u{3000}{}", m.number, m.title),
                                )
                            })
                            .collect();
                        if !options.is_empty() {
                            measures.push((
                                format!("{} {}\u{3000}{}", bp.title, f.number, f.title),
                                options,
                            ));
                        }
                    }
                    for p in &bp.priority_projects {
                        let value = format!("{pid}/{}", p.id);
                        projects.push(Choice {
                            checked: is(&value),
                            label: p.title.clone(),
                            value,
                        });
                    }
                }
            }
            Plan::Comprehensive(_) => {}
            Plan::Strategy(s) => {
                for o in &s.basic_objectives {
                    for m in &o.measures {
                        let value = format!("{pid}/{}", m.id);
                        strategy.push(Choice {
                            checked: is(&value),
                            label: format!("{}\u{3000}{}（{}）", m.number, m.title, o.title),
                            value,
                        });
                    }
                }
            }
        }
    }
    let other_measures: Vec<Choice> = measures
        .iter()
        .flat_map(|(_, o)| o.iter())
        .map(|(value, label)| Choice {
            checked: is(value),
            value: value.clone(),
            label: label.clone(),
        })
        .collect();
    let known: Vec<String> = other_measures
        .iter()
        .chain(&projects)
        .chain(&strategy)
        .chain(&indicators)
        .map(|c| c.value.clone())
        .collect();
    let unknown: Vec<Choice> = checked
        .iter()
        .filter(|c| !known.contains(c))
        .map(|c| Choice {
            value: c.clone(),
            label: format!("（計画にない要素）{c}"),
            checked: true,
        })
        .collect();
    let groups = [
        ("関連するほかの施策", other_measures),
        ("重点プロジェクト", projects),
        ("総合戦略の施策", strategy),
        ("つながる成果指標（成果指標・KPI・数値目標）", indicators),
        ("見つからない要素（外すと保存できます）", unknown),
    ]
    .into_iter()
    .filter(|(_, c)| !c.is_empty())
    .map(|(legend, choices)| ChoiceGroup {
        legend: legend.to_owned(),
        choices,
    })
    .collect();
    (measures, groups)
}

pub(super) struct YearInputs {
    pub(super) label: String,
    pub(super) cells: Vec<(String, String, String)>,
}

/// The HTML id of a field (`y2027.cost` → `program-y2027-cost`).
pub(super) fn field_id(name: &str) -> String {
    format!("program-{}", name.replace('.', "-"))
}

pub(super) fn year_inputs(years: &[FiscalYear]) -> Vec<YearInputs> {
    years
        .iter()
        .map(|y| YearInputs {
            label: format::fiscal_year(*y),
            cells: YEAR_FIELDS
                .iter()
                .map(|(k, label)| {
                    let name = format!("y{}.{k}", y.year());
                    let unit = if *k == "activity_target" {
                        ""
                    } else {
                        "（千円）"
                    };
                    // The fieldset's legend names the year; the label names the amount.
                    (field_id(&name), name, format!("{label}{unit}"))
                })
                .collect(),
        })
        .collect()
}

/// The departments a form offers: those of the plans and of the edition's programs.
pub(super) fn departments(view: &EditionView) -> Vec<String> {
    let mut out: Vec<String> = view
        .programs
        .iter()
        .map(|p| p.program.department.trim().to_owned())
        .collect();
    for plan in &view.plans {
        for i in plan.indicators() {
            out.push(i.department.trim().to_owned());
        }
    }
    out.retain(|d| !d.is_empty());
    out.sort();
    out.dedup();
    out
}
