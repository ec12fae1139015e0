//! The 実施計画: the port's [`ProgramStore`] for this backend. Every write goes through `tx`
//! (the municipality's lock and data version, one audit entry) and checks the revision the
//! writer started from inside the transaction.
//!
//! Every statement is keyed by the municipality and the edition (`$1`, `$2`). The yearly roll
//! is done by the database itself, `INSERT … SELECT` per table, so a national deployment rolls
//! half a million programs without carrying them through the application; which programs it
//! carries is the rule of [`keikaku_domain::program::roll`] (the conformance suite compares
//! the two), the outcome of each is [`RolledProgram::of`].

use std::collections::HashMap;

use async_trait::async_trait;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{
    EditionState, Frame, ProgramCategory, ProgramCode, RolledProgram, SubmissionState,
};
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::{
    Author, EditionChange, EditionData, EditionRecord, EditionSummary, ProgramRecord, ProgramStore,
    ProgramWrite, StoreError, UserChange, program_text,
};
use sqlx::{QueryBuilder, Row, Transaction};

use super::import::DbQuery;
use super::program_rows::{edition_row, frame_row, read_edition, read_programs, write_program};
use super::rounds::{all, execute, optional, required_code, submission_row, text_of};
use super::{backend, corrupt, tx};
use crate::{Db, Store};

const EDITIONS: &str = "SELECT e.made_in, e.plan_id, e.state, e.rounding, e.updated_by, \
     e.updated_at_millis, e.revision, \
     (SELECT COUNT(*) FROM program p WHERE p.municipality_code = e.municipality_code \
     AND p.made_in = e.made_in) AS programs \
     FROM program_edition e WHERE e.municipality_code = $1 ORDER BY e.made_in DESC";
pub(super) const EDITION: &str = "SELECT made_in, plan_id, state, rounding, updated_by, updated_at_millis, \
     revision FROM program_edition WHERE municipality_code = $1 AND made_in = $2";
pub(super) const PROGRAMS: &str = "SELECT made_in, code, name, department, purpose, target_group, means, \
     start_year, end_year, account, expense_type, category, activity_name, activity_unit, \
     sample, updated_by, updated_at_millis, revision FROM program \
     WHERE municipality_code = $1 AND made_in = $2 ORDER BY code";
pub(super) const YEARS: &str = "SELECT made_in, code, fiscal_year, cost, national, prefectural, bonds, \
     other, general, activity_target FROM program_year \
     WHERE municipality_code = $1 AND made_in = $2 ORDER BY code, fiscal_year";
pub(super) const LINKS: &str = "SELECT made_in, code, position, plan_id, element_id FROM program_link \
     WHERE municipality_code = $1 AND made_in = $2 ORDER BY code, position";
pub(super) const PARTS: &str = "SELECT department, state, comment, updated_by, updated_at_millis, revision \
     FROM program_part WHERE municipality_code = $1 AND made_in = $2 ORDER BY department";
const PART: &str = "SELECT department, state, comment, updated_by, updated_at_millis, revision \
     FROM program_part WHERE municipality_code = $1 AND made_in = $2 AND department = $3";
pub(super) const FRAMES: &str = "SELECT fiscal_year, department, general FROM program_frame \
     WHERE municipality_code = $1 AND made_in = $2 ORDER BY fiscal_year, department";
const HISTORY_EDITIONS: &str = "SELECT e.made_in, e.plan_id, e.state, e.rounding, \
     e.updated_by, e.updated_at_millis, e.revision FROM program_edition e \
     WHERE e.municipality_code = $1 AND EXISTS (SELECT 1 FROM program p \
     WHERE p.municipality_code = e.municipality_code AND p.made_in = e.made_in AND p.code = $2) \
     ORDER BY e.made_in";
const HISTORY_PROGRAMS: &str = "SELECT made_in, code, name, department, purpose, target_group, \
     means, start_year, end_year, account, expense_type, category, activity_name, \
     activity_unit, sample, updated_by, updated_at_millis, revision FROM program \
     WHERE municipality_code = $1 AND code = $2 ORDER BY made_in";
const HISTORY_YEARS: &str = "SELECT made_in, code, fiscal_year, cost, national, prefectural, \
     bonds, other, general, activity_target FROM program_year \
     WHERE municipality_code = $1 AND code = $2 ORDER BY made_in, fiscal_year";
const HISTORY_LINKS: &str = "SELECT made_in, code, position, plan_id, element_id \
     FROM program_link WHERE municipality_code = $1 AND code = $2 ORDER BY made_in, position";
const INSERT_EDITION: &str = "INSERT INTO program_edition (municipality_code, made_in, plan_id, \
     state, rounding, updated_by, updated_at_millis, revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (municipality_code, made_in) DO NOTHING";
const UPDATE_EDITION: &str = "UPDATE program_edition SET plan_id = $3, state = $4, \
     rounding = $5, updated_by = $6, updated_at_millis = $7, revision = $8 \
     WHERE municipality_code = $1 AND made_in = $2";
const ROLL_EDITION: &str = "INSERT INTO program_edition (municipality_code, made_in, plan_id, \
     state, rounding, updated_by, updated_at_millis, revision) \
     SELECT municipality_code, $3, plan_id, 'draft', rounding, $4, $5, 1 FROM program_edition \
     WHERE municipality_code = $1 AND made_in = $2";
// The rule of `program::roll`: not 廃止 or 完了, not ending before the new first year ($6);
// 休止 stays, everything else becomes 継続.
const ROLL_PROGRAMS: &str = "INSERT INTO program (municipality_code, made_in, code, name, \
     department, purpose, target_group, means, start_year, end_year, account, expense_type, \
     category, activity_name, activity_unit, sample, updated_by, updated_at_millis, revision) \
     SELECT municipality_code, $3, code, name, department, purpose, target_group, means, \
     start_year, end_year, account, expense_type, \
     CASE WHEN category = 'suspended' THEN 'suspended' ELSE 'continued' END, \
     activity_name, activity_unit, sample, $4, $5, 1 FROM program \
     WHERE municipality_code = $1 AND made_in = $2 \
     AND category NOT IN ('abolished', 'completed') AND (end_year IS NULL OR end_year >= $6)";
const ROLL_YEARS: &str = "INSERT INTO program_year (municipality_code, made_in, code, \
     fiscal_year, cost, national, prefectural, bonds, other, general, activity_target) \
     SELECT y.municipality_code, $3, y.code, y.fiscal_year, y.cost, y.national, y.prefectural, \
     y.bonds, y.other, y.general, y.activity_target FROM program_year y \
     JOIN program p ON p.municipality_code = y.municipality_code AND p.made_in = $3 \
     AND p.code = y.code \
     WHERE y.municipality_code = $1 AND y.made_in = $2 AND y.fiscal_year >= $4";
const ROLL_LINKS: &str = "INSERT INTO program_link (municipality_code, made_in, code, position, \
     plan_id, element_id) \
     SELECT l.municipality_code, $3, l.code, l.position, l.plan_id, l.element_id \
     FROM program_link l \
     JOIN program p ON p.municipality_code = l.municipality_code AND p.made_in = $3 \
     AND p.code = l.code \
     WHERE l.municipality_code = $1 AND l.made_in = $2";
const ROLL_FRAMES: &str = "INSERT INTO program_frame (municipality_code, made_in, fiscal_year, \
     department, general) \
     SELECT municipality_code, $3, fiscal_year, department, general FROM program_frame \
     WHERE municipality_code = $1 AND made_in = $2 AND fiscal_year >= $4";
const ROLLED: &str = "SELECT code, category, end_year FROM program \
     WHERE municipality_code = $1 AND made_in = $2 ORDER BY code";
pub(super) const UPSERT_PROGRAM: &str = "INSERT INTO program (municipality_code, made_in, code, name, \
     department, purpose, target_group, means, start_year, end_year, account, expense_type, \
     category, activity_name, activity_unit, sample, updated_by, updated_at_millis, revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
     ON CONFLICT (municipality_code, made_in, code) DO UPDATE SET name = excluded.name, \
     department = excluded.department, purpose = excluded.purpose, \
     target_group = excluded.target_group, means = excluded.means, \
     start_year = excluded.start_year, end_year = excluded.end_year, \
     account = excluded.account, expense_type = excluded.expense_type, \
     category = excluded.category, activity_name = excluded.activity_name, \
     activity_unit = excluded.activity_unit, sample = excluded.sample, \
     updated_by = excluded.updated_by, updated_at_millis = excluded.updated_at_millis, \
     revision = excluded.revision";
const DELETE_PROGRAM: &str =
    "DELETE FROM program WHERE municipality_code = $1 AND made_in = $2 AND code = $3";
pub(super) const DELETE_YEARS: &str =
    "DELETE FROM program_year WHERE municipality_code = $1 AND made_in = $2 AND code = $3";
pub(super) const DELETE_LINKS: &str =
    "DELETE FROM program_link WHERE municipality_code = $1 AND made_in = $2 AND code = $3";
const WRITE_PART: &str = "INSERT INTO program_part (municipality_code, made_in, department, \
     state, comment, updated_by, updated_at_millis, revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (municipality_code, made_in, department) DO UPDATE \
     SET state = excluded.state, comment = excluded.comment, updated_by = excluded.updated_by, \
     updated_at_millis = excluded.updated_at_millis, revision = excluded.revision";
const DELETE_EDITION: &str =
    "DELETE FROM program_edition WHERE municipality_code = $1 AND made_in = $2";
const DELETE_FRAMES: &str =
    "DELETE FROM program_frame WHERE municipality_code = $1 AND made_in = $2";
// Departments with programs whose part is not 承認 (a department without a stored part is
// 未提出).
const UNAPPROVED: &str = "SELECT COUNT(*) FROM (SELECT DISTINCT department FROM program \
     WHERE municipality_code = $1 AND made_in = $2) d WHERE NOT EXISTS (SELECT 1 \
     FROM program_part pp WHERE pp.municipality_code = $1 AND pp.made_in = $2 \
     AND pp.department = d.department AND pp.state = 'approved')";

/// The edition a statement is about.
#[derive(Clone, Copy)]
pub(super) struct Key<'a> {
    pub(super) code: &'a MunicipalityCode,
    pub(super) made_in: FiscalYear,
}

impl Key<'_> {
    /// `sql` with the key bound as `$1`, `$2`; the caller binds the parameters after.
    pub(super) fn query(self, sql: &'static str) -> DbQuery<'static> {
        sqlx::query(sql)
            .bind(self.code.as_str())
            .bind(self.made_in.year())
    }

    /// The target of the edition's audit entries.
    fn target(self) -> String {
        format!("implementation-plan/{}", self.made_in.year())
    }

    async fn audit(
        self,
        tx: &mut Transaction<'_, Db>,
        author: &Author,
        action: &str,
        before: Option<String>,
        after: String,
    ) -> Result<(), StoreError> {
        let change = UserChange {
            action: action.to_owned(),
            before,
            after: Some(after),
        };
        tx::append_audit(tx, self.code, author, &change, &self.target()).await?;
        Ok(())
    }
}

#[async_trait]
impl ProgramStore for Store {
    async fn editions(&self, code: &MunicipalityCode) -> Result<Vec<EditionSummary>, StoreError> {
        let rows = sqlx::query(EDITIONS)
            .bind(code.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(EditionSummary {
                    edition: edition_row(r)?,
                    programs: r.try_get("programs").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn edition(
        &self,
        code: &MunicipalityCode,
        made_in: FiscalYear,
    ) -> Result<Option<EditionData>, StoreError> {
        let key = Key { code, made_in };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let data = read_edition(&mut tx, key).await?;
        tx.commit().await.map_err(backend)?;
        Ok(data)
    }

    async fn program_history(
        &self,
        code: &MunicipalityCode,
        program: &ProgramCode,
    ) -> Result<Vec<(EditionRecord, ProgramRecord)>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let bind = |sql: &'static str| sqlx::query(sql).bind(code.as_str()).bind(program.as_str());
        let editions = all(&mut tx, bind(HISTORY_EDITIONS), edition_row).await?;
        let programs = read_programs(
            &mut tx,
            bind(HISTORY_PROGRAMS),
            bind(HISTORY_YEARS),
            bind(HISTORY_LINKS),
        )
        .await?;
        tx.commit().await.map_err(backend)?;
        let mut out = Vec::new();
        for e in editions {
            if let Some((_, p)) = programs.iter().find(|(m, _)| *m == e.made_in) {
                out.push((e, p.clone()));
            }
        }
        Ok(out)
    }

    async fn create_edition(
        &self,
        code: &MunicipalityCode,
        edition: &EditionRecord,
        author: &Author,
    ) -> Result<(), StoreError> {
        let key = Key {
            code,
            made_in: edition.made_in,
        };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let done = key
            .query(INSERT_EDITION)
            .bind(edition.plan.as_str())
            .bind(EditionState::Draft.code())
            .bind(edition.rounding.code())
            .bind(&author.actor)
            .bind(author.at.as_millis())
            .bind(1_i64)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale("edition".to_owned()));
        }
        let after = format!(
            "計画: {}\n端数処理: {}",
            edition.plan,
            edition.rounding.label()
        );
        key.audit(&mut tx, author, "implementation_plan.create", None, after)
            .await?;
        tx::commit(tx).await
    }

    async fn roll_edition(
        &self,
        code: &MunicipalityCode,
        from: FiscalYear,
        author: &Author,
    ) -> Result<Vec<RolledProgram>, StoreError> {
        let to = from.next();
        let first = to.next();
        let key = Key { code, made_in: to };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let old = Key {
            code,
            made_in: from,
        };
        if optional(&mut tx, old.query(EDITION), edition_row)
            .await?
            .is_none()
        {
            return Err(StoreError::Stale("from".to_owned()));
        }
        if optional(&mut tx, key.query(EDITION), edition_row)
            .await?
            .is_some()
        {
            return Err(StoreError::Stale("edition".to_owned()));
        }
        let outcomes: Vec<RolledProgram> = old
            .query(ROLLED)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| {
                let program = ProgramCode::parse(&text_of(r, "code")?).map_err(corrupt)?;
                let category = required_code(r, "category", ProgramCategory::from_code)?;
                let end: Option<i32> = r.try_get("end_year").map_err(backend)?;
                let end = end.map(FiscalYear::new).transpose().map_err(corrupt)?;
                Ok(RolledProgram::of(&program, category, end, first))
            })
            .collect::<Result<_, StoreError>>()?;
        let roll = |sql: &'static str| {
            old.query(sql)
                .bind(to.year())
                .bind(author.actor.clone())
                .bind(author.at.as_millis())
        };
        execute(&mut tx, roll(ROLL_EDITION)).await?;
        execute(&mut tx, roll(ROLL_PROGRAMS).bind(first.year())).await?;
        let copy = |sql: &'static str| old.query(sql).bind(to.year()).bind(first.year());
        execute(&mut tx, copy(ROLL_YEARS)).await?;
        execute(&mut tx, old.query(ROLL_LINKS).bind(to.year())).await?;
        execute(&mut tx, copy(ROLL_FRAMES)).await?;
        let summary: Vec<String> = outcomes.iter().map(RolledProgram::message).collect();
        let after = format!("{}年度の版から作成\n{}", from.year(), summary.join("\n"));
        key.audit(&mut tx, author, "implementation_plan.roll", None, after)
            .await?;
        tx::commit(tx).await?;
        Ok(outcomes)
    }

    async fn save_programs(
        &self,
        code: &MunicipalityCode,
        made_in: FiscalYear,
        writes: &[ProgramWrite],
        guard: Option<&str>,
        author: &Author,
    ) -> Result<Vec<ProgramRecord>, StoreError> {
        let key = Key { code, made_in };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let Some(data) = read_edition(&mut tx, key).await? else {
            return Err(StoreError::Stale("edition".to_owned()));
        };
        if !data.edition.state.editable() {
            return Err(StoreError::Stale("edition".to_owned()));
        }
        if let Some(department) = guard {
            let part = optional(&mut tx, key.query(PART).bind(department), submission_row).await?;
            if part.is_some_and(|p| !p.state.editable()) {
                return Err(StoreError::Stale(department.to_owned()));
            }
        }
        let mut stored: HashMap<ProgramCode, ProgramRecord> = data
            .programs
            .into_iter()
            .map(|p| (p.program.code.clone(), p))
            .collect();
        let mut before = Vec::new();
        let mut after = Vec::new();
        let mut out = Vec::new();
        for w in writes {
            let current = stored.get(w.code());
            let expected = match w {
                ProgramWrite::Save { expected, .. } => *expected,
                ProgramWrite::Delete { expected, .. } => Some(*expected),
            };
            if current.map(|c| c.revision) != expected {
                return Err(StoreError::Stale(w.code().to_string()));
            }
            match w {
                ProgramWrite::Save { program, .. } => {
                    if let Some(c) = current.filter(|c| &c.program == program) {
                        out.push(c.clone());
                        continue;
                    }
                    if let Some(c) = current {
                        before.push(program_text(&c.program));
                    }
                    let record = ProgramRecord {
                        program: program.clone(),
                        updated_by: author.actor.clone(),
                        updated_at: author.at,
                        revision: current.map_or(1, |c| c.revision + 1),
                    };
                    write_program(&mut tx, key, &record).await?;
                    after.push(program_text(program));
                    out.push(record.clone());
                    stored.insert(program.code.clone(), record);
                }
                ProgramWrite::Delete { code: program, .. } => {
                    if let Some(c) = current {
                        before.push(program_text(&c.program));
                    }
                    execute(&mut tx, key.query(DELETE_PROGRAM).bind(program.as_str())).await?;
                    after.push(format!("{program}: 削除"));
                    stored.remove(program);
                }
            }
        }
        if !after.is_empty() {
            let before = (!before.is_empty()).then(|| before.join("\n\n"));
            key.audit(
                &mut tx,
                author,
                "implementation_plan.programs",
                before,
                after.join("\n\n"),
            )
            .await?;
        }
        tx::commit(tx).await?;
        Ok(out)
    }

    async fn save_part(
        &self,
        code: &MunicipalityCode,
        made_in: FiscalYear,
        department: &str,
        state: SubmissionState,
        comment: &str,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let key = Key { code, made_in };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let edition = optional(&mut tx, key.query(EDITION), edition_row).await?;
        if !edition.is_some_and(|e| e.state.editable()) {
            return Err(StoreError::Stale("edition".to_owned()));
        }
        let stored = optional(&mut tx, key.query(PART).bind(department), submission_row).await?;
        let revision = stored.as_ref().map_or(0, |s| s.revision);
        if revision != expected {
            return Err(StoreError::Stale(department.to_owned()));
        }
        let next = revision + 1;
        let query = key
            .query(WRITE_PART)
            .bind(department)
            .bind(state.code())
            .bind(comment)
            .bind(&author.actor)
            .bind(author.at.as_millis())
            .bind(next);
        execute(&mut tx, query).await?;
        let text = |s: SubmissionState, c: &str| format!("{department}: {} {c}", s.label());
        let before = stored.map(|s| text(s.state, &s.comment));
        key.audit(
            &mut tx,
            author,
            "implementation_plan.part",
            before,
            text(state, comment),
        )
        .await?;
        tx::commit(tx).await?;
        Ok(next)
    }

    async fn delete_edition(
        &self,
        code: &MunicipalityCode,
        made_in: FiscalYear,
        expected: i64,
        author: &Author,
    ) -> Result<(), StoreError> {
        let key = Key { code, made_in };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let Some(data) = read_edition(&mut tx, key).await? else {
            return Err(StoreError::Stale("edition".to_owned()));
        };
        if data.edition.revision != expected || !data.edition.state.editable() {
            return Err(StoreError::Stale("edition".to_owned()));
        }
        // The rows that refer to the edition go with it (ON DELETE CASCADE).
        execute(&mut tx, key.query(DELETE_EDITION)).await?;
        let before = format!(
            "計画: {}\n事業: {}件\n{}",
            data.edition.plan,
            data.programs.len(),
            data.programs
                .iter()
                .map(|p| p.program.code.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        key.audit(
            &mut tx,
            author,
            "implementation_plan.delete",
            Some(before),
            "削除".to_owned(),
        )
        .await?;
        tx::commit(tx).await
    }

    async fn save_edition(
        &self,
        code: &MunicipalityCode,
        made_in: FiscalYear,
        change: &EditionChange,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let key = Key { code, made_in };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let Some(stored) = optional(&mut tx, key.query(EDITION), edition_row).await? else {
            return Err(StoreError::Stale("edition".to_owned()));
        };
        if stored.revision != expected {
            return Err(StoreError::Stale("edition".to_owned()));
        }
        let mut next = stored.clone();
        next.revision += 1;
        let (action, before, after) = match change {
            EditionChange::State(state) => {
                if *state == EditionState::Fixed {
                    let waiting: i64 = key
                        .query(UNAPPROVED)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend)?
                        .try_get(0)
                        .map_err(backend)?;
                    if waiting > 0 {
                        return Err(StoreError::Stale("parts".to_owned()));
                    }
                }
                next.state = *state;
                (
                    "implementation_plan.state",
                    stored.state.label().to_owned(),
                    state.label().to_owned(),
                )
            }
            EditionChange::Settings { plan, rounding } => {
                if !stored.state.editable() {
                    return Err(StoreError::Stale("edition".to_owned()));
                }
                next.plan = plan.clone();
                next.rounding = *rounding;
                let text = |p: &PlanId, r: Rounding| format!("計画: {p}\n端数処理: {}", r.label());
                (
                    "implementation_plan.settings",
                    text(&stored.plan, stored.rounding),
                    text(plan, *rounding),
                )
            }
            EditionChange::Frames(frames) => {
                if !stored.state.editable() {
                    return Err(StoreError::Stale("edition".to_owned()));
                }
                let old = all(&mut tx, key.query(FRAMES), frame_row).await?;
                execute(&mut tx, key.query(DELETE_FRAMES)).await?;
                if !frames.is_empty() {
                    let mut q = QueryBuilder::<Db>::new(
                        "INSERT INTO program_frame (municipality_code, made_in, fiscal_year, \
                         department, general) ",
                    );
                    q.push_values(frames, |mut row, f| {
                        row.push_bind(code.as_str())
                            .push_bind(made_in.year())
                            .push_bind(f.fiscal_year.year())
                            .push_bind(f.department.trim().to_owned())
                            .push_bind(f.general.yen());
                    });
                    q.build().execute(&mut *tx).await.map_err(backend)?;
                }
                (
                    "implementation_plan.frames",
                    frames_text(&old),
                    frames_text(frames),
                )
            }
        };
        let query = key
            .query(UPDATE_EDITION)
            .bind(next.plan.as_str())
            .bind(next.state.code())
            .bind(next.rounding.code())
            .bind(&author.actor)
            .bind(author.at.as_millis())
            .bind(next.revision);
        execute(&mut tx, query).await?;
        key.audit(&mut tx, author, action, Some(before), after)
            .await?;
        tx::commit(tx).await?;
        Ok(next.revision)
    }
}

fn frames_text(frames: &[Frame]) -> String {
    frames
        .iter()
        .map(|f| {
            let who = if f.department.trim().is_empty() {
                "市全体"
            } else {
                f.department.trim()
            };
            format!("{} {who}: {}", f.fiscal_year.year(), f.general.yen())
        })
        .collect::<Vec<_>>()
        .join("\n")
}
