//! The SQL and the row mapping of keikaku's storage adapters, shared by the SQLite and the
//! PostgreSQL adapter.
//!
//! This folder is not a crate: each adapter crate defines `Db`, `DbRow`, `Store` (its store
//! struct, with a `pool`) and `BACKEND` at its root and loads this module with
//! `#[path = "../../storage-sqlx/mod.rs"] mod sql;`, so the two adapters cannot drift apart
//! while each keeps its own crate, connection setup and migrations. The queries are written in
//! the SQL both databases understand (`$1` parameters, `ON CONFLICT`, `COALESCE`); the schemas
//! differ only in integer widths and in how the audit log's append-only triggers are written.
//!
//! One file per capability of the port (`plans`, `import`, `edit`, `history`, `accounts`,
//! `tokens`, `kpi`, `rounds`, `programs`, `backup`), and `tx`, through which every capability writes: the municipality's lock and
//! data version, the audit chain, the frozen versions and the commit.

// Column lists as macros, so that every query stays a `&'static str` (sqlx refuses
// dynamically built SQL). Defined before the modules, which see them in textual order.
macro_rules! audit_columns {
    () => {
        "municipality_code, sequence, at_millis, actor, action, target, before_value, after_value, \
         previous_hash, hash"
    };
}

macro_rules! version_columns {
    () => {
        "plan_id, number, status, at_millis, actor, audit_sequence, label, reason, note_revision"
    };
}

macro_rules! token_columns {
    () => {
        "id, login_id, name, token_hash, created_at_millis, last_used_at_millis, \
         expires_at_millis, revoked_at_millis"
    };
}

macro_rules! plan_columns {
    () => {
        "municipality_code, id, kind, title, purpose, scope, period_start, period_end, \
    period_description, status, position, future_image, future_image_note"
    };
}

macro_rules! element_columns {
    () => {
        "id, kind, parent_id, position, number, title, description, goal_id, \
    current_state, course_of_action, citizen_participation, department, half, start_year, end_year, \
    unit, direction, indicator_type, baseline_value, baseline_year, target_value, target_year, \
    calculation_method, data_source, sample, code, decimals, interim_targets, tolerance, \
    cumulative_entry, acquisition, lag_years, definition_changes"
    };
}

mod accounts;
mod backup;
mod departments;
mod edit;
mod history;
mod import;
mod kpi;
mod plans;
mod population;
mod population_rows;
mod program_rows;
mod programs;
mod rounds;
mod themes;
mod tokens;
mod tx;

use async_trait::async_trait;
use keikaku_storage::StoreError;

use crate::{BACKEND, Store};

/// A failure of the database or the driver, with the driver's error kept as the cause.
pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// Stored data that does not convert back into the domain.
fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

#[async_trait]
impl keikaku_storage::Store for Store {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(Box::new(e)))
    }

    async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations")
            .run_to(version, &self.pool)
            .await
            .map_err(|e| StoreError::Backend(Box::new(e)))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
