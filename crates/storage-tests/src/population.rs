//! The conformance stories of the 人口ビジョン: the vision, censuses and scenarios stored
//! exactly — floating-point rates and results to the bit —, each checked against the revision
//! its writer read and audited; a census a scenario starts from, and a scenario another is
//! derived from, kept from deletion; a result stored against the definition it was computed
//! from, kept by later edits and removed with its scenario.

use keikaku_domain::audit::{Timestamp, verify_chain};
use keikaku_domain::population::{
    ActualSource, ActualTotal, Assumptions, Basis, BySex, Census, Derivation, PopulationVision,
    Projected, Reference, Scenario, ScenarioId, ScenarioResult, TargetPoint,
};
use keikaku_domain::{ElementId, ElementRef, MunicipalityCode, PlanId};
use keikaku_storage::{ExistingPlan, Store, StoreError};

use crate::programs::stale;
use crate::{author, example, put};

fn vision() -> PopulationVision {
    PopulationVision {
        published: true,
        target_note: "2060年に人口8万人程度を維持する。\n（将来展望）".to_owned(),
        target: vec![
            TargetPoint {
                year: 2040,
                total: 92_000,
            },
            TargetPoint {
                year: 2060,
                total: 80_000,
            },
        ],
        actuals: vec![
            ActualTotal {
                year: 2015,
                total: 121_583,
                source: ActualSource::Census,
                note: "10月1日現在".to_owned(),
            },
            ActualTotal {
                year: 2024,
                total: 107_001,
                source: ActualSource::ResidentRegister,
                note: "3月31日現在".to_owned(),
            },
        ],
        references: vec![
            Reference {
                name: "社人研推計（平成25年3月）".to_owned(),
                points: vec![(2040, 82_277)],
            },
            Reference {
                name: "「県」の推計".to_owned(),
                points: vec![(2030, 100_000), (2040, 88_000)],
            },
        ],
        links: vec![ElementRef {
            plan: PlanId::parse("sogo-senryaku").unwrap(),
            element: ElementId::parse("kpi-3-1-1").unwrap(),
        }],
    }
}

fn census(year: i32) -> Census {
    let mut counts = BySex::filled(0_u64);
    for (i, (m, f)) in counts
        .male
        .iter_mut()
        .zip(counts.female.iter_mut())
        .enumerate()
    {
        *m = 3_000 + 17 * i as u64;
        *f = 3_100 + 19 * i as u64;
    }
    Census {
        year,
        source: "国勢調査（サンプル）".to_owned(),
        counts,
        unknown: [123, 0],
        sample: true,
    }
}

/// Rates that a decimal round trip would change if it were not exact.
fn awkward(seed: f64) -> BySex<f64> {
    let mut c = BySex::filled(0.0);
    for (i, (m, f)) in c.male.iter_mut().zip(c.female.iter_mut()).enumerate() {
        let i = i as f64;
        *m = 0.1 + 0.2 + seed / (i + 3.0);
        *f = 0.987_654_321_012_345_6 - 1e-300 * i - seed / 7.0;
    }
    c
}

pub(crate) fn assumed(id: &str, steps: usize) -> Scenario {
    Scenario {
        id: ScenarioId::parse(id).unwrap(),
        name: "基本推計（社人研準拠）".to_owned(),
        description: "社人研の仮定値に準拠".to_owned(),
        base_year: 2015,
        horizon: 2015 + 5 * i32::try_from(steps).unwrap(),
        basis: Basis::Assumed(Assumptions {
            survival: (0..steps).map(|k| awkward(k as f64)).collect(),
            migration: vec![{
                let mut m = awkward(0.5);
                m.male[3] = -0.012_5;
                m
            }],
            child_woman_ratio: vec![0.21, 0.2_f64.next_up(), 1.0 / 3.0],
            sex_ratio: 105.2,
        }),
        published: true,
        sample: true,
    }
}

fn derived(id: &str, from: &str, rule: Derivation) -> Scenario {
    Scenario {
        id: ScenarioId::parse(id).unwrap(),
        name: format!("{id} の推計"),
        description: String::new(),
        base_year: 2015,
        horizon: 2030,
        basis: Basis::Derived {
            from: ScenarioId::parse(from).unwrap(),
            rule,
        },
        published: false,
        sample: false,
    }
}

fn fertility() -> Derivation {
    Derivation::Fertility {
        base_tfr: 1.45,
        points: vec![(2020, 1.6), (2030, 1.8), (2040, 2.07)],
    }
}

fn result(at: i64) -> ScenarioResult {
    ScenarioResult {
        computed_at: Timestamp::from_millis(at).unwrap(),
        input_hash: "f".repeat(64),
        years: (0..4)
            .map(|k| Projected {
                year: 2015 + 5 * k,
                population: awkward(f64::from(k) * 1_000.0 + 0.1),
            })
            .collect(),
        notes: vec![
            "2015年の年齢不詳（男 123人、女 0人）は配分しています。".to_owned(),
            "二つ目の注記".to_owned(),
        ],
    }
}

async fn setup(store: &dyn Store) -> MunicipalityCode {
    let file = example();
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    file.municipality.code
}

/// The vision, a census and scenarios stored exactly, each against its revision, audited.
#[allow(clippy::too_many_lines)] // one story: every record of the vision, written and read
pub async fn the_vision_is_stored_exactly_to_the_bit(store: &dyn Store) {
    let code = &setup(store).await;
    let empty = store.population(code).await.unwrap();
    assert!(empty.vision.is_none() && empty.censuses.is_empty() && empty.scenarios.is_empty());

    assert_eq!(
        store
            .save_vision(code, &vision(), None, &author())
            .await
            .unwrap(),
        1
    );
    stale(
        store.save_vision(code, &vision(), None, &author()).await,
        "vision",
    );
    let mut changed = vision();
    changed.target.pop();
    changed.references.clear();
    changed.published = false;
    assert_eq!(
        store
            .save_vision(code, &changed, Some(1), &author())
            .await
            .unwrap(),
        2
    );
    let read = store.population(code).await.unwrap().vision.unwrap();
    assert_eq!(read.vision, changed);
    assert_eq!(read.revision, 2);
    store
        .save_vision(code, &vision(), Some(2), &author())
        .await
        .unwrap();
    assert_eq!(
        store.population(code).await.unwrap().vision.unwrap().vision,
        vision()
    );

    // A census, by year.
    assert_eq!(
        store
            .save_census(code, &census(2015), None, &author())
            .await
            .unwrap(),
        1
    );
    stale(
        store
            .save_census(code, &census(2015), None, &author())
            .await,
        "census",
    );
    let mut again = census(2015);
    again.counts.female[18] = 1;
    store
        .save_census(code, &again, Some(1), &author())
        .await
        .unwrap();
    store
        .save_census(code, &census(2020), None, &author())
        .await
        .unwrap();
    let data = store.population(code).await.unwrap();
    assert_eq!(data.censuses.len(), 2);
    assert_eq!(data.census(2015).unwrap().census, again);
    assert_eq!(data.census(2015).unwrap().revision, 2);

    // Scenarios: their own assumptions, and three derived.
    let base = assumed("kihon", 3);
    store
        .save_scenario(code, &base, None, &author())
        .await
        .unwrap();
    for s in [
        derived("kinkou", "kihon", Derivation::ZeroMigration),
        derived(
            "hanbun",
            "kihon",
            Derivation::ScaledMigration { factor: 0.5 },
        ),
        derived("shussei", "kihon", fertility()),
    ] {
        assert_eq!(
            store
                .save_scenario(code, &s, None, &author())
                .await
                .unwrap(),
            1
        );
    }
    let data = store.population(code).await.unwrap();
    let ids: Vec<&str> = data
        .scenarios
        .iter()
        .map(|s| s.scenario.id.as_str())
        .collect();
    assert_eq!(ids, ["kihon", "kinkou", "hanbun", "shussei"], "made order");
    assert_eq!(data.scenarios[0].scenario, base, "every bit of every rate");
    assert_eq!(
        data.scenarios[3].scenario,
        derived("shussei", "kihon", fertility())
    );
    stale(
        store.save_scenario(code, &base, Some(7), &author()).await,
        "kihon",
    );

    // A result against the definition it was computed from; kept by an edit of the
    // definition (its fingerprint tells whether it is current), gone with the scenario.
    stale(
        store
            .save_result(code, &base.id, &result(1), 9, &author())
            .await,
        "kihon",
    );
    assert_eq!(
        store
            .save_result(code, &base.id, &result(1_764_000_000_000), 1, &author())
            .await
            .unwrap(),
        2
    );
    let mut renamed = base.clone();
    renamed.name = "改名".to_owned();
    store
        .save_scenario(code, &renamed, Some(2), &author())
        .await
        .unwrap();
    let data = store.population(code).await.unwrap();
    let kihon = data.scenario(&base.id).unwrap();
    assert_eq!(kihon.revision, 3);
    assert_eq!(kihon.scenario, renamed);
    assert_eq!(kihon.result.as_ref().unwrap(), &result(1_764_000_000_000));
    assert_eq!(ids.len(), data.scenarios.len(), "position kept on update");
    assert_eq!(data.scenarios[0].scenario.id, base.id);

    // A census in use and a scenario derived from are not deleted.
    match store.delete_census(code, 2015, 2, &author()).await {
        Err(StoreError::Referenced(m)) => assert!(m.contains("kihon"), "{m}"),
        other => panic!("expected Referenced, got {other:?}"),
    }
    match store.delete_scenario(code, &base.id, 3, &author()).await {
        Err(StoreError::Referenced(m)) => assert!(m.contains("kinkou"), "{m}"),
        other => panic!("expected Referenced, got {other:?}"),
    }
    stale(
        store.delete_census(code, 2020, 5, &author()).await,
        "census",
    );
    store.delete_census(code, 2020, 1, &author()).await.unwrap();
    for id in ["kinkou", "hanbun", "shussei"] {
        store
            .delete_scenario(code, &ScenarioId::parse(id).unwrap(), 1, &author())
            .await
            .unwrap();
    }
    store
        .delete_scenario(code, &base.id, 3, &author())
        .await
        .unwrap();
    store.delete_census(code, 2015, 2, &author()).await.unwrap();
    let data = store.population(code).await.unwrap();
    assert!(data.scenarios.is_empty() && data.censuses.is_empty());
    // A scenario needs its base census, and a derived one a scenario with its own
    // assumptions; the result went with its scenario: the same id starts afresh.
    assert!(matches!(
        store.save_scenario(code, &base, None, &author()).await,
        Err(StoreError::Referenced(_))
    ));
    store
        .save_census(code, &census(2015), None, &author())
        .await
        .unwrap();
    store
        .save_scenario(code, &base, None, &author())
        .await
        .unwrap();
    let data = store.population(code).await.unwrap();
    assert!(data.scenario(&base.id).unwrap().result.is_none());
    for from in ["nothing", "kihon2"] {
        if from == "kihon2" {
            store
                .save_scenario(
                    code,
                    &derived("kihon2", "kihon", fertility()),
                    None,
                    &author(),
                )
                .await
                .unwrap();
        }
        assert!(matches!(
            store
                .save_scenario(code, &derived("x", from, fertility()), None, &author())
                .await,
            Err(StoreError::Referenced(_))
        ));
    }

    let entries = store.audit_entries(code, 0, 10_000).await.unwrap();
    verify_chain(&entries).unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("population."))
        .collect();
    for a in [
        "population.vision",
        "population.census",
        "population.census_delete",
        "population.scenario",
        "population.scenario_delete",
        "population.run",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

/// A little of every population table, for the backup's story.
pub async fn fill(store: &dyn Store, code: &MunicipalityCode) {
    store
        .save_vision(code, &vision(), None, &author())
        .await
        .unwrap();
    store
        .save_census(code, &census(2015), None, &author())
        .await
        .unwrap();
    let base = assumed("kihon", 3);
    store
        .save_scenario(code, &base, None, &author())
        .await
        .unwrap();
    store
        .save_scenario(
            code,
            &derived("shussei", "kihon", fertility()),
            None,
            &author(),
        )
        .await
        .unwrap();
    store
        .save_result(code, &base.id, &result(1_764_000_000_000), 1, &author())
        .await
        .unwrap();
}
