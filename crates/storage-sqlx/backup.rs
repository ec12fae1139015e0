//! Backup and restore: the port's [`BackupStore`] for this backend — every table read in one
//! read transaction, and loaded into an empty database in one write transaction.
//!
//! The tables come from [`TABLES`], their columns from the database's own catalog (so a
//! column added by a migration is carried without a change here); the catalog queries and the
//! statement that opens a consistent read are the adapter's (`CATALOG_TABLES`,
//! `CATALOG_COLUMNS`, `SNAPSHOT_BEGIN`, `RESTORE_BEGIN` at its root). These are the only statements of the
//! adapters built at run time: table and column names come from that list and the catalog,
//! and are checked to be plain lower-case identifiers before they are put in a statement.

use async_trait::async_trait;
use keikaku_storage::StoreError;
use keikaku_storage::backup::{
    BackupStore, Column, ColumnType, RestoreRefusal, Snapshot, TABLES, Table, Value,
};
use sqlx::{AssertSqlSafe, Row, Transaction};

use super::{backend, corrupt};
use crate::{CATALOG_COLUMNS, CATALOG_TABLES, Db, DbRow, RESTORE_BEGIN, SNAPSHOT_BEGIN, Store};

/// Rows per `INSERT` statement in a restore: well below both backends' limits on parameters.
const PARAMETERS_PER_STATEMENT: usize = 900;

/// A name that is safe to put in a statement: lower-case ASCII letters, digits and `_`.
fn identifier(name: &str) -> Result<&str, StoreError> {
    let plain = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain {
        Ok(name)
    } else {
        Err(corrupt(format!("表または列の名前「{name}」は使えません")))
    }
}

/// The type of a column from its declared type in the catalog.
fn column_type(declared: &str) -> Result<ColumnType, StoreError> {
    let upper = declared.to_ascii_uppercase();
    if upper.contains("INT") {
        Ok(ColumnType::Integer)
    } else if upper.contains("BOOL") {
        Ok(ColumnType::Boolean)
    } else if upper.contains("TEXT") || upper.contains("CHAR") {
        Ok(ColumnType::Text)
    } else {
        Err(corrupt(format!(
            "列の型「{declared}」はバックアップできません"
        )))
    }
}

/// The columns of a table, in the schema's order.
async fn columns(tx: &mut Transaction<'_, Db>, table: &str) -> Result<Vec<Column>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(CATALOG_COLUMNS)
        .bind(table)
        .fetch_all(&mut **tx)
        .await
        .map_err(backend)?;
    rows.into_iter()
        .map(|(name, declared)| {
            Ok(Column {
                kind: column_type(&declared)?,
                name: identifier(&name)?.to_owned(),
            })
        })
        .collect()
}

/// The tables the database has (without the migrations' own), sorted.
async fn schema_tables(tx: &mut Transaction<'_, Db>) -> Result<Vec<String>, StoreError> {
    let mut names: Vec<String> = sqlx::query_scalar(CATALOG_TABLES)
        .fetch_all(&mut **tx)
        .await
        .map_err(backend)?;
    names.sort();
    Ok(names)
}

/// The number of the last migration applied.
async fn schema_version(tx: &mut Transaction<'_, Db>) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut **tx)
        .await
        .map_err(backend)
}

fn value(row: &DbRow, index: usize, kind: ColumnType) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        ColumnType::Integer => row
            .try_get::<Option<i64>, _>(index)?
            .map_or(Value::Null, Value::Integer),
        ColumnType::Boolean => row
            .try_get::<Option<bool>, _>(index)?
            .map_or(Value::Null, Value::Boolean),
        ColumnType::Text => row
            .try_get::<Option<String>, _>(index)?
            .map_or(Value::Null, Value::Text),
    })
}

async fn read_table(tx: &mut Transaction<'_, Db>, name: &str) -> Result<Table, StoreError> {
    let columns = columns(tx, identifier(name)?).await?;
    if columns.is_empty() {
        return Err(corrupt(format!("表「{name}」がデータベースにありません")));
    }
    // Integers are read as 64 bits whatever their width (PostgreSQL's INTEGER is 32 bits).
    let list: Vec<String> = columns
        .iter()
        .map(|c| match c.kind {
            ColumnType::Integer => format!("CAST(\"{0}\" AS BIGINT) AS \"{0}\"", c.name),
            ColumnType::Text | ColumnType::Boolean => format!("\"{}\"", c.name),
        })
        .collect();
    let sql = format!("SELECT {} FROM \"{name}\"", list.join(", "));
    let found = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut **tx)
        .await
        .map_err(backend)?;
    let mut rows = found
        .iter()
        .map(|row| {
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| value(row, i, c.kind))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    // The same order on every backend, whatever their collations.
    rows.sort_unstable();
    Ok(Table {
        name: name.to_owned(),
        columns,
        rows,
    })
}

/// Whether the table holds any row.
async fn holds_rows(tx: &mut Transaction<'_, Db>, table: &str) -> Result<bool, StoreError> {
    let sql = format!("SELECT 1 FROM \"{}\" LIMIT 1", identifier(table)?);
    let found: Option<i32> = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(found.is_some())
}

/// Checks the snapshot against the target's schema: the same tables in the same order, each
/// with the same columns, and every value of a column's type.
async fn check_layout(
    tx: &mut Transaction<'_, Db>,
    snapshot: &Snapshot,
    expected: &[&str],
) -> Result<Result<(), RestoreRefusal>, StoreError> {
    let names: Vec<&str> = snapshot.tables.iter().map(|t| t.name.as_str()).collect();
    if names != expected {
        return Ok(Err(RestoreRefusal::Layout(format!(
            "バックアップの表は {}、復元先の表は {} です",
            names.join("・"),
            expected.join("・")
        ))));
    }
    for table in &snapshot.tables {
        let target = columns(tx, &table.name).await?;
        if target != table.columns {
            let list = |cs: &[Column]| {
                cs.iter()
                    .map(|c| format!("{}（{}）", c.name, c.kind.code()))
                    .collect::<Vec<_>>()
                    .join("・")
            };
            return Ok(Err(RestoreRefusal::Layout(format!(
                "表「{}」の列が異なります（バックアップ: {}／復元先: {}）",
                table.name,
                list(&table.columns),
                list(&target)
            ))));
        }
        for (r, row) in table.rows.iter().enumerate() {
            let fits = row.len() == table.columns.len()
                && row.iter().zip(&table.columns).all(|(v, c)| v.fits(c.kind));
            if !fits {
                return Ok(Err(RestoreRefusal::Layout(format!(
                    "表「{}」の{}行目の値が列の型と合いません",
                    table.name,
                    r + 1
                ))));
            }
        }
    }
    Ok(Ok(()))
}

async fn insert_rows(tx: &mut Transaction<'_, Db>, table: &Table) -> Result<(), StoreError> {
    let names: Vec<String> = table
        .columns
        .iter()
        .map(|c| identifier(&c.name).map(|n| format!("\"{n}\"")))
        .collect::<Result<_, _>>()?;
    let width = table.columns.len().max(1);
    let per_statement = (PARAMETERS_PER_STATEMENT / width).max(1);
    for chunk in table.rows.chunks(per_statement) {
        let mut n = 0;
        let tuples: Vec<String> = chunk
            .iter()
            .map(|_| {
                let params: Vec<String> = (0..width)
                    .map(|_| {
                        n += 1;
                        format!("${n}")
                    })
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES {}",
            identifier(&table.name)?,
            names.join(", "),
            tuples.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            for (v, c) in row.iter().zip(&table.columns) {
                query = match (v, c.kind) {
                    (Value::Null, ColumnType::Integer) => query.bind(None::<i64>),
                    (Value::Null, ColumnType::Boolean) => query.bind(None::<bool>),
                    (Value::Null, ColumnType::Text) => query.bind(None::<String>),
                    (Value::Integer(i), _) => query.bind(*i),
                    (Value::Boolean(b), _) => query.bind(*b),
                    (Value::Text(t), _) => query.bind(t.clone()),
                };
            }
        }
        query.execute(&mut **tx).await.map_err(backend)?;
    }
    Ok(())
}

/// The checks of a restore, then the inserts, in the restore's transaction.
async fn load(
    tx: &mut Transaction<'_, Db>,
    snapshot: &Snapshot,
) -> Result<Result<(), RestoreRefusal>, StoreError> {
    let target = schema_version(tx).await?;
    if target != snapshot.schema {
        return Ok(Err(RestoreRefusal::Schema {
            backup: snapshot.schema,
            target,
        }));
    }
    // The tables of the target's schema, which is the snapshot's (checked above): at an older
    // schema version, those of [`TABLES`] that existed then.
    let have = schema_tables(tx).await?;
    let expected: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| have.iter().any(|h| h == t))
        .collect();
    for name in &expected {
        if holds_rows(tx, name).await? {
            return Ok(Err(RestoreRefusal::NotEmpty((*name).to_owned())));
        }
    }
    if let Err(refusal) = check_layout(tx, snapshot, &expected).await? {
        return Ok(Err(refusal));
    }
    for table in &snapshot.tables {
        insert_rows(tx, table).await?;
    }
    Ok(Ok(()))
}

#[async_trait]
impl BackupStore for Store {
    async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let mut tx = self
            .pool
            .begin_with(SNAPSHOT_BEGIN)
            .await
            .map_err(backend)?;
        let schema = schema_version(&mut tx).await?;
        let have = schema_tables(&mut tx).await?;
        let mut tables = Vec::with_capacity(TABLES.len());
        // At the current schema every table of the list exists (the conformance suite checks
        // it); at an older one, those that existed then.
        for name in TABLES.iter().filter(|t| have.iter().any(|h| h == *t)) {
            tables.push(read_table(&mut tx, name).await?);
        }
        // Nothing was written; ending the read transaction either way is the same.
        tx.rollback().await.map_err(backend)?;
        Ok(Snapshot { schema, tables })
    }

    async fn restore(&self, snapshot: &Snapshot) -> Result<Result<(), RestoreRefusal>, StoreError> {
        let mut tx = self.pool.begin_with(RESTORE_BEGIN).await.map_err(backend)?;
        match load(&mut tx, snapshot).await {
            Ok(Ok(())) => {
                tx.commit().await.map_err(backend)?;
                Ok(Ok(()))
            }
            // Rolled back now, not when the connection is next used: until then SQLite would
            // keep its write lock.
            outcome => {
                tx.rollback().await.map_err(backend)?;
                outcome
            }
        }
    }

    async fn schema_tables(&self) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let names = schema_tables(&mut tx).await?;
        tx.rollback().await.map_err(backend)?;
        Ok(names)
    }
}
