//! What a projection adds up to per year: the total and the three age groups the 人口ビジョン
//! reports — 年少人口 (0–14), 生産年齢人口 (15–64), 老年人口 (65+) — with their shares.

use crate::{Cohorts, Step};

/// An age band of the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeBand {
    /// Its name: 年少人口, 生産年齢人口, 老年人口.
    pub label: &'static str,
    /// Its ages as people write them.
    pub ages: &'static str,
    /// The first age group it covers (an index of [`Cohorts`]).
    pub first: usize,
    /// The last age group it covers.
    pub last: usize,
}

/// The three age bands, in order.
pub const AGE_BANDS: [AgeBand; 3] = [
    AgeBand {
        label: "年少人口",
        ages: "0〜14歳",
        first: 0,
        last: 2,
    },
    AgeBand {
        label: "生産年齢人口",
        ages: "15〜64歳",
        first: 3,
        last: 12,
    },
    AgeBand {
        label: "老年人口",
        ages: "65歳以上",
        first: 13,
        last: 18,
    },
];

/// A year of a projection, summed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// The year.
    pub year: i32,
    /// Men.
    pub male: f64,
    /// Women.
    pub female: f64,
    /// Everyone.
    pub total: f64,
    /// Each age band's population (both sexes), in the order of [`AGE_BANDS`].
    pub bands: [f64; 3],
}

fn band(c: &Cohorts, b: &AgeBand) -> f64 {
    let mut sum = 0.0;
    for a in b.first..=b.last {
        sum += c.male[a] + c.female[a];
    }
    sum
}

impl Summary {
    /// The summary of a step.
    pub fn of(step: &Step) -> Self {
        let p = &step.population;
        Self {
            year: step.year,
            male: p.male.iter().sum(),
            female: p.female.iter().sum(),
            total: p.total(),
            bands: AGE_BANDS.map(|b| band(p, &b)),
        }
    }

    /// Each band's share of the total, in percent (`None` when the total is 0).
    pub fn shares(&self) -> [Option<f64>; 3] {
        self.bands
            .map(|b| (self.total > 0.0).then(|| b / self.total * 100.0))
    }
}
