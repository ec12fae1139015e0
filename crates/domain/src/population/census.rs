//! A base population as a census table gives it: people by sex and five-year age group, and
//! those whose age is not known (年齢不詳).

use super::{BySex, PopulationProblem, Sex, check_year};

/// A municipality's population by sex × age group in one year (a 国勢調査, usually).
#[derive(Clone, Debug, PartialEq)]
pub struct Census {
    /// The year (a census year: 2015, 2020 …).
    pub year: i32,
    /// Where the figures come from, e.g. 「国勢調査（令和2年10月1日）」.
    pub source: String,
    /// People by sex and age group.
    pub counts: BySex<u64>,
    /// People whose age is not known (年齢不詳): men, women.
    pub unknown: [u64; 2],
    /// Figures that are not real data (the example's age structure): shown as サンプル.
    pub sample: bool,
}

impl Census {
    /// The people of one sex with a known age.
    pub fn known(&self, sex: Sex) -> u64 {
        self.counts.of(sex).iter().sum()
    }

    /// The people of one sex whose age is not known.
    pub fn unknown(&self, sex: Sex) -> u64 {
        match sex {
            Sex::Male => self.unknown[0],
            Sex::Female => self.unknown[1],
        }
    }

    /// Everyone, 年齢不詳 included.
    pub fn total(&self) -> u64 {
        Sex::ALL
            .into_iter()
            .map(|s| self.known(s) + self.unknown(s))
            .sum()
    }

    /// The population by sex and age group with 年齢不詳 spread over the groups of the same
    /// sex pro rata: group count `c` of a sex with `k` people of known age and `u` of unknown
    /// age becomes `c + u × c ÷ k`, computed in that order in `f64`.
    pub fn distributed(&self) -> BySex<f64> {
        let mut out = BySex::filled(0.0);
        for sex in Sex::ALL {
            let known = self.known(sex) as f64;
            let unknown = self.unknown(sex) as f64;
            for (i, c) in self.counts.of(sex).iter().enumerate() {
                let c = *c as f64;
                out.of_mut(sex)[i] = if known > 0.0 {
                    c + unknown * c / known
                } else {
                    c
                };
            }
        }
        out
    }

    /// What the projection did with 年齢不詳, in Japanese; `None` when there was none.
    pub fn distribution_note(&self) -> Option<String> {
        if self.unknown == [0, 0] {
            return None;
        }
        Some(format!(
            "{}年の年齢不詳（男 {}人、女 {}人）は、男女それぞれ年齢別の人数に比例して各年齢階級に配分しています。",
            self.year,
            crate::format::group_digits(&self.unknown[0].to_string()),
            crate::format::group_digits(&self.unknown[1].to_string()),
        ))
    }

    /// Every problem, by field (`year`, `source`, `unknown.M` …): a year out of range, no
    /// source, nobody at all, 年齢不詳 of a sex with nobody of known age.
    pub fn problems(&self) -> Vec<PopulationProblem> {
        let mut out = Vec::new();
        check_year("year", "年", self.year, &mut out);
        if self.source.trim().is_empty() {
            out.push(PopulationProblem::new(
                "source",
                "出典を入力してください（例: 国勢調査）。",
            ));
        }
        if self.total() == 0 {
            out.push(PopulationProblem::new(
                "counts",
                "人口がすべて0です。男女・年齢階級別の人数を入力してください。",
            ));
        }
        for sex in Sex::ALL {
            if self.known(sex) == 0 && self.unknown(sex) > 0 {
                out.push(PopulationProblem::new(
                    format!("unknown.{}", sex.key()),
                    format!(
                        "{}の年齢別の人数がすべて0のため、年齢不詳 {}人を配分できません。",
                        sex.label(),
                        self.unknown(sex)
                    ),
                ));
            }
        }
        out
    }
}
