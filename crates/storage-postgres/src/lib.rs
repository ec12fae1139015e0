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

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::task::Poll;
use std::time::Duration;

use keikaku_storage::StoreError;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{Connection, PgPool};

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

/// How long a request waits for a connection of a busy pool (and the longest the first
/// connection may take).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

impl PostgresStore {
    /// Connects to a `postgres://` URL. The database must exist; [`Store::migrate`](keikaku_storage::Store::migrate) creates
    /// the tables.
    ///
    /// One connection is made directly first, next to the pool's own: the pool retries a
    /// refused connection until its acquire timeout (a busy pool's wait, [`ACQUIRE_TIMEOUT`]),
    /// which would turn a wrong port or a stopped server into a ten-second wait and a bare
    /// "pool timed out". The direct connection fails at once with the driver's error; a host
    /// that does not answer at all is still given up after the acquire timeout.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options.clone());
        let warmed = {
            let probe = std::pin::pin!(PgConnection::connect_with(&options));
            let mut warm = std::pin::pin!(pool.acquire());
            match first(probe, warm.as_mut()).await {
                First::Probe(Err(e)) => Err(e),
                First::Probe(Ok(direct)) => {
                    // Not needed any more: the pool's own connection follows.
                    let _ = direct.close().await;
                    warm.await.map(drop)
                }
                First::Pool(acquired) => acquired.map(drop),
            }
        };
        // Both attempts have ended or been dropped here, so closing the pool waits for none.
        if let Err(e) = warmed {
            pool.close().await;
            return Err(backend(e));
        }
        Ok(Self { pool })
    }

    /// The connection pool, for tests that need to reach below the port.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Which of two futures ended first, with its output.
enum First<A, B> {
    Probe(A),
    Pool(B),
}

/// Waits for the first of two futures to end (the other is left as it is, to be awaited
/// further or dropped).
async fn first<A: Future, B: Future>(
    mut a: Pin<&mut A>,
    mut b: Pin<&mut B>,
) -> First<A::Output, B::Output> {
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(First::Probe(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(First::Pool(v));
        }
        Poll::Pending
    })
    .await
}
