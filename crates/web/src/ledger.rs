//! The tables of the 実施計画 as view models, the same for the public and the staff pages: the
//! 一覧 (goal → field → measure, each program a group of rows, one per fiscal year, with
//! 事業費 and 財源内訳 in 千円), the totals, the aggregates by group, the budget guide, a
//! program across editions and the difference between two editions. Every amount goes through
//! the edition's [`Rounding`] once, and every table with totals carries its note.

use keikaku_app::programs::listing::{Label, listing};
use keikaku_app::programs::{Aggregates, EditionView};
use keikaku_app::programs::{EditionRecord, ProgramRecord};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::{self, Rounding};
use keikaku_domain::program::{
    Amount, BudgetLine, EditionDiff, Funding, FundingPart, Program, YearTotals, Yen,
};

/// The column heads of a year's amounts, in order.
pub(crate) const AMOUNT_HEADS: [&str; 6] = [
    "事業費",
    "国庫支出金",
    "県支出金",
    "地方債",
    "その他",
    "一般財源",
];

/// The head of amount column `i` (for the cells' labels on narrow screens).
pub(crate) fn head(i: &usize) -> &'static str {
    AMOUNT_HEADS.get(*i).copied().unwrap_or("")
}

/// What a cell without an amount shows.
pub(crate) const NONE: &str = "―";

/// One fiscal year's amounts as shown.
pub(crate) struct YearRow {
    pub(crate) year: String,
    /// 事業費 and the five funding sources, in 千円 (「―」 when not entered).
    pub(crate) cells: Vec<String>,
}

fn amounts(f: Option<&Funding>, r: Rounding) -> Vec<String> {
    match f {
        None => vec![NONE.to_owned(); 6],
        Some(f) => std::iter::once(f.cost)
            .chain(FundingPart::ALL.map(|p| f.part(p)))
            .map(|y| r.thousands_text(y.yen()))
            .collect(),
    }
}

fn year_rows(
    years: &[FiscalYear],
    f: impl Fn(FiscalYear) -> Option<Funding>,
    r: Rounding,
) -> Vec<YearRow> {
    years
        .iter()
        .map(|&y| YearRow {
            year: format::fiscal_year(y),
            cells: amounts(f(y).as_ref(), r),
        })
        .collect()
}

/// The rows of some totals, one per year.
pub(crate) fn totals_rows(t: &YearTotals, r: Rounding) -> Vec<YearRow> {
    let years: Vec<FiscalYear> = t.years.iter().map(|(y, _)| *y).collect();
    year_rows(&years, |y| Some(t.year(y)), r)
}

/// A program as a group of rows.
pub(crate) struct ProgramRows {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) href: String,
    pub(crate) department: String,
    pub(crate) category: &'static str,
    pub(crate) sample: bool,
    pub(crate) years: Vec<YearRow>,
    /// The cost of the three years together.
    pub(crate) all_years: String,
}

pub(crate) fn program_rows(
    p: &Program,
    years: &[FiscalYear],
    r: Rounding,
    href: String,
) -> ProgramRows {
    let all = YearTotals::of(years, [p]).all_years();
    ProgramRows {
        code: p.code.to_string(),
        name: p.name.clone(),
        href,
        department: p.department.clone(),
        category: p.category.label(),
        sample: p.sample,
        years: year_rows(years, |y| p.year(y).copied(), r),
        all_years: r.thousands_text(all.cost.yen()),
    }
}

/// The programs of one measure (or of no measure) as one table.
pub(crate) struct MeasureTable {
    pub(crate) id: String,
    pub(crate) heading: String,
    pub(crate) programs: Vec<ProgramRows>,
    pub(crate) subtotal: Vec<YearRow>,
}

/// A field and its measures.
pub(crate) struct FieldSection {
    pub(crate) id: String,
    pub(crate) heading: String,
    pub(crate) all_years: String,
    pub(crate) measures: Vec<MeasureTable>,
}

/// A goal and its fields.
pub(crate) struct GoalSection {
    pub(crate) id: String,
    pub(crate) heading: String,
    pub(crate) all_years: String,
    pub(crate) fields: Vec<FieldSection>,
}

/// The whole 一覧.
pub(crate) struct Ledger {
    pub(crate) goals: Vec<GoalSection>,
    pub(crate) unplaced: Option<MeasureTable>,
    pub(crate) total: Vec<YearRow>,
    pub(crate) total_all_years: String,
    pub(crate) note: String,
    pub(crate) programs: usize,
}

fn html_id(prefix: &str, label: &Label) -> String {
    let id: String = label
        .id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}-{id}")
}

/// The 一覧 of an edition, each program linked by `href`.
pub(crate) fn ledger(view: &EditionView, href: impl Fn(&ProgramRecord) -> String) -> Ledger {
    let list = listing(view);
    let r = view.rounding();
    let years = view.covers();
    let table =
        |id: String, heading: String, indices: &[usize], totals: &YearTotals| MeasureTable {
            id,
            heading,
            programs: indices
                .iter()
                .map(|&i| {
                    let p = &view.programs[i];
                    program_rows(&p.program, &years, r, href(p))
                })
                .collect(),
            subtotal: totals_rows(totals, r),
        };
    let goals = list
        .goals
        .iter()
        .map(|g| GoalSection {
            id: html_id("goal", &g.goal),
            heading: g.goal.display(),
            all_years: r.thousands_text(g.totals.all_years().cost.yen()),
            fields: g
                .fields
                .iter()
                .map(|f| FieldSection {
                    id: html_id("field", &f.field),
                    heading: f.field.display(),
                    all_years: r.thousands_text(f.totals.all_years().cost.yen()),
                    measures: f
                        .measures
                        .iter()
                        .map(|m| {
                            table(
                                html_id("measure", &m.measure),
                                m.measure.display(),
                                &m.programs,
                                &m.totals,
                            )
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let unplaced = (!list.unplaced.is_empty()).then(|| {
        table(
            "unplaced".to_owned(),
            "施策に位置付けのない事業".to_owned(),
            &list.unplaced,
            &list.unplaced_totals,
        )
    });
    Ledger {
        goals,
        unplaced,
        total: totals_rows(&list.total, r),
        total_all_years: r.thousands_text(list.total.all_years().cost.yen()),
        note: r.note(),
        programs: view.programs.len(),
    }
}

/// One group's row of an aggregate table.
pub(crate) struct GroupRow {
    pub(crate) label: String,
    pub(crate) programs: usize,
    /// 事業費 of each year.
    pub(crate) years: Vec<String>,
    pub(crate) all_years: String,
    /// 一般財源 of the three years.
    pub(crate) general: String,
}

/// A table of totals by some grouping.
pub(crate) struct GroupTable {
    pub(crate) id: &'static str,
    pub(crate) caption: String,
    pub(crate) note: Option<&'static str>,
    pub(crate) rows: Vec<GroupRow>,
}

fn group_table(
    id: &'static str,
    caption: &str,
    note: Option<&'static str>,
    rows: &[(Label, YearTotals)],
    r: Rounding,
) -> GroupTable {
    GroupTable {
        id,
        caption: caption.to_owned(),
        note,
        rows: rows
            .iter()
            .map(|(l, t)| GroupRow {
                label: l.display(),
                programs: t.programs,
                years: t
                    .years
                    .iter()
                    .map(|(_, f)| r.thousands_text(f.cost.yen()))
                    .collect(),
                all_years: r.thousands_text(t.all_years().cost.yen()),
                general: r.thousands_text(t.all_years().general.yen()),
            })
            .collect(),
    }
}

const CROSS: &str = "1つの事業が複数の区分に関わる場合は、それぞれに計上しています。そのため、区分の計は全体の合計と一致しません。";

/// The aggregates of an edition as tables, in the order the page shows them.
pub(crate) fn group_tables(agg: &Aggregates) -> Vec<GroupTable> {
    let r = agg.rounding;
    vec![
        group_table("by-goal", "まちづくりの目標別", None, &agg.by_goal, r),
        group_table("by-field", "分野別", None, &agg.by_field, r),
        group_table(
            "by-project",
            "重点プロジェクト別",
            Some(CROSS),
            &agg.by_project,
            r,
        ),
        group_table(
            "by-objective",
            "総合戦略の基本目標別",
            Some(CROSS),
            &agg.by_objective,
            r,
        ),
        group_table("by-department", "所管課別", None, &agg.by_department, r),
        group_table("by-category", "事業区分別", None, &agg.by_category, r),
    ]
}

/// One cell of the budget guide.
pub(crate) struct BudgetCell {
    pub(crate) needed: String,
    pub(crate) frame: String,
    /// 「超過 100」, 「残り 50」 or 「―」.
    pub(crate) balance: String,
    pub(crate) over: bool,
}

fn budget_cell(l: &BudgetLine, r: Rounding) -> BudgetCell {
    let balance = match l.overrun() {
        None => NONE.to_owned(),
        Some(o) if o > Yen::ZERO => format!("超過 {}", r.thousands_text(o.yen())),
        Some(o) => format!("残り {}", r.thousands_text(-o.yen())),
    };
    BudgetCell {
        needed: r.thousands_text(l.needed.yen()),
        frame: l
            .frame
            .map_or_else(|| NONE.to_owned(), |f| r.thousands_text(f.yen())),
        balance,
        over: l.over(),
    }
}

/// The budget guide as shown.
pub(crate) struct Budget {
    pub(crate) years: Vec<String>,
    /// The city's line (none in a department's own view: its totals are not the city's).
    pub(crate) city: Option<Vec<BudgetCell>>,
    pub(crate) departments: Vec<(String, Vec<BudgetCell>)>,
    /// Where the need exceeds the frame: 「令和9年度（2027年度）（市全体）」 …
    pub(crate) over: Vec<String>,
}

pub(crate) fn budget(agg: &Aggregates, narrowed: bool) -> Budget {
    let r = agg.rounding;
    let g = &agg.budget;
    let mut over: Vec<String> = Vec::new();
    if !narrowed {
        for l in g.city.iter().filter(|l| l.over()) {
            over.push(format!("{}（市全体）", format::fiscal_year(l.fiscal_year)));
        }
    }
    for (d, lines) in &g.departments {
        for l in lines.iter().filter(|l| l.over()) {
            over.push(format!("{}（{d}）", format::fiscal_year(l.fiscal_year)));
        }
    }
    Budget {
        years: agg.years.iter().map(|y| format::fiscal_year(*y)).collect(),
        city: (!narrowed).then(|| g.city.iter().map(|l| budget_cell(l, r)).collect()),
        departments: g
            .departments
            .iter()
            .map(|(d, lines)| (d.clone(), lines.iter().map(|l| budget_cell(l, r)).collect()))
            .collect(),
        over,
    }
}

/// A program across editions: one row per edition, one column per fiscal year any of them
/// covers (事業費 in 千円, 「―」 where the edition does not cover the year or has no amount).
pub(crate) struct History {
    pub(crate) years: Vec<String>,
    pub(crate) rows: Vec<(String, String, Vec<String>)>,
}

pub(crate) fn history(
    editions: &[(EditionRecord, ProgramRecord)],
    href: impl Fn(FiscalYear) -> String,
) -> History {
    let mut years: Vec<FiscalYear> = editions
        .iter()
        .flat_map(|(e, _)| keikaku_app::programs::editions::covers(e.made_in))
        .collect();
    years.sort();
    years.dedup();
    History {
        years: years.iter().map(|y| format::fiscal_year(*y)).collect(),
        rows: editions
            .iter()
            .map(|(e, p)| {
                let covers = keikaku_app::programs::editions::covers(e.made_in);
                (
                    format!(
                        "{}版（{}）",
                        format::fiscal_year(e.made_in),
                        p.program.category.label()
                    ),
                    href(e.made_in),
                    years
                        .iter()
                        .map(|y| match p.program.year(*y) {
                            Some(f) if covers.contains(y) => {
                                e.rounding.thousands_text(f.cost.yen())
                            }
                            _ => NONE.to_owned(),
                        })
                        .collect(),
                )
            })
            .collect(),
    }
}

/// A changed program of a comparison.
pub(crate) struct ChangedProgram {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) href: String,
    pub(crate) category: Option<(&'static str, &'static str)>,
    pub(crate) fields: Vec<(&'static str, String, String)>,
    /// (year, amount, old, new, difference), in 千円.
    pub(crate) amounts: Vec<(String, &'static str, String, String, String)>,
}

/// The difference between two editions as shown.
pub(crate) struct DiffView {
    pub(crate) added: Vec<(String, String, String)>,
    pub(crate) ended: Vec<(String, String, String)>,
    pub(crate) changed: Vec<ChangedProgram>,
    pub(crate) compared_years: String,
    /// The older edition's title and the newer's.
    pub(crate) older: String,
    pub(crate) newer: String,
}

/// The elements a program serves as people read them (「1-1-1　担い手の確保と育成」), each on
/// a line; an id the plans do not have as it is.
fn link_titles(v: &EditionView, p: &Program) -> String {
    p.links
        .iter()
        .map(|l| {
            v.plans
                .iter()
                .find(|plan| plan.id() == &l.plan)
                .and_then(|plan| element_title(plan, &l.element))
                .unwrap_or_else(|| format!("{}/{}", l.plan, l.element))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An element's number and title, from whichever part of the plan holds it.
fn element_title(plan: &keikaku_domain::Plan, id: &keikaku_domain::ElementId) -> Option<String> {
    use keikaku_domain::Plan;
    let join = |n: &str, t: &str| {
        if n.trim().is_empty() {
            t.to_owned()
        } else {
            format!("{n}\u{3000}{t}")
        }
    };
    if let Some(i) = plan.indicator(id) {
        return Some(i.indicator.title.clone());
    }
    match plan {
        Plan::Comprehensive(c) => c
            .measure(id)
            .map(|(_, _, m)| join(&m.number, &m.title))
            .or_else(|| {
                c.priority_project(id)
                    .map(|(_, p)| join(&p.number, &p.title))
            })
            .or_else(|| c.field(id).map(|(_, f)| join(&f.number, &f.title))),
        Plan::Strategy(s) => s.basic_objectives.iter().find_map(|o| {
            if &o.id == id {
                return Some(join(&o.number, &o.title));
            }
            o.measures
                .iter()
                .find(|m| &m.id == id)
                .map(|m| join(&m.number, &m.title))
        }),
    }
}

fn signed(y: i64, r: Rounding) -> String {
    let t = r.thousands_text(y);
    if y > 0 { format!("+{t}") } else { t }
}

pub(crate) fn diff_view(
    d: &EditionDiff,
    old: &EditionView,
    new: &EditionView,
    href: impl Fn(&EditionView, &str) -> String,
) -> DiffView {
    let r = new.rounding();
    let named = |v: &EditionView, code: &str| {
        let p = v
            .program(code)
            .map(|p| p.program.name.clone())
            .unwrap_or_default();
        (code.to_owned(), p, href(v, code))
    };
    DiffView {
        added: d.added.iter().map(|c| named(new, c.as_str())).collect(),
        ended: d.ended.iter().map(|c| named(old, c.as_str())).collect(),
        changed: d
            .changed
            .iter()
            .map(|c| ChangedProgram {
                code: c.code.to_string(),
                name: c.name.clone(),
                href: href(new, c.code.as_str()),
                category: c.category.map(|(a, b)| (a.label(), b.label())),
                fields: c
                    .fields
                    .iter()
                    .map(|(label, a, b)| {
                        if *label == "施策など" {
                            let titles = |v: &EditionView| {
                                v.program(c.code.as_str())
                                    .map(|p| link_titles(v, &p.program))
                                    .unwrap_or_default()
                            };
                            (*label, titles(old), titles(new))
                        } else {
                            (*label, a.clone(), b.clone())
                        }
                    })
                    .collect(),
                amounts: c
                    .amounts
                    .iter()
                    .map(|a| {
                        let t = |y: Option<Yen>| {
                            y.map_or_else(|| NONE.to_owned(), |y| r.thousands_text(y.yen()))
                        };
                        let delta =
                            signed(a.new.map_or(0, Yen::yen) - a.old.map_or(0, Yen::yen), r);
                        let label = match a.amount {
                            Amount::Cost => "事業費",
                            Amount::Part(p) => p.label(),
                        };
                        (
                            format::fiscal_year(a.fiscal_year),
                            label,
                            t(a.old),
                            t(a.new),
                            delta,
                        )
                    })
                    .collect(),
            })
            .collect(),
        compared_years: d
            .compared_years
            .iter()
            .map(|y| format::fiscal_year(*y))
            .collect::<Vec<_>>()
            .join("、"),
        older: old.title(),
        newer: new.title(),
    }
}
