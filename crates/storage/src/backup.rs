//! Backup and restore: every table of the schema, read as it is stored, and loaded back
//! into an empty database of either backend.
//!
//! A snapshot is rows, not domain objects: it carries what the database holds — audit
//! entries with their hashes, password hashes, token hashes, frozen versions, data versions —
//! byte for byte, so that a restored database answers exactly as the original did. The file
//! format around it (JSON, one row per line) belongs to the use case (`keikaku-app`'s
//! `backup`); what belongs here is which tables there are and how their values look.

use async_trait::async_trait;

use crate::StoreError;

/// Every table of the schema, in the order a restore writes them (a table after the tables it
/// refers to). A capability that adds a table adds it here; the conformance suite compares
/// this list with the tables the database really has, on both backends, and fails when one is
/// missing.
pub const TABLES: &[&str] = &[
    "municipality",
    "plan",
    "plan_element",
    "plan_link",
    "audit_entry",
    "plan_version",
    "app_user",
    "app_session",
    "api_token",
    "kpi_value",
    "kpi_settings",
    "kpi_round",
    "kpi_round_submission",
    "kpi_assessment",
    "kpi_round_report",
    "program_edition",
    "program",
    "program_year",
    "program_link",
    "program_part",
    "program_frame",
    "population_vision",
    "population_target",
    "population_actual",
    "population_reference",
    "population_reference_point",
    "population_link",
    "population_census",
    "population_census_count",
    "population_scenario",
    "population_rate",
    "population_cwr",
    "population_tfr_point",
    "population_result",
    "population_result_cell",
    "department_list",
    "department",
    "theme_list",
    "theme",
    "theme_tag",
];

/// The type of a column, as both backends store it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// `INTEGER` / `BIGINT`: a 64-bit integer.
    Integer,
    /// `TEXT`.
    Text,
    /// `BOOLEAN`.
    Boolean,
}

impl ColumnType {
    /// The name used in the backup file.
    pub fn code(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Text => "text",
            Self::Boolean => "boolean",
        }
    }

    /// The type named in a backup file.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Integer, Self::Text, Self::Boolean]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

/// One column: its name and type, in the schema's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its type.
    pub kind: ColumnType,
}

/// One stored value. The order (`Null` < booleans < integers < texts, texts by their bytes)
/// sorts rows the same way on every backend.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A boolean.
    Boolean(bool),
    /// An integer.
    Integer(i64),
    /// A text.
    Text(String),
}

impl Value {
    /// Whether the value fits a column of this type (`NULL` fits every column; the database
    /// itself refuses `NULL` in a `NOT NULL` column).
    pub fn fits(&self, kind: ColumnType) -> bool {
        matches!(
            (self, kind),
            (Self::Null, _)
                | (Self::Boolean(_), ColumnType::Boolean)
                | (Self::Integer(_), ColumnType::Integer)
                | (Self::Text(_), ColumnType::Text)
        )
    }
}

/// One table: its columns and all its rows, sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// The table's name (one of [`TABLES`]).
    pub name: String,
    /// Its columns, in the schema's order.
    pub columns: Vec<Column>,
    /// Its rows, each with one value per column, sorted by [`Value`]'s order.
    pub rows: Vec<Vec<Value>>,
}

/// Everything a database holds, as of one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The schema version: the number of the last migration applied.
    pub schema: i64,
    /// Every table, in the order of [`TABLES`].
    pub tables: Vec<Table>,
}

/// Why a restore was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RestoreRefusal {
    /// The target database holds data already.
    #[error(
        "復元先のデータベースは空ではありません（表「{0}」にデータがあります）。復元は空のデータベースにだけ行えます。"
    )]
    NotEmpty(String),
    /// The snapshot's schema version differs from the target's.
    #[error("{}", schema_message(*backup, *target))]
    Schema {
        /// The snapshot's version.
        backup: i64,
        /// The target's version.
        target: i64,
    },
    /// The snapshot's tables or columns are not the target's.
    #[error("バックアップの表の構成が復元先と一致しません: {0}")]
    Layout(String),
}

fn schema_message(backup: i64, target: i64) -> String {
    if backup > target {
        format!(
            "このバックアップは新しい版の keikaku で作られています（データ構造 第{backup}版、この keikaku は第{target}版まで）。同じ版以降の keikaku で復元してください。"
        )
    } else {
        format!(
            "復元先のデータベースは既に第{target}版の構造で作られていますが、バックアップは第{backup}版です。keikaku をまだ使っていない新しいデータベースに復元してください（古い版のバックアップは、その版の構造に読み込んでから新しい構造に更新します）。"
        )
    }
}

/// Reading everything, and loading everything into an empty database.
#[async_trait]
pub trait BackupStore: Send + Sync {
    /// Every table with all its rows, read in one read transaction, so that a backup taken
    /// while the server writes is one consistent moment (SQLite: one snapshot of the
    /// write-ahead log; PostgreSQL: a `REPEATABLE READ` transaction).
    async fn snapshot(&self) -> Result<Snapshot, StoreError>;

    /// Loads a snapshot into this database in one transaction. Refuses (and writes nothing)
    /// when the database holds any row, when the schema versions differ, or when the tables
    /// and columns are not this schema's. The outer error is the database failing.
    async fn restore(&self, snapshot: &Snapshot) -> Result<Result<(), RestoreRefusal>, StoreError>;

    /// The names of the tables the database really has (without the migrations' own), sorted:
    /// the test that no table is missing from [`TABLES`] compares the two.
    async fn schema_tables(&self) -> Result<Vec<String>, StoreError>;
}
