//! Indicator charts as SVG written by our own templates (`components/kpi_chart.html`): the
//! baseline, the target path (a dashed line from the baseline to the target), the plan's
//! interim targets, and the actuals (a solid line; 確定値 filled circles, 速報値 hollow ones).
//! Every series differs by shape and line style, never by colour alone, so it reads in grey
//! scale and in print; the SVG has a title and a description, and the page gives the data
//! table as its text alternative. No script, no inline style: the site's CSP holds.
//!
//! Coordinates are floating point: they place marks on a drawing, they are not values (the
//! values shown are the exact decimals, formatted by `keikaku_domain::format`).

pub(crate) mod population;

use keikaku_app::kpi::IndicatorReport;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::{Indicator, format};
use rust_decimal::Decimal;

/// An actual to draw: the staff pages draw every stored year, the public pages the years
/// of the published reports only.
pub(crate) struct Point {
    pub(crate) year: FiscalYear,
    pub(crate) value: Decimal,
    pub(crate) provisional: bool,
}

/// Drawing size (viewBox) and margins.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// A mark on the chart.
pub(crate) struct Mark {
    pub(crate) x: String,
    pub(crate) y: String,
    /// What it says, for its `<title>`.
    pub(crate) label: String,
    /// An actual that is 速報値.
    pub(crate) provisional: bool,
}

/// An axis tick.
pub(crate) struct Tick {
    pub(crate) at: String,
    pub(crate) label: String,
}

/// An indicator's chart, ready for the template.
pub(crate) struct Chart {
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
    /// `points` of the target path (baseline → target), empty without both.
    pub(crate) target_path: String,
    pub(crate) baseline: Option<Mark>,
    pub(crate) target: Option<Mark>,
    pub(crate) interim: Vec<Mark>,
    /// `points` of the actuals' line (consecutive years only are joined).
    pub(crate) actual_paths: Vec<String>,
    pub(crate) actuals: Vec<Mark>,
    /// Whether any actual is provisional (the legend shows the hollow mark then).
    pub(crate) any_provisional: bool,
}

fn number(d: &keikaku_domain::YearValue) -> f64 {
    rust_decimal::prelude::ToPrimitive::to_f64(&d.value).unwrap_or(0.0)
}

fn coord(v: f64) -> String {
    format!("{v:.1}")
}

/// Rounds a step up to 1, 2 or 5 × a power of ten.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let f = raw / power;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// The chart of an evaluated indicator (every year with an actual) over `years`.
pub(crate) fn indicator_chart(r: &IndicatorReport, years: &[FiscalYear]) -> Chart {
    let points: Vec<Point> = r
        .years
        .iter()
        .filter_map(|y| {
            y.actual.map(|value| Point {
                year: y.year,
                value,
                provisional: y.provisional,
            })
        })
        .collect();
    chart(&r.indicator, &points, years)
}

/// The chart of an indicator with these actuals over `years` (the plan's period; the
/// baseline year is added in front when it lies before).
#[allow(clippy::too_many_lines)] // one drawing, axis by axis and series by series
pub(crate) fn chart(ind: &Indicator, points: &[Point], years: &[FiscalYear]) -> Chart {
    let unit = &ind.unit;
    let mut span: Vec<i32> = years.iter().map(|y| y.year()).collect();
    if let Some(b) = ind.baseline {
        span.push(b.year.year());
    }
    if let Some(t) = ind.target {
        span.push(t.year.year());
    }
    let first = span.iter().copied().min().unwrap_or(2000);
    let last = span
        .iter()
        .copied()
        .max()
        .unwrap_or(first + 1)
        .max(first + 1);
    let actuals: Vec<(i32, f64, String, bool)> = points
        .iter()
        .map(|p| {
            let v = keikaku_domain::YearValue {
                value: p.value,
                year: p.year,
            };
            (
                p.year.year(),
                number(&v),
                format!(
                    "{} 実績値 {}{}{}",
                    format::fiscal_year(p.year),
                    format::value(p.value, ind.decimals),
                    unit,
                    if p.provisional { "（速報値）" } else { "" }
                ),
                p.provisional,
            )
        })
        .collect();
    let mut values: Vec<f64> = actuals.iter().map(|a| a.1).collect();
    values.extend(ind.baseline.iter().map(number));
    values.extend(ind.target.iter().map(number));
    values.extend(ind.interim_targets.iter().map(number));
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if (hi - lo).abs() < f64::EPSILON {
        lo -= 1.0;
        hi += 1.0;
    }
    let step = nice_step((hi - lo) / 4.0);
    let lo = (lo / step).floor() * step;
    let hi = (hi / step).ceil() * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |year: i32| LEFT + plot_w * f64::from(year - first) / f64::from(last - first);
    let y = |v: f64| TOP + plot_h * (1.0 - (v - lo) / (hi - lo));
    let mut y_ticks = Vec::new();
    let mut v = lo;
    while v <= hi + step / 2.0 {
        let label = if step >= 1.0 {
            format::group_digits(&format!("{v:.0}"))
        } else {
            let places = (-step.log10().floor()) as usize;
            format::group_digits(&format!("{v:.places$}"))
        };
        y_ticks.push(Tick {
            at: coord(y(v)),
            label,
        });
        v += step;
    }
    let every = if last - first > 10 { 2 } else { 1 };
    let x_ticks = (first..=last)
        .filter(|yr| (yr - first) % every == 0 || *yr == last)
        .map(|yr| Tick {
            at: coord(x(yr)),
            label: format!("{yr}"),
        })
        .collect();
    let mark = |v: &keikaku_domain::YearValue, what: &str| Mark {
        x: coord(x(v.year.year())),
        y: coord(y(number(v))),
        label: format!(
            "{} {} {}{}",
            format::fiscal_year(v.year),
            what,
            format::value(v.value, ind.decimals),
            unit
        ),
        provisional: false,
    };
    let target_path = match (ind.baseline, ind.target) {
        (Some(b), Some(t)) => format!(
            "{},{} {},{}",
            coord(x(b.year.year())),
            coord(y(number(&b))),
            coord(x(t.year.year())),
            coord(y(number(&t)))
        ),
        _ => String::new(),
    };
    let mut actual_paths = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut previous: Option<i32> = None;
    for (yr, v, _, _) in &actuals {
        if previous.is_some_and(|p| p + 1 != *yr) && run.len() > 1 {
            actual_paths.push(run.join(" "));
        }
        if previous.is_some_and(|p| p + 1 != *yr) {
            run.clear();
        }
        run.push(format!("{},{}", coord(x(*yr)), coord(y(*v))));
        previous = Some(*yr);
    }
    if run.len() > 1 {
        actual_paths.push(run.join(" "));
    }
    let description = chart_description(ind, points.last());
    Chart {
        id: format!("chart-{}", ind.id),
        title: format!("{}の推移", ind.title),
        description,
        width: coord(WIDTH),
        height: coord(HEIGHT),
        plot_left: coord(LEFT),
        plot_right: coord(WIDTH - RIGHT),
        plot_bottom: coord(HEIGHT - BOTTOM),
        x_ticks,
        y_ticks,
        target_path,
        baseline: ind.baseline.as_ref().map(|b| mark(b, "基準値")),
        target: ind.target.as_ref().map(|t| mark(t, "目標値")),
        interim: ind
            .interim_targets
            .iter()
            .map(|i| mark(i, "中間目標値"))
            .collect(),
        any_provisional: actuals.iter().any(|a| a.3),
        actuals: actuals
            .into_iter()
            .map(|(yr, v, label, provisional)| Mark {
                x: coord(x(yr)),
                y: coord(y(v)),
                label,
                provisional,
            })
            .collect(),
        actual_paths,
    }
}

/// The chart in one sentence, for its `<desc>`.
fn chart_description(ind: &Indicator, latest: Option<&Point>) -> String {
    let mut parts = vec![
        format!(
            "基準値 {}",
            format::year_value_in(&ind.baseline, &ind.unit, ind.decimals)
        ),
        format!(
            "目標値 {}",
            format::year_value_in(&ind.target, &ind.unit, ind.decimals)
        ),
    ];
    match latest {
        Some(l) => parts.push(format!(
            "最新の実績値 {}{}（{}{}）",
            format::value(l.value, ind.decimals),
            ind.unit,
            format::fiscal_year(l.year),
            if l.provisional { "、速報値" } else { "" }
        )),
        None => parts.push("実績値はまだありません".to_owned()),
    }
    format!("{}。値の一覧は下の表にあります。", parts.join("、"))
}
