//! The conformance stories of indicator definitions: every field an indicator carries (code,
//! decimals, interim targets, tolerance, cumulative entry, acquisition, lag years, definition
//! changes) comes back exactly, on 数値目標, KPIs and the 成果指標 of fields and measures; an
//! outcome indicator is inserted and updated element by element like a KPI.

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::Entered;
use keikaku_domain::plan::year_lines::parse_decimal as decimal;
use keikaku_domain::{DefinitionChange, ElementKind, Indicator, Plan, YearValue};
use keikaku_storage::rows::{ElementRow, flatten};
use keikaku_storage::{Change, ExistingPlan, PlanEdit, Store};

use crate::{author, example, plan_id, put};

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// Sets every definition field to a value that is not its default.
fn define(i: &mut Indicator, code: &str) {
    i.code = code.to_owned();
    i.decimals = Some(0);
    i.interim_targets = vec![
        YearValue {
            value: decimal("1.50").unwrap(),
            year: fy(2016),
        },
        YearValue {
            value: decimal("-2").unwrap(),
            year: fy(2018),
        },
    ];
    i.tolerance = Some(decimal("3.00").unwrap());
    i.cumulative_entry = Entered::YearlyAmounts;
    i.acquisition = "毎年4月1日時点\n（郵送調査）".to_owned();
    i.lag_years = Some(0);
    i.definition_changes = vec![DefinitionChange {
        year: fy(2017),
        note: "対象を「葛\u{E0100}城」まで拡大 🎌".to_owned(),
    }];
}

/// Every definition field of every kind of indicator is stored and loaded exactly.
pub async fn indicator_definitions_are_stored_exactly(store: &dyn Store) {
    let mut file = example();
    let Plan::Comprehensive(c) = &mut file.plans[0] else {
        panic!("the example's first plan is the comprehensive plan")
    };
    let field = &mut c.basic_plans[0].fields[0];
    assert!(!field.indicators.is_empty() && !field.measures[0].indicators.is_empty());
    define(&mut field.indicators[0], "F-1");
    define(&mut field.measures[0].indicators[0], "M-1");
    let Plan::Strategy(s) = &mut file.plans[1] else {
        panic!("the example's second plan is the strategy")
    };
    define(&mut s.basic_objectives[0].numerical_targets[0], "T-1");
    define(&mut s.basic_objectives[0].measures[0].kpis[0], "K-1");
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    for plan in &file.plans {
        let loaded = store
            .plan(&file.municipality.code, plan.id())
            .await
            .unwrap();
        assert_eq!(loaded.as_ref(), Some(plan), "plan {}", plan.id());
    }
    let loaded = store
        .plan(&file.municipality.code, &plan_id("sogo-keikaku"))
        .await
        .unwrap()
        .unwrap();
    let outcome: Vec<_> = loaded
        .indicators()
        .into_iter()
        .filter(|p| p.kind == ElementKind::OutcomeIndicator)
        .map(|p| p.indicator.code.clone())
        .collect();
    assert!(outcome.contains(&"F-1".to_owned()) && outcome.contains(&"M-1".to_owned()));
}

/// An outcome indicator is added under a measure and updated, each field written.
pub async fn outcome_indicators_are_inserted_and_updated(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let pid = plan_id("sogo-keikaku");
    let template: ElementRow = flatten(&file.plans[0])
        .elements
        .into_iter()
        .find(|e| e.kind == ElementKind::OutcomeIndicator.code())
        .unwrap();
    let row = ElementRow {
        id: "outcome-new".to_owned(),
        parent_id: Some("measure-1-1-1".to_owned()),
        position: 9,
        code: Some("NEW-1".to_owned()),
        decimals: Some(2),
        interim_targets: Some("2017 1.5\n2018 2".to_owned()),
        tolerance: None,
        cumulative_entry: Some(Entered::RunningTotals.code().to_owned()),
        acquisition: Some("聞き取り".to_owned()),
        lag_years: Some(2),
        definition_changes: Some("2018 定義を変更".to_owned()),
        ..template
    };
    let edit = |change: Change| PlanEdit {
        plan: pid.clone(),
        changes: vec![change],
        record: crate::change("element.create"),
        target: "sogo-keikaku".to_owned(),
        freeze: None,
    };
    store
        .edit_plan(code, &edit(Change::Insert { row: row.clone() }), &author())
        .await
        .unwrap();
    let stored = store.plan(code, &pid).await.unwrap().unwrap();
    let stored_row = flatten(&stored)
        .elements
        .into_iter()
        .find(|e| e.id == "outcome-new")
        .unwrap();
    assert_eq!(stored_row.kind, "outcome_indicator");
    assert_eq!(stored_row.code.as_deref(), Some("NEW-1"));
    assert_eq!(
        stored_row.interim_targets.as_deref(),
        Some("2017 1.5\n2018 2")
    );
    assert_eq!(
        (stored_row.decimals, stored_row.lag_years),
        (Some(2), Some(2))
    );
    let updated = ElementRow {
        code: Some("NEW-2".to_owned()),
        decimals: None,
        interim_targets: Some(String::new()),
        tolerance: Some("0.5".to_owned()),
        direction: Some("maintain".to_owned()),
        cumulative_entry: Some(Entered::YearlyAmounts.code().to_owned()),
        acquisition: Some(String::new()),
        lag_years: None,
        definition_changes: Some(String::new()),
        ..stored_row
    };
    store
        .edit_plan(
            code,
            &edit(Change::Update {
                row: updated.clone(),
                expected: 1,
            }),
            &author(),
        )
        .await
        .unwrap();
    let stored = store.plan(code, &pid).await.unwrap().unwrap();
    let place = stored
        .indicator(&keikaku_domain::ElementId::parse("outcome-new").unwrap())
        .unwrap();
    let i = place.indicator;
    assert_eq!(i.code, "NEW-2");
    assert_eq!((i.decimals, i.lag_years), (None, None));
    assert!(i.interim_targets.is_empty() && i.definition_changes.is_empty());
    assert_eq!(i.tolerance, Some(decimal("0.5").unwrap()));
    assert_eq!(i.cumulative_entry, Entered::YearlyAmounts);
    let ids: Vec<&str> = place.groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["goal-1", "field-1-1", "measure-1-1-1"]);
}
