//! PostgreSQL at national scale: loading every municipality's edition with `COPY`, the roll
//! through keikaku's use case with 1, 2 or 4 municipalities at a time, the hand-written
//! `INSERT … SELECT` over all of them, and the checksum both must agree on.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use keikaku_app::Context;
use keikaku_app::access::{Action, Granted};
use keikaku_app::programs::roll;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_storage::{PlanStore, Store};
use keikaku_storage_postgres::PostgresStore;
use sqlx::postgres::PgPool;
use sqlx::{Executor, Row};

use crate::data::{self, MADE_IN, PLAN, Targets};
use crate::{ms, now_millis, percentile, sql};

/// The municipality served by the pages (its plans are imported from the example).
pub const SERVED: &str = "03209";

async fn connect(url: &str) -> PostgresStore {
    PostgresStore::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

/// The served municipality's measures and strategy measures, which every generated program
/// links to (the other municipalities name the same ids: links are not foreign keys).
async fn targets(pool: &PgPool) -> Targets {
    let rows = sqlx::query(
        "SELECT plan_id, id, kind FROM plan_element WHERE municipality_code = $1 \
         AND kind IN ('measure', 'strategy_measure') ORDER BY plan_id, position, id",
    )
    .bind(SERVED)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut t = Targets {
        measures: Vec::new(),
        strategy: Vec::new(),
    };
    for r in rows {
        let pair = (r.get::<String, _>("plan_id"), r.get::<String, _>("id"));
        if r.get::<String, _>("kind") == "measure" {
            if pair.0 == PLAN {
                t.measures.push(pair);
            }
        } else {
            t.strategy.push(pair);
        }
    }
    assert!(
        !t.measures.is_empty(),
        "the served municipality {SERVED} has no measures in {PLAN}: import the example plan first"
    );
    t
}

/// Text for `COPY … FROM STDIN` (the generated texts hold no tab, newline or backslash).
fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "\\N".to_owned(), |v| v.to_string())
}

/// Streams one table's rows, made by `rows` for each municipality, through `COPY`.
async fn copy(
    pool: &PgPool,
    statement: &str,
    indices: &[usize],
    rows: impl Fn(usize, &mut String) -> usize,
) -> usize {
    let mut conn = pool.acquire().await.unwrap();
    let mut copy = conn.copy_in_raw(statement).await.unwrap();
    let mut buf = String::with_capacity(4 << 20);
    let mut total = 0;
    for &i in indices {
        total += rows(i, &mut buf);
        if buf.len() > 2 << 20 {
            copy.send(buf.as_bytes()).await.unwrap();
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await.unwrap();
    }
    copy.finish().await.unwrap();
    total
}

/// `pg-load URL MUNICIPALITIES PROGRAMS`: every municipality's edition made in 2025,
/// published, loaded with COPY. The served municipality must already be stored (with its
/// plans); the others are added.
pub async fn load(url: &str, municipalities: usize, programs: usize) {
    let store = connect(url).await;
    store.migrate().await.unwrap();
    let pool = store.pool().clone();
    let targets = targets(&pool).await;
    let start = Instant::now();
    // The first `municipalities` codes, the served one always among them (it is the 379th).
    let served = (0..2 * 47 * 1000)
        .find(|&i| data::code(i) == SERVED)
        .unwrap();
    let mut indices: Vec<usize> = (0..municipalities).collect();
    if municipalities > 0 && served >= municipalities {
        indices[municipalities - 1] = served;
    }
    let indices = &indices;
    let at = now_millis();
    let count = copy(
        &pool,
        "COPY municipality (code, name, prefecture, data_version) FROM STDIN",
        indices,
        |i, buf| {
            let code = data::code(i);
            if code == SERVED {
                return 0;
            }
            let _ = writeln!(buf, "{code}\tベンチ市{code}\t{}\t1", data::prefecture(i));
            1
        },
    )
    .await;
    eprintln!("[load] {count} municipalities added");
    let editions = copy(
        &pool,
        "COPY program_edition (municipality_code, made_in, plan_id, state, rounding, \
         updated_by, updated_at_millis, revision) FROM STDIN",
        indices,
        |i, buf| {
            let _ = writeln!(
                buf,
                "{}\t{MADE_IN}\t{PLAN}\tpublished\thalf_up\tbench-load\t{at}\t3",
                data::code(i)
            );
            1
        },
    )
    .await;
    let make = |i: usize| data::edition(i, programs, &targets);
    let program_rows = copy(
        &pool,
        "COPY program (municipality_code, made_in, code, name, department, purpose, \
         target_group, means, start_year, end_year, account, expense_type, category, \
         activity_name, activity_unit, sample, updated_by, updated_at_millis, revision) \
         FROM STDIN",
        indices,
        |i, buf| {
            let code = data::code(i);
            let e = make(i);
            for p in &e.programs {
                let _ = writeln!(
                    buf,
                    "{code}\t{MADE_IN}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\tf\tbench-load\t{at}\t1",
                    p.code,
                    p.name,
                    p.department,
                    p.purpose,
                    p.target_group,
                    p.means,
                    p.start_year,
                    opt(p.end_year),
                    p.account,
                    p.expense_type,
                    p.category,
                    p.activity_name,
                    p.activity_unit
                );
            }
            e.programs.len()
        },
    )
    .await;
    eprintln!("[load] {program_rows} programs");
    let year_rows = copy(
        &pool,
        "COPY program_year (municipality_code, made_in, code, fiscal_year, cost, national, \
         prefectural, bonds, other, general, activity_target) FROM STDIN",
        indices,
        |i, buf| {
            let code = data::code(i);
            let mut n = 0;
            for p in &make(i).programs {
                for y in &p.years {
                    let _ = writeln!(
                        buf,
                        "{code}\t{MADE_IN}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        p.code,
                        y.fiscal_year,
                        y.cost,
                        y.national,
                        y.prefectural,
                        y.bonds,
                        y.other,
                        y.general,
                        opt(y.activity_target.as_ref())
                    );
                    n += 1;
                }
            }
            n
        },
    )
    .await;
    eprintln!("[load] {year_rows} program years");
    let link_rows = copy(
        &pool,
        "COPY program_link (municipality_code, made_in, code, position, plan_id, element_id) \
         FROM STDIN",
        indices,
        |i, buf| {
            let code = data::code(i);
            let mut n = 0;
            for p in &make(i).programs {
                for (position, (plan, element)) in p.links.iter().enumerate() {
                    let _ = writeln!(
                        buf,
                        "{code}\t{MADE_IN}\t{}\t{position}\t{plan}\t{element}",
                        p.code
                    );
                    n += 1;
                }
            }
            n
        },
    )
    .await;
    let part_rows = copy(
        &pool,
        "COPY program_part (municipality_code, made_in, department, state, comment, \
         updated_by, updated_at_millis, revision) FROM STDIN",
        indices,
        |i, buf| {
            let code = data::code(i);
            let e = make(i);
            for d in &e.departments {
                let _ = writeln!(
                    buf,
                    "{code}\t{MADE_IN}\t{d}\tapproved\t\tbench-load\t{at}\t2"
                );
            }
            e.departments.len()
        },
    )
    .await;
    let frame_rows = copy(
        &pool,
        "COPY program_frame (municipality_code, made_in, fiscal_year, department, general) \
         FROM STDIN",
        indices,
        |i, buf| {
            let code = data::code(i);
            let e = make(i);
            for (fy, d, general) in &e.frames {
                let _ = writeln!(buf, "{code}\t{MADE_IN}\t{fy}\t{d}\t{general}");
            }
            e.frames.len()
        },
    )
    .await;
    pool.execute("ANALYZE").await.unwrap();
    let load = start.elapsed();
    let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&pool)
        .await
        .unwrap();
    println!("municipalities={municipalities}");
    println!("editions={editions}");
    println!("programs={program_rows}");
    println!("years={year_rows}");
    println!("links={link_rows}");
    println!("parts={part_rows}");
    println!("frames={frame_rows}");
    println!("load_ms={}", ms(load));
    println!("database_mb={}", size / (1 << 20));
    store.close().await;
}

/// What both rolls must produce alike: counts, amounts and a hash of every row's content
/// (who wrote it and when aside) of the editions made in `made_in`.
async fn checksum(pool: &PgPool, made_in: i32) -> Vec<i64> {
    let row = sqlx::query(
        "SELECT \
         (SELECT COUNT(*) FROM program_edition WHERE made_in = $1), \
         (SELECT COALESCE(SUM(hashtext(concat_ws('|', municipality_code, plan_id, state, \
            rounding, revision))), 0) FROM program_edition WHERE made_in = $1), \
         (SELECT COUNT(*) FROM program WHERE made_in = $1), \
         (SELECT COALESCE(SUM(hashtext(concat_ws('|', municipality_code, code, name, \
            department, purpose, target_group, means, start_year, end_year, account, \
            expense_type, category, activity_name, activity_unit, sample, revision))), 0) \
            FROM program WHERE made_in = $1), \
         (SELECT COUNT(*) FROM program_year WHERE made_in = $1), \
         (SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT) FROM program_year WHERE made_in = $1), \
         (SELECT CAST(COALESCE(SUM(national), 0) AS BIGINT) FROM program_year WHERE made_in = $1), \
         (SELECT CAST(COALESCE(SUM(general), 0) AS BIGINT) FROM program_year WHERE made_in = $1), \
         (SELECT COALESCE(SUM(hashtext(concat_ws('|', municipality_code, code, fiscal_year, \
            cost, national, prefectural, bonds, other, general, activity_target))), 0) \
            FROM program_year WHERE made_in = $1), \
         (SELECT COUNT(*) FROM program_link WHERE made_in = $1), \
         (SELECT COALESCE(SUM(hashtext(concat_ws('|', municipality_code, code, position, \
            plan_id, element_id))), 0) FROM program_link WHERE made_in = $1), \
         (SELECT COUNT(*) FROM program_frame WHERE made_in = $1), \
         (SELECT COALESCE(SUM(hashtext(concat_ws('|', municipality_code, fiscal_year, \
            department, general))), 0) FROM program_frame WHERE made_in = $1), \
         (SELECT COUNT(*) FROM program_part WHERE made_in = $1)",
    )
    .bind(made_in)
    .fetch_one(pool)
    .await
    .unwrap();
    (0..14).map(|i| row.get::<i64, _>(i)).collect()
}

/// The labels of [`checksum`]'s numbers, for the report.
const CHECKSUM: [&str; 14] = [
    "editions",
    "editions_hash",
    "programs",
    "programs_hash",
    "years",
    "years_cost",
    "years_national",
    "years_general",
    "years_hash",
    "links",
    "links_hash",
    "frames",
    "frames_hash",
    "parts",
];

/// Removes the rolled editions and leaves the tables vacuumed and checkpointed, so that each
/// run starts alike.
async fn clear(pool: &PgPool, made_in: i32) {
    for statement in sql::CLEAR {
        sqlx::query(statement)
            .bind(made_in)
            .execute(pool)
            .await
            .unwrap();
    }
    pool.execute(
        "VACUUM (ANALYZE) program_edition, program, program_year, program_link, \
         program_frame, program_part",
    )
    .await
    .unwrap();
    pool.execute("CHECKPOINT").await.unwrap();
}

/// The hand-written roll of every municipality's edition, in one transaction.
async fn raw(pool: &PgPool, from: i32) -> Duration {
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

/// A planning-office user granted the roll, as the browser's session gives it.
pub fn office() -> Granted {
    let user = User {
        login_id: LoginId::parse("bench-office").unwrap(),
        display_name: "ベンチ".to_owned(),
        department: "企画調整課".to_owned(),
        roles: vec![Role::PlanningOffice],
        disabled: false,
    };
    Granted::check(user, Action::ManageEditions).unwrap()
}

/// Every municipality's edition rolled through `keikaku_app::programs::roll`, `workers` at
/// a time; the wall time and each roll's time.
async fn keikaku(
    store: &Arc<PostgresStore>,
    codes: &Arc<Vec<MunicipalityCode>>,
    from: FiscalYear,
    workers: usize,
) -> (Duration, Vec<Duration>) {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (store, codes, next) = (Arc::clone(store), Arc::clone(codes), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let granted = office();
            let mut times = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(code) = codes.get(i) else { break };
                let cx = Context::new(store.as_ref(), code);
                let at = Timestamp::from_millis(now_millis()).unwrap();
                let t = Instant::now();
                roll(&cx, &granted, from, at)
                    .await
                    .unwrap_or_else(|e| panic!("roll of {code}: {e}"));
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    (start.elapsed(), times)
}

async fn audit_rolls(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_entry WHERE action = 'implementation_plan.roll'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// `pg-roll URL WORKERS…`: the hand-written roll, then keikaku's with each number of
/// workers, then the hand-written roll again; each run on the same data (the rolled editions
/// removed, the tables vacuumed, a checkpoint), each result checked against the first.
pub async fn rolls(url: &str, workers: &[usize]) {
    let store = Arc::new(connect(url).await);
    let pool = store.pool().clone();
    let from = FiscalYear::new(MADE_IN).unwrap();
    let to = MADE_IN + 1;
    let codes: Vec<MunicipalityCode> = store
        .municipalities()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.code)
        .collect();
    let codes = Arc::new(codes);
    println!("rolled_municipalities={}", codes.len());
    clear(&pool, to).await;

    eprintln!("[roll] hand-written INSERT … SELECT");
    let first = raw(&pool, MADE_IN).await;
    let expected = checksum(&pool, to).await;
    println!("raw1_ms={}", ms(first));
    for (label, value) in CHECKSUM.iter().zip(&expected) {
        println!("rolled_{label}={value}");
    }
    let mut raws = vec![first];
    for &n in workers {
        clear(&pool, to).await;
        let audits = audit_rolls(&pool).await;
        eprintln!("[roll] keikaku, {n} at a time");
        let (wall, mut times) = keikaku(&store, &codes, from, n).await;
        times.sort();
        let got = checksum(&pool, to).await;
        let audited = audit_rolls(&pool).await - audits;
        println!("keikaku_c{n}_ms={}", ms(wall));
        println!("keikaku_c{n}_p50_ms={}", ms(percentile(&times, 50)));
        println!("keikaku_c{n}_p99_ms={}", ms(percentile(&times, 99)));
        println!("keikaku_c{n}_max_ms={}", ms(*times.last().unwrap()));
        println!("keikaku_c{n}_audited={audited}");
        let equal = got == expected;
        println!("keikaku_c{n}_equal={}", if equal { "yes" } else { "no" });
        if !equal {
            for ((label, want), have) in CHECKSUM.iter().zip(&expected).zip(&got) {
                if want != have {
                    eprintln!("[roll] c{n}: {label} {have} != {want}");
                }
            }
        }
    }
    clear(&pool, to).await;
    eprintln!("[roll] hand-written INSERT … SELECT, again");
    let again = raw(&pool, MADE_IN).await;
    println!("raw2_ms={}", ms(again));
    println!(
        "raw2_equal={}",
        if checksum(&pool, to).await == expected {
            "yes"
        } else {
            "no"
        }
    );
    raws.push(again);
    println!("raw_ms={}", ms(*raws.iter().min().unwrap()));
    store.close().await;
}
