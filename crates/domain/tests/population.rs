//! The 人口ビジョン's records: 年齢不詳 spread pro rata, a scenario's definition checked by
//! field, derivation rules stated, the target path between its points, gaps year by year.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use keikaku_domain::population::{
    ActualSource, ActualTotal, Assumptions, Basis, BySex, Census, Derivation, PopulationVision,
    Reference, Scenario, ScenarioId, Sex, TargetPoint, gaps, group_label, target_at,
};

fn census(unknown: [u64; 2]) -> Census {
    let mut counts = BySex::filled(0u64);
    counts.male[0] = 300;
    counts.male[1] = 100;
    counts.female[18] = 50;
    Census {
        year: 2020,
        source: "国勢調査".to_owned(),
        counts,
        unknown,
        sample: false,
    }
}

#[test]
fn unknown_ages_are_spread_pro_rata_within_each_sex() {
    let c = census([40, 5]);
    assert_eq!(c.total(), 495);
    assert_eq!(c.known(Sex::Male), 400);
    let d = c.distributed();
    // 300 + 40 × 300 ÷ 400 = 330; 100 + 40 × 100 ÷ 400 = 110; 50 + 5 × 50 ÷ 50 = 55.
    assert_eq!(d.male[0], 330.0);
    assert_eq!(d.male[1], 110.0);
    assert_eq!(d.female[18], 55.0);
    assert_eq!(d.total(), 495.0);
    assert_eq!(
        c.distribution_note().unwrap(),
        "2020年の年齢不詳（男 40人、女 5人）は、男女それぞれ年齢別の人数に比例して各年齢階級に配分しています。"
    );
    assert!(census([0, 0]).distribution_note().is_none());
    assert!(census([0, 0]).problems().is_empty());
}

#[test]
fn a_census_that_cannot_be_used_says_why_by_field() {
    let mut c = census([0, 0]);
    c.counts.female[18] = 0;
    c.unknown = [0, 7];
    c.source = " ".to_owned();
    c.year = 1800;
    let fields: Vec<(String, String)> = c
        .problems()
        .into_iter()
        .map(|p| (p.field, p.message))
        .collect();
    assert_eq!(
        fields,
        [
            (
                "year".to_owned(),
                "年「1800」は1900年から2300年の間で入力してください。".to_owned()
            ),
            (
                "source".to_owned(),
                "出典を入力してください（例: 国勢調査）。".to_owned()
            ),
            (
                "unknown.F".to_owned(),
                "女の年齢別の人数がすべて0のため、年齢不詳 7人を配分できません。".to_owned()
            ),
        ]
    );
}

fn assumed(steps: usize) -> Assumptions {
    Assumptions {
        survival: vec![BySex::filled(0.98); steps],
        migration: vec![BySex::filled(-0.01)],
        child_woman_ratio: vec![0.2],
        sex_ratio: 105.0,
    }
}

fn scenario(basis: Basis) -> Scenario {
    Scenario {
        id: ScenarioId::parse("kihon").unwrap(),
        name: "基本推計".to_owned(),
        description: String::new(),
        base_year: 2020,
        horizon: 2060,
        basis,
        published: false,
        sample: false,
    }
}

#[test]
fn a_scenario_is_checked_by_field() {
    let s = scenario(Basis::Assumed(assumed(8)));
    assert_eq!(s.steps(), 8);
    assert_eq!(s.years().first(), Some(&2020));
    assert_eq!(s.years().last(), Some(&2060));
    assert!(s.problems().is_empty(), "{:?}", s.problems());
    let mut bad = scenario(Basis::Assumed(Assumptions {
        child_woman_ratio: vec![0.2, 0.21],
        ..assumed(3)
    }));
    bad.name = String::new();
    bad.horizon = 2063;
    let fields: Vec<String> = bad.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(fields, ["name", "horizon", "survival", "cwr"]);
    let derived = Scenario {
        id: ScenarioId::parse("kinkou").unwrap(),
        ..scenario(Basis::Derived {
            from: ScenarioId::parse("kinkou").unwrap(),
            rule: Derivation::Fertility {
                base_tfr: 0.0,
                points: vec![(2030, 1.8), (2030, -1.0)],
            },
        })
    };
    let fields: Vec<String> = derived.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        ["from", "base_tfr", "points[1].year", "points[1].tfr"]
    );
    assert!(ScenarioId::parse("Kihon").is_err());
    assert!(ScenarioId::parse("-a").is_err());
    assert!(ScenarioId::parse("ikou-kinkou-2").is_ok());
}

#[test]
fn derivations_state_their_rule() {
    assert_eq!(Derivation::ZeroMigration.label(), "移動均衡（純移動率0）");
    assert_eq!(
        Derivation::ScaledMigration { factor: 0.5 }.label(),
        "純移動率×0.5"
    );
    let path = Derivation::Fertility {
        base_tfr: 1.45,
        points: vec![(2030, 1.6), (2040, 1.8), (2050, 2.07)],
    };
    assert_eq!(path.label(), "合計特殊出生率 1.45→1.6→1.8→2.07");
    let rule = path.rule("基本推計");
    assert!(rule.contains("÷ 基準の合計特殊出生率（1.45）"), "{rule}");
    assert!(
        rule.contains("2030年 1.6、2040年 1.8、2050年 2.07"),
        "{rule}"
    );
}

#[test]
fn the_target_path_is_read_between_its_points() {
    let path = [
        TargetPoint {
            year: 2040,
            total: 100_000,
        },
        TargetPoint {
            year: 2020,
            total: 112_000,
        },
    ];
    assert_eq!(target_at(&path, 2020), Some(112_000));
    assert_eq!(target_at(&path, 2040), Some(100_000));
    // 112,000 − 12,000 × 5 ÷ 20 = 109,000; 2023: 112,000 − 1,800 = 110,200.
    assert_eq!(target_at(&path, 2025), Some(109_000));
    assert_eq!(target_at(&path, 2023), Some(110_200));
    // 12,000 × 1 ÷ 7 = 1,714.28…: rounded to 1,714.
    let odd = [
        TargetPoint {
            year: 2020,
            total: 112_000,
        },
        TargetPoint {
            year: 2027,
            total: 100_000,
        },
    ];
    assert_eq!(target_at(&odd, 2021), Some(110_286));
    assert_eq!(target_at(&path, 2019), None);
    assert_eq!(target_at(&path, 2041), None);
    let g = gaps(&path, &[(2025, 108_500.0), (2050, 1.0)]);
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].target, 109_000);
    assert_eq!(g[0].difference, -500.0);
}

#[test]
fn a_vision_is_checked_and_sorted() {
    let vision = PopulationVision {
        published: true,
        target_note: String::new(),
        target: vec![
            TargetPoint {
                year: 2040,
                total: 1,
            },
            TargetPoint {
                year: 2040,
                total: 2,
            },
        ],
        actuals: vec![ActualTotal {
            year: 2020,
            total: 111_932,
            source: ActualSource::parse("国勢調査").unwrap(),
            note: "10月1日現在".to_owned(),
        }],
        references: vec![Reference {
            name: String::new(),
            points: vec![(2040, 82_277), (2030, 90_000), (2040, 1)],
        }],
        links: Vec::new(),
    };
    let fields: Vec<String> = vision.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        [
            "target[1].year",
            "references[0].name",
            "references[0].points[2].year"
        ]
    );
    let sorted = vision.sorted();
    assert_eq!(
        sorted.references[0].points,
        [(2030, 90_000), (2040, 82_277), (2040, 1)]
    );
    assert_eq!(
        ActualSource::parse("住基"),
        Some(ActualSource::ResidentRegister)
    );
    assert_eq!(group_label(0), "0〜4歳");
    assert_eq!(group_label(18), "90歳以上");
}

#[test]
fn calendar_years_are_written_with_their_era() {
    use keikaku_domain::format::calendar_year;
    assert_eq!(calendar_year(2025), "令和7年（2025年）");
    assert_eq!(calendar_year(2019), "令和元年（2019年）");
    assert_eq!(calendar_year(2015), "平成27年（2015年）");
    assert_eq!(calendar_year(2060), "令和42年（2060年）");
    assert_eq!(calendar_year(1850), "1850年");
}
