//! The conformance story of yearly indicator values and evaluation settings: stored exactly,
//! checked cell by cell against the version the writer saw (all or nothing), unchanged cells
//! skipped, emptied cells removed, one audit entry per save, kept when the plan is replaced.

use keikaku_domain::audit::verify_chain;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{GradeScale, LowerForm, PlanSettings, RateKind, ValueState};
use keikaku_domain::{ElementId, Plan};
use keikaku_storage::{ExistingPlan, Store, StoreError, ValueWrite};
use rust_decimal::Decimal;

use crate::{author, example, put};

fn write(
    indicator: &ElementId,
    year: i32,
    actual: Option<&str>,
    expected: Option<i64>,
) -> ValueWrite {
    ValueWrite {
        indicator: indicator.clone(),
        fiscal_year: FiscalYear::new(year).unwrap(),
        target: None,
        actual: actual.map(|a| a.parse::<Decimal>().unwrap()),
        state: ValueState::Provisional,
        note: String::new(),
        expected,
    }
}

async fn audit_count(store: &dyn Store, code: &keikaku_domain::MunicipalityCode) -> usize {
    store.audit_entries(code, 0, 10_000).await.unwrap().len()
}

/// Yearly values: exact decimals back, versions checked in the transaction, a batch with one
/// stale cell writes nothing, equal writes skipped, empty writes remove, one audit entry per
/// save in an intact chain, values kept across a plan's replacement; settings likewise.
#[allow(clippy::too_many_lines)] // one story: the values of a plan through a year's entry
pub async fn values_are_versioned_audited_and_kept(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let strategy: &Plan = file
        .plans
        .iter()
        .find(|p| !p.indicators().is_empty())
        .expect("the example has a plan with indicators");
    let plan = &strategy.header().id;
    let places = strategy.indicators();
    let (a, b) = (&places[0].indicator.id, &places[1].indicator.id);
    assert!(store.kpi_values(code, plan).await.unwrap().is_empty());

    // Two new cells, exact decimals, with a target, a note and a state.
    let mut first = write(a, 2016, Some("1.450"), None);
    first.target = Some("1.5".parse().unwrap());
    first.note = "人口動態統計（速報）\n2行目".to_owned();
    let entries = audit_count(store, code).await;
    let saved = store
        .save_kpi_values(
            code,
            plan,
            &[first.clone(), write(b, 2016, Some("120"), None)],
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(saved.len(), 2);
    assert!(
        saved
            .iter()
            .all(|v| v.version == 1 && v.entered_by == "tester")
    );
    assert_eq!(audit_count(store, code).await, entries + 1);
    let stored = store.kpi_values(code, plan).await.unwrap();
    assert_eq!(stored.len(), 2);
    let cell = stored.iter().find(|v| &v.indicator == a).unwrap();
    assert_eq!(cell.actual.unwrap().to_string(), "1.450");
    assert_eq!(cell.target.unwrap().to_string(), "1.5");
    assert_eq!(cell.note, first.note);
    assert_eq!(cell.state, ValueState::Provisional);
    assert_eq!(cell.entered_at, author().at);

    // A stale cell refuses the whole batch, the good cell before it included.
    let refused = store
        .save_kpi_values(
            code,
            plan,
            &[
                write(a, 2017, Some("1"), None),
                write(b, 2016, Some("121"), None),
            ],
            &author(),
        )
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Stale(what)) if what.ends_with("/2016")),
        "{refused:?}"
    );
    let wrong_version = store
        .save_kpi_values(
            code,
            plan,
            &[write(b, 2016, Some("121"), Some(7))],
            &author(),
        )
        .await;
    assert!(matches!(wrong_version, Err(StoreError::Stale(_))));
    assert_eq!(store.kpi_values(code, plan).await.unwrap(), stored);
    assert_eq!(audit_count(store, code).await, entries + 1);

    // Confirming a value bumps its version; an equal write is skipped and audits nothing.
    let mut confirm = write(b, 2016, Some("121"), Some(1));
    confirm.state = ValueState::Confirmed;
    let saved = store
        .save_kpi_values(code, plan, &[confirm.clone()], &author())
        .await
        .unwrap();
    assert_eq!(saved[0].version, 2);
    assert_eq!(saved[0].state, ValueState::Confirmed);
    let mut again = confirm.clone();
    again.expected = Some(2);
    let same = store
        .save_kpi_values(code, plan, &[again], &author())
        .await
        .unwrap();
    assert_eq!(same[0].version, 2);
    assert_eq!(audit_count(store, code).await, entries + 2);

    // An emptied cell is removed (and a second empty write of it is nothing at all).
    let mut empty = write(a, 2016, None, Some(1));
    empty.target = None;
    store
        .save_kpi_values(code, plan, &[empty], &author())
        .await
        .unwrap();
    let left = store.kpi_values(code, plan).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(&left[0].indicator, b);
    store
        .save_kpi_values(code, plan, &[write(a, 2016, None, None)], &author())
        .await
        .unwrap();
    assert_eq!(audit_count(store, code).await, entries + 3);
    let log = store.audit_entries(code, 0, 10_000).await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "kpi.values");
    assert_eq!(last.target, plan.as_str());
    assert!(last.before.as_deref().unwrap().contains("actual=1.450"));
    assert_eq!(verify_chain(log.iter()), Ok(log.len() as u64));

    // Replacing the plan by a plan file keeps its values.
    put(
        store,
        &file.municipality,
        &file.plans,
        ExistingPlan::Replace,
    )
    .await
    .unwrap();
    assert_eq!(store.kpi_values(code, plan).await.unwrap(), left);

    // Settings: none, then stored, then checked against the revision.
    assert_eq!(store.kpi_settings(code, plan).await.unwrap(), None);
    let settings = PlanSettings {
        scale: GradeScale::marks(RateKind::Achievement),
        lower_form: LowerForm::TwoMinusRatio,
        missing_label: "把握できず".to_owned(),
    };
    let revision = store
        .save_kpi_settings(code, plan, &settings, None, &author())
        .await
        .unwrap();
    assert_eq!(revision, 1);
    assert_eq!(
        store.kpi_settings(code, plan).await.unwrap(),
        Some((settings.clone(), 1))
    );
    let stale = store
        .save_kpi_settings(code, plan, &PlanSettings::default(), None, &author())
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))));
    assert_eq!(
        store
            .save_kpi_settings(code, plan, &PlanSettings::default(), Some(1), &author())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.kpi_settings(code, plan).await.unwrap(),
        Some((PlanSettings::default(), 2))
    );
}

/// A large save (a department's whole sheet): more cells and more indicators than one
/// statement takes are all written, each once, in one audit entry; a cell written twice in one
/// save ends as the second write; a cell written and emptied in one save is not stored; a
/// stale cell at the very end of a large save writes nothing at all.
pub async fn large_saves_write_every_cell_once(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let plan = &file
        .plans
        .iter()
        .find(|p| !p.indicators().is_empty())
        .expect("the example has a plan with indicators")
        .header()
        .id;
    let ids: Vec<ElementId> = (0..1_100)
        .map(|i| ElementId::parse(&format!("bulk-{i:04}")).unwrap())
        .collect();
    let cells = |actual: &dyn Fn(usize) -> String, expected: Option<i64>| -> Vec<ValueWrite> {
        ids.iter()
            .enumerate()
            .flat_map(|(n, id)| [2016, 2017].map(|y| write(id, y, Some(&actual(n)), expected)))
            .collect()
    };
    let entries = audit_count(store, code).await;
    let first = cells(&|n| format!("{n}.5"), None);
    let saved = store
        .save_kpi_values(code, plan, &first, &author())
        .await
        .unwrap();
    assert_eq!(saved.len(), 2_200);
    assert_eq!(audit_count(store, code).await, entries + 1);
    let stored = store.kpi_values(code, plan).await.unwrap();
    assert_eq!(stored.len(), 2_200);
    let cell = stored
        .iter()
        .find(|v| v.indicator == ids[1_099] && v.fiscal_year.year() == 2017)
        .unwrap();
    assert_eq!(
        (cell.actual.unwrap().to_string(), cell.version),
        ("1099.5".to_owned(), 1)
    );

    // Every cell again: the even indicators changed (version 2), the odd ones as they were.
    let second = cells(
        &|n| {
            if n.is_multiple_of(2) {
                format!("{n}.25")
            } else {
                format!("{n}.5")
            }
        },
        Some(1),
    );
    store
        .save_kpi_values(code, plan, &second, &author())
        .await
        .unwrap();
    let stored = store.kpi_values(code, plan).await.unwrap();
    assert_eq!(stored.len(), 2_200);
    for v in &stored {
        let n: usize = v.indicator.as_str()[5..].parse().unwrap();
        let (text, version) = if n.is_multiple_of(2) {
            (format!("{n}.25"), 2)
        } else {
            (format!("{n}.5"), 1)
        };
        assert_eq!((v.actual.unwrap().to_string(), v.version), (text, version));
    }

    // One cell twice in a save, then a cell written and emptied in the same save.
    let twice = ElementId::parse("bulk-twice").unwrap();
    let gone = ElementId::parse("bulk-gone").unwrap();
    store
        .save_kpi_values(
            code,
            plan,
            &[
                write(&twice, 2016, Some("1"), None),
                write(&twice, 2016, Some("2"), Some(1)),
                write(&gone, 2016, Some("5"), None),
                write(&gone, 2016, None, Some(1)),
            ],
            &author(),
        )
        .await
        .unwrap();
    let stored = store.kpi_values(code, plan).await.unwrap();
    let cell = stored.iter().find(|v| v.indicator == twice).unwrap();
    assert_eq!(
        (cell.actual.unwrap().to_string(), cell.version),
        ("2".to_owned(), 2)
    );
    assert!(!stored.iter().any(|v| v.indicator == gone));

    // A stale cell last: nothing of the large save is written.
    let entries = audit_count(store, code).await;
    let mut third = cells(&|n| format!("{n}"), None);
    for w in &mut third {
        w.expected = stored
            .iter()
            .find(|v| v.indicator == w.indicator && v.fiscal_year == w.fiscal_year)
            .map(|v| v.version);
    }
    third.push(write(&twice, 2016, Some("3"), Some(1)));
    let err = store
        .save_kpi_values(code, plan, &third, &author())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    assert_eq!(store.kpi_values(code, plan).await.unwrap(), stored);
    assert_eq!(audit_count(store, code).await, entries);
}
