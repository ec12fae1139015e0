//! SQLite, one municipality: its 500 programs rolled through keikaku's use case against the
//! same hand-written `INSERT … SELECT` (one municipality in the database, so "every
//! municipality" is this one), alternately, on the same file.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use keikaku_app::Context;
use keikaku_app::programs::roll;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_storage::Store;
use keikaku_storage_sqlite::SqliteStore;
use sqlx::sqlite::SqlitePool;
use sqlx::{Executor, QueryBuilder, Row, Sqlite};

use crate::data::{self, MADE_IN, PLAN, Targets};
use crate::pg::{SERVED, office};
use crate::{ms, now_millis, sql};

/// The measures the programs serve: those of the example's plans (ids only; on SQLite the
/// plans themselves are not needed by the roll).
fn targets() -> Targets {
    let measures = [
        "measure-1-1-1",
        "measure-1-2-1",
        "measure-1-4-1",
        "measure-1-5-1",
        "measure-2-6-1",
    ];
    Targets {
        measures: measures
            .iter()
            .map(|m| (PLAN.to_owned(), (*m).to_owned()))
            .collect(),
        strategy: Vec::new(),
    }
}

async fn load(pool: &SqlitePool, programs: usize) -> usize {
    let index = (0..2000).find(|&i| data::code(i) == SERVED).unwrap();
    let e = data::edition(index, programs, &targets());
    let at = now_millis();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO municipality (code, name, prefecture, data_version) VALUES ($1, $2, $3, 1)",
    )
    .bind(SERVED)
    .bind("一関市")
    .bind("岩手県")
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO program_edition (municipality_code, made_in, plan_id, state, rounding, \
         updated_by, updated_at_millis, revision) VALUES ($1, $2, $3, 'published', 'half_up', \
         'bench-load', $4, 3)",
    )
    .bind(SERVED)
    .bind(MADE_IN)
    .bind(PLAN)
    .bind(at)
    .execute(&mut *tx)
    .await
    .unwrap();
    for chunk in e.programs.chunks(200) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO program (municipality_code, made_in, code, name, department, purpose, \
             target_group, means, start_year, end_year, account, expense_type, category, \
             activity_name, activity_unit, sample, updated_by, updated_at_millis, revision) ",
        );
        q.push_values(chunk, |mut b, p| {
            b.push_bind(SERVED)
                .push_bind(MADE_IN)
                .push_bind(&p.code)
                .push_bind(&p.name)
                .push_bind(p.department)
                .push_bind(&p.purpose)
                .push_bind(p.target_group)
                .push_bind(&p.means)
                .push_bind(p.start_year)
                .push_bind(p.end_year)
                .push_bind(p.account)
                .push_bind(p.expense_type)
                .push_bind(p.category)
                .push_bind(&p.activity_name)
                .push_bind(p.activity_unit)
                .push_bind(false)
                .push_bind("bench-load")
                .push_bind(at)
                .push_bind(1_i64);
        });
        q.build().execute(&mut *tx).await.unwrap();
    }
    let years: Vec<(&str, &data::Year)> = e
        .programs
        .iter()
        .flat_map(|p| p.years.iter().map(move |y| (p.code.as_str(), y)))
        .collect();
    for chunk in years.chunks(500) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO program_year (municipality_code, made_in, code, fiscal_year, cost, \
             national, prefectural, bonds, other, general, activity_target) ",
        );
        q.push_values(chunk, |mut b, (code, y)| {
            b.push_bind(SERVED)
                .push_bind(MADE_IN)
                .push_bind(*code)
                .push_bind(y.fiscal_year)
                .push_bind(y.cost)
                .push_bind(y.national)
                .push_bind(y.prefectural)
                .push_bind(y.bonds)
                .push_bind(y.other)
                .push_bind(y.general)
                .push_bind(y.activity_target.clone());
        });
        q.build().execute(&mut *tx).await.unwrap();
    }
    let links: Vec<(&str, usize, &(String, String))> = e
        .programs
        .iter()
        .flat_map(|p| {
            p.links
                .iter()
                .enumerate()
                .map(move |(i, l)| (p.code.as_str(), i, l))
        })
        .collect();
    for chunk in links.chunks(500) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO program_link (municipality_code, made_in, code, position, plan_id, \
             element_id) ",
        );
        q.push_values(chunk, |mut b, (code, position, (plan, element))| {
            b.push_bind(SERVED)
                .push_bind(MADE_IN)
                .push_bind(*code)
                .push_bind(i64::try_from(*position).unwrap())
                .push_bind(plan)
                .push_bind(element);
        });
        q.build().execute(&mut *tx).await.unwrap();
    }
    for d in &e.departments {
        sqlx::query(
            "INSERT INTO program_part (municipality_code, made_in, department, state, comment, \
             updated_by, updated_at_millis, revision) \
             VALUES ($1, $2, $3, 'approved', '', 'bench-load', $4, 2)",
        )
        .bind(SERVED)
        .bind(MADE_IN)
        .bind(*d)
        .bind(at)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    for (fy, d, general) in &e.frames {
        sqlx::query(
            "INSERT INTO program_frame (municipality_code, made_in, fiscal_year, department, \
             general) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(SERVED)
        .bind(MADE_IN)
        .bind(*fy)
        .bind(*d)
        .bind(*general)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    e.programs.len()
}

/// Every row of the editions made in `made_in` (who wrote it and when aside), hashed, with
/// the count of each table.
async fn checksum(pool: &SqlitePool, made_in: i32) -> (Vec<i64>, u64) {
    let tables = [
        "SELECT municipality_code || '|' || plan_id || '|' || state || '|' || rounding || '|' \
         || revision FROM program_edition WHERE made_in = $1 ORDER BY municipality_code",
        "SELECT municipality_code || '|' || code || '|' || name || '|' || department || '|' \
         || purpose || '|' || target_group || '|' || means || '|' || start_year || '|' \
         || COALESCE(end_year, '') || '|' || account || '|' || expense_type || '|' || category \
         || '|' || activity_name || '|' || activity_unit || '|' || sample || '|' || revision \
         FROM program WHERE made_in = $1 ORDER BY municipality_code, code",
        "SELECT municipality_code || '|' || code || '|' || fiscal_year || '|' || cost || '|' \
         || national || '|' || prefectural || '|' || bonds || '|' || other || '|' || general \
         || '|' || COALESCE(activity_target, '') FROM program_year WHERE made_in = $1 \
         ORDER BY municipality_code, code, fiscal_year",
        "SELECT municipality_code || '|' || code || '|' || position || '|' || plan_id || '|' \
         || element_id FROM program_link WHERE made_in = $1 \
         ORDER BY municipality_code, code, position",
        "SELECT municipality_code || '|' || fiscal_year || '|' || department || '|' || general \
         FROM program_frame WHERE made_in = $1 ORDER BY municipality_code, fiscal_year, department",
    ];
    let mut h = DefaultHasher::new();
    let mut counts = Vec::new();
    for statement in tables {
        let rows = sqlx::query(statement)
            .bind(made_in)
            .fetch_all(pool)
            .await
            .unwrap();
        counts.push(i64::try_from(rows.len()).unwrap());
        for r in rows {
            r.get::<String, _>(0).hash(&mut h);
        }
    }
    (counts, h.finish())
}

async fn clear(pool: &SqlitePool, made_in: i32) {
    for statement in sql::CLEAR {
        sqlx::query(statement)
            .bind(made_in)
            .execute(pool)
            .await
            .unwrap();
    }
    pool.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .unwrap();
}

async fn raw(pool: &SqlitePool, from: i32) -> Duration {
    let (to, first) = (from + 1, from + 2);
    let at = now_millis();
    let start = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(sql::EDITIONS)
        .bind(from)
        .bind(to)
        .bind(sql::ACTOR)
        .bind(at)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(sql::PROGRAMS)
        .bind(from)
        .bind(to)
        .bind(first)
        .bind(sql::ACTOR)
        .bind(at)
        .execute(&mut *tx)
        .await
        .unwrap();
    for statement in [sql::YEARS, sql::FRAMES] {
        sqlx::query(statement)
            .bind(from)
            .bind(to)
            .bind(first)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::query(sql::LINKS)
        .bind(from)
        .bind(to)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    start.elapsed()
}

/// `sqlite DIR PROGRAMS RUNS`: one municipality's edition in a fresh database under DIR,
/// rolled `RUNS` times each way, alternately (the rolled edition removed in between).
pub async fn rolls(dir: &str, programs: usize, runs: usize) {
    let path = format!("{dir}/roll.db");
    let _ = std::fs::remove_file(&path);
    let store = SqliteStore::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let pool = store.pool().clone();
    let loaded = load(&pool, programs).await;
    println!("sqlite_programs={loaded}");
    let code = MunicipalityCode::parse(SERVED).unwrap();
    let cx = Context::new(&store, &code);
    let granted = office();
    let from = FiscalYear::new(MADE_IN).unwrap();
    let to = MADE_IN + 1;
    let mut expected = None;
    let (mut raws, mut ours) = (Vec::new(), Vec::new());
    let mut equal = true;
    for run in 0..runs {
        for keikaku_first in [run % 2 == 1, run % 2 == 0] {
            let took = if keikaku_first {
                let at = Timestamp::from_millis(now_millis()).unwrap();
                let t = Instant::now();
                roll(&cx, &granted, from, at).await.unwrap();
                let took = t.elapsed();
                ours.push(took);
                took
            } else {
                let took = raw(&pool, MADE_IN).await;
                raws.push(took);
                took
            };
            let _ = took;
            let sum = checksum(&pool, to).await;
            match &expected {
                None => {
                    println!(
                        "sqlite_rolled=editions {} programs {} years {} links {} frames {}",
                        sum.0[0], sum.0[1], sum.0[2], sum.0[3], sum.0[4]
                    );
                    expected = Some(sum);
                }
                Some(e) => equal &= *e == sum,
            }
            clear(&pool, to).await;
        }
    }
    raws.sort();
    ours.sort();
    println!("sqlite_raw_ms={}", ms(raws[0]));
    println!("sqlite_raw_median_ms={}", ms(raws[raws.len() / 2]));
    println!("sqlite_keikaku_ms={}", ms(ours[0]));
    println!("sqlite_keikaku_median_ms={}", ms(ours[ours.len() / 2]));
    println!("sqlite_equal={}", if equal { "yes" } else { "no" });
    store.close().await;
}
