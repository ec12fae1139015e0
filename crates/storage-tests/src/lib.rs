//! The conformance suite every storage adapter must pass: one story per test, run on SQLite
//! and on PostgreSQL alike.
//!
//! An adapter's test file calls [`conformance_tests!`] with an async factory that returns a
//! fresh, empty store (or `None` when the backend is unreachable and skipping is allowed):
//!
//! ```text
//! async fn fresh() -> Option<(SqliteStore, TempDir)> { … }
//! keikaku_storage_tests::conformance_tests!(fresh);
//! ```
//!
//! The stories live in one module per capability of the port (`plans`, `edit`, `indicators`,
//! `history`, `accounts`, `tokens`, `kpi`, `rounds`, `programs`, `population`, `backup`); this file holds the fixtures they share and the macro, which lists
//! every story of every module.
#![allow(clippy::unwrap_used, clippy::panic)] // a test suite: a failed expectation panics

pub mod accounts;
pub mod backup;
pub mod departments;
pub mod edit;
pub mod history;
pub mod indicators;
pub mod kpi;
pub mod plans;
pub mod population;
pub mod postgres;
pub mod program_roll;
pub mod programs;
pub mod rounds;
pub mod themes;
pub mod tokens;

use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId};
use keikaku_planfile::PlanFile;
use keikaku_storage::{Author, ExistingPlan, PlanBatch, PlanWrite, Store, StoreError, UserChange};

/// The example plans (Ichinoseki), parsed.
pub fn example() -> PlanFile {
    keikaku_planfile::parse(keikaku_planfile::example("ichinoseki").unwrap(), &[]).unwrap()
}

pub(crate) fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

/// A municipality code, where a test's `code` is a variable already.
pub(crate) fn code_of(s: &str) -> MunicipalityCode {
    code(s)
}

pub(crate) fn plan_id(s: &str) -> PlanId {
    PlanId::parse(s).unwrap()
}

/// The author of every write in the suite, at a fixed time (tests use no wall clock).
pub fn author() -> Author {
    Author {
        actor: "tester".to_owned(),
        at: Timestamp::from_millis(1_764_000_000_000).unwrap(),
    }
}

/// Plans as writes, with plan-file snapshots the way the use cases make them.
pub fn writes(municipality: &Municipality, plans: &[Plan]) -> Vec<PlanWrite> {
    plans
        .iter()
        .map(|p| PlanWrite {
            plan: p.clone(),
            before: None,
            after: keikaku_planfile::to_json(municipality, std::slice::from_ref(p)),
            action: None,
        })
        .collect()
}

/// Stores plans through the port.
pub(crate) async fn put(
    store: &dyn Store,
    m: &Municipality,
    plans: &[Plan],
    existing: ExistingPlan,
) -> Result<(), StoreError> {
    store
        .insert_plans(
            &[PlanBatch {
                municipality: m.clone(),
                plans: writes(m, plans),
            }],
            existing,
            &author(),
        )
        .await
}

pub(crate) fn comprehensive(file: &PlanFile) -> Plan {
    file.plans[0].clone()
}

pub(crate) fn user(login: &str, roles: &[Role]) -> User {
    User {
        login_id: LoginId::parse(login).unwrap(),
        display_name: "佐藤 花子".to_owned(),
        department: "企画調整課".to_owned(),
        roles: roles.to_vec(),
        disabled: false,
    }
}

pub(crate) fn change(action: &str) -> UserChange {
    UserChange {
        action: action.to_owned(),
        before: None,
        after: Some(action.to_owned()),
    }
}

/// Every story of the suite, by module and name: one `#[tokio::test]` each, named after the
/// story, on a fresh store.
#[macro_export]
macro_rules! conformance_tests {
    ($factory:path) => {
        $crate::conformance_tests!(@each $factory,
            plans: [
                stores_and_loads_the_example_exactly,
                lists_plans_in_display_order,
                refuses_an_existing_plan_and_writes_nothing,
                replaces_a_plan_in_one_transaction,
                refuses_a_replacement_that_breaks_links,
                deletes_plans_but_not_link_targets,
                removing_a_link_target_is_referenced_and_writes_nothing,
                data_version_grows_with_every_write,
                municipalities_are_isolated,
                keeps_text_exactly,
                unknown_plan_is_none
            ],
            edit: [edits_check_versions_and_are_audited],
            indicators: [
                indicator_definitions_are_stored_exactly,
                outcome_indicators_are_inserted_and_updated
            ],
            history: [
                every_write_is_audited_in_an_intact_chain,
                every_write_freezes_a_version,
                a_version_is_named_against_its_revision
            ],
            accounts: [
                users_are_created_updated_and_audited,
                sessions_are_found_touched_and_expired
            ],
            tokens: [tokens_are_created_listed_touched_and_revoked],
            kpi: [
                values_are_versioned_audited_and_kept,
                large_saves_write_every_cell_once
            ],
            rounds: [
                a_round_is_versioned_audited_and_published,
                the_panel_writes_its_remarks_and_opinion_at_once
            ],
            programs: [
                an_edition_is_created_edited_fixed_and_audited,
                programs_are_deleted_with_their_years,
                the_database_keeps_the_funding_identity,
                a_draft_edition_is_deleted_whole
            ],
            program_roll: [the_roll_is_the_domains_roll],
            population: [the_vision_is_stored_exactly_to_the_bit],
            departments: [the_department_list_is_saved_whole_against_its_revision],
            themes: [
                the_theme_list_is_saved_whole_against_its_revision,
                an_elements_themes_are_saved_against_what_its_editor_saw
            ],
            backup: [
                the_backup_carries_every_table,
                a_snapshot_is_one_moment_while_writes_go_on
            ]
        );
        $crate::conformance_tests!(@pairs $factory,
            backup: [
                a_snapshot_restores_exactly_into_an_empty_database,
                a_restore_that_cannot_be_done_writes_nothing
            ]
        );
    };
    (@each $factory:path, $($module:ident: [$($name:ident),*]),*) => {
        $($(
            #[tokio::test]
            async fn $name() {
                let Some((store, _guard)) = $factory().await else { return };
                keikaku_storage::Store::migrate(&store).await.unwrap();
                $crate::$module::$name(&store).await;
            }
        )*)*
    };
    // Stories of two stores of the same backend (a source and a target), each fresh.
    (@pairs $factory:path, $($module:ident: [$($name:ident),*]),*) => {
        $($(
            #[tokio::test]
            async fn $name() {
                let Some((source, _source_guard)) = $factory().await else { return };
                let Some((target, _target_guard)) = $factory().await else { return };
                keikaku_storage::Store::migrate(&source).await.unwrap();
                keikaku_storage::Store::migrate(&target).await.unwrap();
                $crate::$module::$name(&source, &target).await;
            }
        )*)*
    };
}
