//! The 人口ビジョン's charts as SVG written by our own templates
//! (`components/population_charts.html`): the vision's lines — target path, actual totals,
//! each scenario, the reference projections — and a scenario's population pyramid for one
//! year, with the base year's outline for comparison. Series differ by line style and mark
//! shape, never by colour alone; the page gives the data tables as the text alternative. No
//! script, no inline style.

use keikaku_app::population::{ColumnKind, Comparison, ScenarioView};
use keikaku_domain::format;
use keikaku_domain::population::{GROUPS, Projected, group_label};

use super::{Tick, coord, nice_step};

/// The size a chart is drawn at: the wide one for screens from 48rem, the narrow one for
/// phones (the page holds both; CSS shows one), so that its text stays legible.
#[derive(Clone, Copy)]
pub(crate) struct Size {
    width: f64,
    height: f64,
    left: f64,
    /// Years between the x axis' labels at least.
    every: i32,
    /// The label column of a pyramid.
    label_w: f64,
    row_h: f64,
}

/// For screens from 48rem wide.
pub(crate) const WIDE: Size = Size {
    width: 640.0,
    height: 320.0,
    left: 76.0,
    every: 5,
    label_w: 84.0,
    row_h: 16.0,
};

/// For phones.
pub(crate) const NARROW: Size = Size {
    width: 340.0,
    height: 280.0,
    left: 62.0,
    every: 10,
    label_w: 64.0,
    row_h: 15.0,
};

const RIGHT: f64 = 22.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// People as the pages write them: whole persons with separators.
pub(crate) fn people(v: f64) -> String {
    format::group_digits(&format!("{:.0}", v.round()))
}

/// A mark of a series.
pub(crate) struct LineMark {
    pub(crate) x: String,
    pub(crate) y: String,
    pub(crate) label: String,
}

/// One series of the lines chart.
pub(crate) struct Series {
    /// Its name for the legend.
    pub(crate) name: String,
    /// `target`, `actual`, `scenario-1` … `scenario-4`, `reference`: the line style and the
    /// shape of its marks.
    pub(crate) style: String,
    /// The shape of its marks: `triangle`, `circle`, `ring`, `square`, `diamond`, `cross`.
    pub(crate) shape: &'static str,
    /// `points` of its line (empty: marks only).
    pub(crate) line: String,
    pub(crate) marks: Vec<LineMark>,
}

/// The vision's chart.
pub(crate) struct LinesChart {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) width: String,
    pub(crate) height: String,
    pub(crate) plot_left: String,
    pub(crate) plot_right: String,
    pub(crate) plot_bottom: String,
    pub(crate) x_ticks: Vec<Tick>,
    pub(crate) y_ticks: Vec<Tick>,
    pub(crate) series: Vec<Series>,
}

const SCENARIO_SHAPES: [&str; 4] = ["ring", "square", "diamond", "ring"];

/// The chart of a comparison: every column as a series over its years.
pub(crate) fn lines(c: &Comparison, id: &str, size: Size) -> LinesChart {
    let first = c.years.first().copied().unwrap_or(2000);
    let last = c.years.last().copied().unwrap_or(first + 5).max(first + 1);
    let hi = c
        .columns
        .iter()
        .flat_map(|col| col.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let step = nice_step(hi.max(1.0) / 4.0);
    let top = (hi / step).ceil().max(1.0) * step;
    let plot_w = size.width - size.left - RIGHT;
    let plot_h = size.height - TOP - BOTTOM;
    let x = |year: i32| size.left + plot_w * f64::from(year - first) / f64::from(last - first);
    let y = |v: f64| TOP + plot_h * (1.0 - v / top);
    let mut y_ticks = Vec::new();
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        y_ticks.push(Tick {
            at: coord(y(v)),
            label: people(v),
        });
        v += step;
    }
    let span = last - first;
    let every = if span > 30 {
        size.every.max(10)
    } else {
        size.every
    };
    let x_ticks = (first..=last)
        .filter(|yr| yr % every == 0 || *yr == first || *yr == last)
        .filter(|yr| *yr == first || *yr == last || (yr - first) >= 3 && (last - yr) >= 3)
        .map(|yr| Tick {
            at: coord(x(yr)),
            label: yr.to_string(),
        })
        .collect();
    let mut scenario = 0;
    let series = c
        .columns
        .iter()
        .map(|col| {
            let (style, shape) = match col.kind {
                ColumnKind::Target => ("target".to_owned(), "triangle"),
                ColumnKind::Actual => ("actual".to_owned(), "circle"),
                ColumnKind::Scenario => {
                    scenario += 1;
                    (
                        format!("scenario-{}", (scenario - 1) % 4 + 1),
                        SCENARIO_SHAPES[(scenario - 1) % 4],
                    )
                }
                ColumnKind::Reference => ("reference".to_owned(), "cross"),
            };
            let points: Vec<(i32, f64, bool)> = c
                .years
                .iter()
                .zip(&col.values)
                .zip(&col.between)
                .filter_map(|((yr, v), b)| v.map(|v| (*yr, v, *b)))
                .collect();
            let line = if col.kind == ColumnKind::Reference || points.len() < 2 {
                String::new()
            } else {
                points
                    .iter()
                    .map(|(yr, v, _)| format!("{},{}", coord(x(*yr)), coord(y(*v))))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let marks = points
                .iter()
                // The target's marks are its own points, not the years read between them.
                .filter(|(_, _, between)| !between)
                .map(|(yr, v, _)| LineMark {
                    x: coord(x(*yr)),
                    y: coord(y(*v)),
                    label: format!("{}年 {} {}人", yr, col.name, people(*v)),
                })
                .collect();
            Series {
                name: col.name.clone(),
                style,
                shape,
                line,
                marks,
            }
        })
        .collect();
    LinesChart {
        id: id.to_owned(),
        title: "総人口の推移と将来の見通し".to_owned(),
        description: lines_description(c),
        width: coord(size.width),
        height: coord(size.height),
        plot_left: coord(size.left),
        plot_right: coord(size.width - RIGHT),
        plot_bottom: coord(size.height - BOTTOM),
        x_ticks,
        y_ticks,
        series,
    }
}

/// The chart in one sentence: each series' last value.
fn lines_description(c: &Comparison) -> String {
    let parts: Vec<String> = c
        .columns
        .iter()
        .filter_map(|col| {
            let (i, v) = col
                .values
                .iter()
                .enumerate()
                .rev()
                .find_map(|(i, v)| v.map(|v| (i, v)))?;
            Some(format!("{}は{}年に{}人", col.name, c.years[i], people(v)))
        })
        .collect();
    if parts.is_empty() {
        "まだ値がありません。".to_owned()
    } else {
        format!("{}。値の一覧は下の表にあります。", parts.join("、"))
    }
}

/// A row (age group) of the pyramid.
pub(crate) struct PyramidRow {
    pub(crate) label: String,
    /// The label's baseline.
    pub(crate) y: String,
    pub(crate) bar_y: String,
    /// Men's bar: its left edge and width.
    pub(crate) male_x: String,
    pub(crate) male_w: String,
    pub(crate) female_w: String,
    pub(crate) male_title: String,
    pub(crate) female_title: String,
}

/// A scenario's pyramid of one year.
pub(crate) struct Pyramid {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) width: String,
    pub(crate) height: String,
    pub(crate) bar_h: String,
    /// Where men's bars end and women's begin (each side of the label column).
    pub(crate) male_right: String,
    pub(crate) female_left: String,
    pub(crate) center: String,
    pub(crate) header_y: String,
    pub(crate) axis_y: String,
    pub(crate) rows: Vec<PyramidRow>,
    /// The base year's outline (`points`), each side; empty when the year is the base year.
    pub(crate) base_male: String,
    pub(crate) base_female: String,
    pub(crate) base_year: String,
    pub(crate) ticks: Vec<Tick>,
}

const P_TOP: f64 = 28.0;
const P_SIDE: f64 = 26.0;

/// The pyramid of `year` in a scenario's result, drawn on the scale of the largest group of
/// any year of it (so that years compare), with the base year's outline.
pub(crate) fn pyramid(s: &ScenarioView, year: i32, id: &str, size: Size) -> Option<Pyramid> {
    let result = s.record.result.as_ref()?;
    let now = result.years.iter().find(|p| p.year == year)?;
    let base = result.years.first()?;
    let max = result
        .years
        .iter()
        .flat_map(|p| p.population.male.iter().chain(p.population.female.iter()))
        .fold(0.0_f64, |m, v| m.max(*v))
        .max(1.0);
    let step = nice_step(max / if size.width < 500.0 { 2.0 } else { 3.0 });
    let scale_max = (max / step).ceil() * step;
    let center = size.width / 2.0;
    let half = center - size.label_w / 2.0 - P_SIDE;
    let male_right = center - size.label_w / 2.0;
    let female_left = center + size.label_w / 2.0;
    let w = |v: f64| half * v / scale_max;
    let row_y = |group: usize| P_TOP + size.row_h * (GROUPS - 1 - group) as f64;
    let rows = (0..GROUPS)
        .map(|g| {
            let m = now.population.male[g];
            let f = now.population.female[g];
            PyramidRow {
                label: group_label(g),
                y: coord(row_y(g) + size.row_h * 0.72),
                bar_y: coord(row_y(g) + 1.5),
                male_x: coord(male_right - w(m)),
                male_w: coord(w(m)),
                female_w: coord(w(f)),
                male_title: format!("{} 男 {}人", group_label(g), people(m)),
                female_title: format!("{} 女 {}人", group_label(g), people(f)),
            }
        })
        .collect();
    let outline = |side: fn(&Projected, usize) -> f64, sign: f64, edge: f64| {
        let mut pts = Vec::new();
        for g in (0..GROUPS).rev() {
            let x = edge + sign * w(side(base, g));
            pts.push(format!("{},{}", coord(x), coord(row_y(g))));
            pts.push(format!("{},{}", coord(x), coord(row_y(g) + size.row_h)));
        }
        pts.join(" ")
    };
    let (base_male, base_female) = if base.year == year {
        (String::new(), String::new())
    } else {
        (
            outline(|p, g| p.population.male[g], -1.0, male_right),
            outline(|p, g| p.population.female[g], 1.0, female_left),
        )
    };
    let axis_y = P_TOP + size.row_h * GROUPS as f64;
    let mut ticks = Vec::new();
    let mut v = 0.0;
    while v <= scale_max + step / 2.0 {
        ticks.push(Tick {
            at: coord(male_right - w(v)),
            label: people(v),
        });
        if v > 0.0 {
            ticks.push(Tick {
                at: coord(female_left + w(v)),
                label: people(v),
            });
        } else {
            ticks.push(Tick {
                at: coord(female_left),
                label: "0".to_owned(),
            });
        }
        v += step;
    }
    let total = now.population.total();
    let male: f64 = now.population.male.iter().sum();
    Some(Pyramid {
        id: id.to_owned(),
        title: format!("{}年の人口ピラミッド（{}）", year, s.record.scenario.name),
        description: format!(
            "{}年の総人口 {}人（男 {}人、女 {}人）。{}棒は5歳階級ごとの人数で、左が男、右が女です。値の一覧は下の表にあります。",
            year,
            people(total),
            people(male),
            people(total - male),
            if base.year == year {
                String::new()
            } else {
                format!("細い線は基準年（{}年）の人数です。", base.year)
            }
        ),
        width: coord(size.width),
        height: coord(axis_y + 30.0),
        bar_h: coord(size.row_h - 3.0),
        male_right: coord(male_right),
        female_left: coord(female_left),
        center: coord(center),
        header_y: coord(P_TOP - 10.0),
        axis_y: coord(axis_y),
        rows,
        base_male,
        base_female,
        base_year: base.year.to_string(),
        ticks,
    })
}
