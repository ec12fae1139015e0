//! The 人口ビジョン's tables as view models, shared by the public and the staff pages: the
//! totals year by year (target, actuals, scenarios, references), the gap to the target, a
//! scenario's totals and age bands per year, and one year by age group (the pyramid's data).
//! Every number is whole persons with separators (the stored values are exact; pages round
//! them only to show them), every year 和暦 with the Western year.

use keikaku_app::population::{
    AGE_BANDS, ColumnKind, Comparison, PopulationView, ScenarioView, comparison, summary,
};
use keikaku_domain::format::calendar_year;
use keikaku_domain::population::{GROUPS, group_label};

use crate::charts::population::people;

/// A cell of a table.
pub(crate) struct Cell {
    pub(crate) text: String,
    /// Its column's heading, for the phone's cards.
    pub(crate) label: String,
    /// Read between the target path's points (shown as such).
    pub(crate) between: bool,
}

/// A row: its heading (a year, an age group) and its cells.
pub(crate) struct Row {
    pub(crate) head: String,
    pub(crate) cells: Vec<Cell>,
}

/// A table of numbers.
pub(crate) struct Table {
    pub(crate) id: String,
    pub(crate) caption: String,
    /// The heading of the row headings' column.
    pub(crate) corner: String,
    pub(crate) heads: Vec<String>,
    pub(crate) rows: Vec<Row>,
}

fn cell(text: String, label: &str) -> Cell {
    Cell {
        text,
        label: label.to_owned(),
        between: false,
    }
}

fn signed(v: f64) -> String {
    let r = v.round();
    if r > 0.0 {
        format!("＋{}", people(r))
    } else if r < 0.0 {
        format!("−{}", people(-r))
    } else {
        "±0".to_owned()
    }
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "―".to_owned(), |p| format!("{p:.1}%"))
}

/// 「総人口の推移」: a row per year, a column per series.
pub(crate) fn comparison_table(c: &Comparison) -> Table {
    let heads: Vec<String> = c.columns.iter().map(|col| col.name.clone()).collect();
    let rows = c
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| Row {
            head: calendar_year(*y),
            cells: c
                .columns
                .iter()
                .map(|col| Cell {
                    text: col.values[i].map_or_else(|| "―".to_owned(), people),
                    label: col.name.clone(),
                    between: col.between[i],
                })
                .collect(),
        })
        .collect();
    Table {
        id: "population-totals".to_owned(),
        caption: "総人口の推移（単位：人）".to_owned(),
        corner: "年".to_owned(),
        heads,
        rows,
    }
}

/// 「目標人口との差」: the years the target covers that have an actual or a projection.
pub(crate) fn gap_table(c: &Comparison) -> Option<Table> {
    let target = c.target()?;
    let others: Vec<_> = c
        .columns
        .iter()
        .filter(|col| matches!(col.kind, ColumnKind::Actual | ColumnKind::Scenario))
        .collect();
    let mut heads = vec!["目標人口".to_owned()];
    heads.extend(others.iter().map(|col| format!("{}との差", col.name)));
    let rows: Vec<Row> = c
        .years
        .iter()
        .enumerate()
        .filter(|(i, _)| target.values[*i].is_some())
        .filter(|(i, _)| others.iter().any(|col| col.values[*i].is_some()))
        .map(|(i, y)| {
            let mut cells = vec![Cell {
                text: target.values[i].map_or_else(String::new, people),
                label: "目標人口".to_owned(),
                between: target.between[i],
            }];
            cells.extend(others.iter().map(|col| {
                cell(
                    c.gap(col, i).map_or_else(|| "―".to_owned(), signed),
                    &format!("{}との差", col.name),
                )
            }));
            Row {
                head: calendar_year(*y),
                cells,
            }
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        id: "population-gaps".to_owned(),
        caption: "目標人口との差（単位：人。＋は目標を上回る）".to_owned(),
        corner: "年".to_owned(),
        heads,
        rows,
    })
}

/// A scenario's totals and age bands, year by year.
pub(crate) fn summary_table(s: &ScenarioView) -> Table {
    let mut heads = vec!["総人口".to_owned(), "男".to_owned(), "女".to_owned()];
    for b in AGE_BANDS {
        heads.push(format!("{}（{}）", b.label, b.ages));
        heads.push(format!("{}の割合", b.label));
    }
    let rows = summary(s)
        .into_iter()
        .map(|r| {
            let m = &r.summary;
            let mut cells = vec![
                cell(people(m.total), "総人口"),
                cell(people(m.male), "男"),
                cell(people(m.female), "女"),
            ];
            let shares = m.shares();
            for (i, b) in AGE_BANDS.iter().enumerate() {
                cells.push(cell(people(m.bands[i]), b.label));
                cells.push(cell(percent(shares[i]), &format!("{}の割合", b.label)));
            }
            Row {
                head: calendar_year(m.year),
                cells,
            }
        })
        .collect();
    Table {
        id: format!("summary-{}", s.id()),
        caption: format!("{}：総人口と年齢3区分（単位：人）", s.record.scenario.name),
        corner: "年".to_owned(),
        heads,
        rows,
    }
}

/// One year of a scenario by age group: 男, 女, 計.
pub(crate) fn age_table(s: &ScenarioView, year: i32) -> Option<Table> {
    let p = s
        .record
        .result
        .as_ref()?
        .years
        .iter()
        .find(|p| p.year == year)?;
    let mut rows: Vec<Row> = (0..GROUPS)
        .rev()
        .map(|g| {
            let m = p.population.male[g];
            let f = p.population.female[g];
            Row {
                head: group_label(g),
                cells: vec![
                    cell(people(m), "男"),
                    cell(people(f), "女"),
                    cell(people(m + f), "計"),
                ],
            }
        })
        .collect();
    let male: f64 = p.population.male.iter().sum();
    let female: f64 = p.population.female.iter().sum();
    rows.push(Row {
        head: "総数".to_owned(),
        cells: vec![
            cell(people(male), "男"),
            cell(people(female), "女"),
            cell(people(male + female), "計"),
        ],
    });
    Some(Table {
        id: format!("ages-{}-{year}", s.id()),
        caption: format!(
            "{}の男女・年齢5歳階級別人口（{}、単位：人）",
            calendar_year(year),
            s.record.scenario.name
        ),
        corner: "年齢".to_owned(),
        heads: vec!["男".to_owned(), "女".to_owned(), "計".to_owned()],
        rows,
    })
}

/// A scenario in a list: what it is and where it leads.
pub(crate) struct ScenarioLine {
    pub(crate) name: String,
    pub(crate) href: String,
    pub(crate) description: String,
    pub(crate) rule: Option<String>,
    /// 「2060年に61,203人（2020年の54.7%）」.
    pub(crate) headline: String,
    pub(crate) sample: bool,
    pub(crate) state: &'static str,
    pub(crate) current: bool,
}

/// The lines of the view's scenarios, each linking to `href(id)`.
pub(crate) fn scenario_lines(
    view: &PopulationView,
    href: impl Fn(&str) -> String,
) -> Vec<ScenarioLine> {
    view.scenarios
        .iter()
        .map(|s| {
            let headline = s
                .record
                .result
                .as_ref()
                .and_then(|r| {
                    let first = r.years.first()?;
                    let last = r.years.last()?;
                    let (a, b) = (first.population.total(), last.population.total());
                    Some(format!(
                        "{}に{}人（{}年の{:.1}%）",
                        calendar_year(last.year),
                        people(b),
                        first.year,
                        if a > 0.0 { b / a * 100.0 } else { 0.0 }
                    ))
                })
                .unwrap_or_else(|| "まだ計算されていません".to_owned());
            ScenarioLine {
                name: s.record.scenario.name.clone(),
                href: href(s.id().as_str()),
                description: s.record.scenario.description.clone(),
                rule: s.rule(),
                headline,
                sample: s.record.scenario.sample,
                state: s.state_label(),
                current: s.current(),
            }
        })
        .collect()
}

/// Everything the vision's own page shows, computed once.
pub(crate) struct VisionTables {
    pub(crate) comparison: Comparison,
    pub(crate) totals: Table,
    pub(crate) gaps: Option<Table>,
}

impl VisionTables {
    pub(crate) fn of(view: &PopulationView) -> Self {
        let c = comparison(view);
        Self {
            totals: comparison_table(&c),
            gaps: gap_table(&c),
            comparison: c,
        }
    }
}
