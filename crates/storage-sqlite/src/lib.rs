//! SQLite adapter of the keikaku storage port: the embedded default, one file, no server.
//!
//! The database runs in WAL mode (readers never wait for the writer) with foreign keys on;
//! the schema comes from the migrations embedded in this crate. Row shapes and their
//! conversion to the domain come from [`keikaku_storage::rows`]; the queries are shared with
//! the PostgreSQL adapter (`crates/storage-sqlx/`, loaded here as the module `sql`); what is
//! this crate's own is the connection setup and the migrations.
//!
//! ```no_run
//! # async fn run() -> Result<(), keikaku_storage::StoreError> {
//! use keikaku_storage::Store;
//! let store = keikaku_storage_sqlite::SqliteStore::connect("sqlite://data/keikaku.db").await?;
//! store.migrate().await?;
//! # Ok(()) }
//! ```

#[path = "../../storage-sqlx/mod.rs"]
mod sql;

use std::str::FromStr;
use std::time::Duration;

use keikaku_storage::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};

use crate::sql::backend;

type Db = sqlx::Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type Store = SqliteStore;
const BACKEND: &str = "sqlite";
/// The tables of the schema, for the backup's check that none is left out.
const CATALOG_TABLES: &str = "SELECT name FROM sqlite_master WHERE type = 'table' \
     AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'";
/// A table's columns and their declared types, in the schema's order.
const CATALOG_COLUMNS: &str = "SELECT name, type FROM pragma_table_info($1) ORDER BY cid";
/// A backup's read transaction: in WAL mode its first read fixes the snapshot every later read
/// of the transaction sees, while the server goes on writing.
const SNAPSHOT_BEGIN: &str = "BEGIN";
/// A restore's transaction takes the write lock at once, so that no writer can come between
/// its check that the database is empty and its inserts.
const RESTORE_BEGIN: &str = "BEGIN IMMEDIATE";

/// The SQLite store.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://PATH` URL, or `sqlite::memory:`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // An in-memory database lives per connection, so it gets exactly one.
        let max = if url.contains(":memory:") { 1 } else { 4 };
        if max > 1 {
            // One connection alone first: on a new file it switches the database to WAL,
            // which needs the file to itself. The pool's connections, opened side by side,
            // would otherwise race for that switch, and one could fail with "database is
            // locked" (SQLite does not wait on a busy handler for it).
            sqlx::SqliteConnection::connect_with(&options)
                .await
                .map_err(backend)?
                .close()
                .await
                .map_err(backend)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(Self { pool })
    }

    /// The connection pool, for tests that need to reach below the port.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
