//! PostgreSQL adapter of the keikaku storage port: for shared deployments where several
//! municipalities use one database.
//!
//! Link targets are checked by deferred foreign keys when a transaction commits; writers of
//! one municipality serialise on its row lock, so audit entries never interleave. The schema
//! comes from the migrations embedded in this crate. Row shapes and their conversion to the
//! domain come from [`keikaku_storage::rows`]; the queries are shared with the SQLite adapter
//! (`crates/storage-sqlx/`, loaded here as the module `sql`); what is this crate's own is the
//! connection setup and the migrations.
//!
//! ```no_run
//! # async fn run() -> Result<(), keikaku_storage::StoreError> {
//! use keikaku_storage::Store;
//! let store = keikaku_storage_postgres::PostgresStore::connect("postgres://localhost/keikaku").await?;
//! store.migrate().await?;
//! # Ok(()) }
//! ```

#[path = "../../storage-sqlx/mod.rs"]
mod sql;

use std::str::FromStr;
use std::time::Duration;

use keikaku_storage::StoreError;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::sql::backend;

type Db = sqlx::Postgres;
type DbRow = sqlx::postgres::PgRow;
type Store = PostgresStore;
const BACKEND: &str = "postgres";
/// The tables of the schema (the connection's current schema), for the backup's check that
/// none is left out.
const CATALOG_TABLES: &str = "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
     AND table_name <> '_sqlx_migrations'";
/// A table's columns and their declared types, in the schema's order.
const CATALOG_COLUMNS: &str = "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) \
     FROM information_schema.columns WHERE table_schema = current_schema() \
     AND table_name = $1 ORDER BY ordinal_position";
/// A backup's read transaction: one snapshot of the whole database, while the server goes on
/// writing.
const SNAPSHOT_BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
/// A restore's transaction: it sees every row committed before each of its checks, and a
/// second restore running at the same time fails on the first primary key both insert.
const RESTORE_BEGIN: &str = "BEGIN";

/// The PostgreSQL store.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to a `postgres://` URL. The database must exist; [`Store::migrate`](keikaku_storage::Store::migrate) creates
    /// the tables.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(Self { pool })
    }

    /// The connection pool, for tests that need to reach below the port.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}
