//! The cohort-component projection against hand-computed cases: cohorts moving up with
//! (survival + migration), the open group keeping its own survivors and receiving 85–89's,
//! births from the child–woman ratio and the women aged 15–49 at the end of the step, split by
//! the sex ratio; per-step assumptions; every problem of an input with its place; the derived
//! scenarios and the fertility path's rule; the summary's age bands.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use keikaku_projection::scenario::{fertility, scaled_migration, zero_migration};
use keikaku_projection::{
    Assumptions, Cohorts, FertilityPath, GROUPS, Input, Rates, Summary, group_label, project,
    project_into, step,
};
use proptest::prelude::*;

fn ramp(start: f64, by: f64) -> [f64; GROUPS] {
    std::array::from_fn(|i| start + by * i as f64)
}

fn flat(rate: f64) -> Cohorts {
    Cohorts::filled(rate)
}

fn input(population: Cohorts, survival: f64, migration: f64, cwr: f64, steps: usize) -> Input {
    Input {
        base_year: 2015,
        steps,
        population,
        assumptions: Assumptions {
            survival: Rates::Constant(flat(survival)),
            migration: Rates::Constant(flat(migration)),
            child_woman_ratio: Rates::Constant(cwr),
            sex_ratio: 105.0,
        },
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn one_step_by_hand() {
    // Men 100, 110, …, 280; women 200, 210, …, 380.
    let population = Cohorts {
        male: ramp(100.0, 10.0),
        female: ramp(200.0, 10.0),
    };
    let mut survival = flat(0.9);
    survival.male[17] = 0.8;
    survival.male[18] = 0.5;
    let mut migration = flat(-0.05);
    migration.female[2] = 0.15; // 10–14 → 15–19 gain
    let next = step(&population, &survival, &migration, 0.25, 105.0);
    // Ages 5+: the group below, times (S + M).
    assert!(close(next.male[1], 100.0 * 0.85));
    assert!(close(next.male[10], 190.0 * 0.85));
    assert!(close(next.female[3], 220.0 * (0.9 + 0.15)));
    // The open group: 85–89's survivors plus its own.
    assert!(close(
        next.male[18],
        270.0 * (0.8 - 0.05) + 280.0 * (0.5 - 0.05)
    ));
    // Births: 0.25 × the women 15–49 at the end of the step (from 10–14 … 40–44 now).
    let women: f64 = (3..=9)
        .map(|a| {
            let s = if a - 1 == 2 { 0.9 + 0.15 } else { 0.85 };
            (200.0 + 10.0 * (a - 1) as f64) * s
        })
        .sum();
    let births = 0.25 * women;
    assert!(close(next.male[0], births * 105.0 / 205.0));
    assert!(close(next.female[0], births * 100.0 / 205.0));
    assert!(close(next.male[0] + next.female[0], births));
}

#[test]
fn a_projection_lists_the_base_and_every_step() {
    let steps = project(&input(flat(1000.0), 1.0, 0.0, 0.0, 9)).unwrap();
    let years: Vec<i32> = steps.iter().map(|s| s.year).collect();
    assert_eq!(
        years,
        [2015, 2020, 2025, 2030, 2035, 2040, 2045, 2050, 2055, 2060]
    );
    // No deaths, no migration, no births: everyone ages, nobody is lost; the young empty.
    for s in &steps {
        assert!(close(s.total(), 38_000.0), "{}", s.year);
    }
    assert_eq!(steps[1].population.male[0], 0.0);
    assert_eq!(steps[2].population.female[1], 0.0);
    assert!(close(steps[9].population.male[18], 1000.0 * 10.0));
}

#[test]
fn many_projections_go_into_one_buffer_to_the_bit() {
    let a = input(flat(1000.0), 0.97, -0.02, 0.21, 9);
    let b = input(flat(500.0), 0.9, 0.01, 0.3, 3);
    let mut all = Vec::new();
    project_into(&a, &mut all).unwrap();
    project_into(&b, &mut all).unwrap();
    let one: Vec<_> = project(&a)
        .unwrap()
        .into_iter()
        .chain(project(&b).unwrap())
        .collect();
    assert_eq!(all.len(), 10 + 4);
    for (x, y) in all.iter().zip(&one) {
        assert_eq!(x.year, y.year);
        for (p, q) in x.population.male.iter().zip(&y.population.male) {
            assert_eq!(p.to_bits(), q.to_bits());
        }
        for (p, q) in x.population.female.iter().zip(&y.population.female) {
            assert_eq!(p.to_bits(), q.to_bits());
        }
    }
    // A refused input leaves the buffer as it was.
    let bad = input(flat(-1.0), 1.0, 0.0, 0.2, 2);
    assert!(project_into(&bad, &mut all).is_err());
    assert_eq!(all.len(), 14);
}

#[test]
fn assumptions_may_change_per_step() {
    let mut i = input(flat(100.0), 0.9, 0.0, 0.2, 2);
    i.assumptions.child_woman_ratio = Rates::PerStep(vec![0.2, 0.4]);
    i.assumptions.migration = Rates::PerStep(vec![flat(0.0), flat(0.1)]);
    let steps = project(&i).unwrap();
    let women = |c: &Cohorts| (3..=9).map(|a| c.female[a]).sum::<f64>();
    let births = |k: usize, cwr: f64| cwr * women(&steps[k].population);
    assert!(close(
        steps[1].population.male[0] + steps[1].population.female[0],
        births(1, 0.2)
    ));
    assert!(close(
        steps[2].population.male[0] + steps[2].population.female[0],
        births(2, 0.4)
    ));
    // 10–14 in 2015 → 15–19 in 2020 (× 0.9) → 20–24 in 2025 (× (0.9 + 0.1)).
    assert!(close(
        steps[2].population.male[4],
        100.0 * 0.9 * (0.9 + 0.1)
    ));
}

#[test]
fn every_problem_of_an_input_is_named_with_its_place() {
    let mut i = input(flat(10.0), 0.9, 0.0, 0.2, 0);
    i.population.male[3] = -1.0;
    i.population.female[18] = f64::NAN;
    i.assumptions.survival = Rates::Constant(flat(0.9));
    let mut migration = flat(0.0);
    migration.female[4] = -1.5;
    i.assumptions.migration = Rates::Constant(migration);
    i.assumptions.child_woman_ratio = Rates::PerStep(vec![0.2, f64::INFINITY]);
    i.assumptions.sex_ratio = 0.0;
    let paths: Vec<String> = i.problems().into_iter().map(|p| p.path).collect();
    assert_eq!(
        paths,
        [
            "steps",
            "pop.M[3]",
            "pop.F[18]",
            "cwr",
            "cwr[1]",
            "sex_ratio"
        ],
        "with 0 steps the sum of survival and migration is not checked per step"
    );
    i.steps = 2;
    let problems = i.problems();
    let messages: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect();
    assert!(
        messages.contains(
            &"migration.F[4]: 生残率と純移動率の和が負です（0.9 + -1.5）。人口が負になります。"
                .to_owned()
        ),
        "{messages:#?}"
    );
    assert!(
        messages.contains(&"pop.M[3]: 人口が負の値です（-1）。".to_owned()),
        "{messages:#?}"
    );
    assert!(
        messages.contains(&"cwr[1]: 子ども女性比が数値ではありません（inf）。".to_owned()),
        "{messages:#?}"
    );
    assert!(project(&i).is_err());
    let mut too_many = input(flat(1.0), 1.0, 0.0, 0.0, 61);
    assert_eq!(too_many.problems()[0].path, "steps");
    too_many.steps = 60;
    assert!(too_many.problems().is_empty());
    // A step count nobody may project is refused without walking its steps.
    too_many.steps = usize::MAX;
    let paths: Vec<String> = too_many.problems().into_iter().map(|p| p.path).collect();
    assert_eq!(paths, ["steps"]);
}

#[test]
fn derived_scenarios() {
    let base = input(flat(100.0), 0.95, 0.02, 0.2, 3).assumptions;
    let zero = zero_migration(&base);
    assert_eq!(zero.migration, Rates::Constant(Cohorts::ZERO));
    assert_eq!(zero.survival, base.survival);
    let half = scaled_migration(&base, 0.5);
    assert_eq!(half.migration, Rates::Constant(flat(0.01)));
    // The fertility path: from 1.4 in 2015 to 1.6 in 2030, 1.8 in 2040, 2.07 in 2050.
    let path = FertilityPath {
        base: 1.4,
        points: vec![(2030, 1.6), (2040, 1.8), (2050, 2.07)],
    };
    assert!(path.problems(2015).is_empty());
    for (year, tfr) in [
        (2015, 1.4),
        (2020, 1.4 + 0.2 / 3.0),
        (2030, 1.6),
        (2035, 1.7),
        (2045, 1.935),
        (2050, 2.07),
        (2060, 2.07),
    ] {
        assert!(
            close(path.at(2015, year), tfr),
            "{year}: {}",
            path.at(2015, year)
        );
    }
    let scaled = fertility(&base, 2015, 3, &path);
    let Rates::PerStep(ratios) = &scaled.child_woman_ratio else {
        panic!("per step")
    };
    assert_eq!(ratios.len(), 3);
    assert!(close(ratios[0], 0.2 * path.at(2015, 2020) / 1.4));
    assert!(close(ratios[2], 0.2 * 1.6 / 1.4), "the step ending in 2030");
    let bad = FertilityPath {
        base: 0.0,
        points: vec![(2010, 1.5), (2030, f64::NAN)],
    };
    assert_eq!(bad.problems(2015).len(), 3);
}

#[test]
fn the_summary_has_three_age_bands_and_their_shares() {
    let mut c = Cohorts::ZERO;
    c.male[0] = 10.0; // 0–4
    c.female[2] = 5.0; // 10–14
    c.male[3] = 20.0; // 15–19
    c.female[12] = 15.0; // 60–64
    c.male[13] = 30.0; // 65–69
    c.female[18] = 20.0; // 90+
    let s = Summary::of(&keikaku_projection::Step {
        year: 2020,
        population: c,
    });
    assert_eq!(s.total, 100.0);
    assert_eq!((s.male, s.female), (60.0, 40.0));
    assert_eq!(s.bands, [15.0, 35.0, 50.0]);
    assert_eq!(s.shares(), [Some(15.0), Some(35.0), Some(50.0)]);
    assert_eq!(group_label(0), "0〜4歳");
    assert_eq!(group_label(17), "85〜89歳");
    assert_eq!(group_label(18), "90歳以上");
}

proptest! {
    /// With no deaths, migration or births, a projection loses nobody: every total equals the
    /// base total.
    #[test]
    fn nobody_is_lost_without_deaths_migration_or_births(
        men in proptest::array::uniform19(0.0f64..10_000.0),
        women in proptest::array::uniform19(0.0f64..10_000.0),
        steps in 1usize..12,
    ) {
        let base = Cohorts { male: men, female: women };
        let out = project(&input(base, 1.0, 0.0, 0.0, steps)).unwrap();
        for s in &out {
            prop_assert!(close(s.total(), base.total()));
        }
    }

    /// Every group stays at or above zero when survival plus migration is not negative.
    #[test]
    fn cohorts_never_go_below_zero(
        men in proptest::array::uniform19(0.0f64..10_000.0),
        survival in 0.0f64..1.0,
        migration in -0.5f64..0.5,
        cwr in 0.0f64..1.0,
    ) {
        let migration = migration.max(-survival);
        let base = Cohorts { male: men, female: men };
        let out = project(&input(base, survival, migration, cwr, 9)).unwrap();
        for s in &out {
            for (_, _, v) in s.population.cells() {
                prop_assert!(v >= 0.0);
            }
        }
    }
}
