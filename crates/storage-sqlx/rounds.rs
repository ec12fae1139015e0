//! Verification rounds (効果検証): the port's [`RoundStore`] for this backend. Every write goes
//! through `tx` (the municipality's lock and data version, one audit entry per change) and
//! checks the revision the writer started from inside the transaction.
//!
//! Every statement of a round is keyed by the municipality, the plan and the fiscal year as
//! `$1`–`$3` ([`Key::query`]); the rows are read by one function per table.

use async_trait::async_trait;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{FutureCourse, PanelRating, RoundState, SubmissionState};
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};
use keikaku_storage::{
    AssessmentPart, AssessmentRecord, AssessmentWrite, Author, OpinionWrite, ReportRecord,
    RoundChange, RoundData, RoundRecord, RoundStore, StoreError, SubmissionRecord, UserChange,
};
use sqlx::{Row, Transaction};

use super::import::DbQuery;
use super::{backend, corrupt, tx};
use crate::{Db, DbRow, Store};

const ROUND: &str = "SELECT fiscal_year, state, opinion, publications, revision FROM kpi_round \
     WHERE municipality_code = $1 AND plan_id = $2 AND fiscal_year = $3";
const SUBMISSIONS: &str = "SELECT department, state, comment, updated_by, updated_at_millis, \
     revision FROM kpi_round_submission \
     WHERE municipality_code = $1 AND plan_id = $2 AND fiscal_year = $3 ORDER BY department";
const SUBMISSION: &str = "SELECT department, state, comment, updated_by, updated_at_millis, \
     revision FROM kpi_round_submission \
     WHERE municipality_code = $1 AND plan_id = $2 AND fiscal_year = $3 AND department = $4";
const ASSESSMENTS: &str = "SELECT indicator_id, analysis, course, rating, remark, response, \
     updated_by, updated_at_millis, revision FROM kpi_assessment \
     WHERE municipality_code = $1 AND plan_id = $2 AND fiscal_year = $3 ORDER BY indicator_id";
const ASSESSMENT: &str = "SELECT indicator_id, analysis, course, rating, remark, response, \
     updated_by, updated_at_millis, revision FROM kpi_assessment \
     WHERE municipality_code = $1 AND plan_id = $2 AND fiscal_year = $3 AND indicator_id = $4";
const WRITE_ROUND: &str = "INSERT INTO kpi_round (municipality_code, plan_id, fiscal_year, \
     state, opinion, publications, updated_by, updated_at_millis, revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (municipality_code, plan_id, fiscal_year) DO UPDATE \
     SET state = excluded.state, opinion = excluded.opinion, \
     publications = excluded.publications, updated_by = excluded.updated_by, \
     updated_at_millis = excluded.updated_at_millis, revision = excluded.revision";
const WRITE_SUBMISSION: &str = "INSERT INTO kpi_round_submission (municipality_code, plan_id, \
     fiscal_year, department, state, comment, updated_by, updated_at_millis, revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (municipality_code, plan_id, fiscal_year, department) DO UPDATE \
     SET state = excluded.state, comment = excluded.comment, \
     updated_by = excluded.updated_by, updated_at_millis = excluded.updated_at_millis, \
     revision = excluded.revision";
const WRITE_ASSESSMENT: &str = "INSERT INTO kpi_assessment (municipality_code, plan_id, \
     fiscal_year, indicator_id, analysis, course, rating, remark, response, updated_by, \
     updated_at_millis, revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
     ON CONFLICT (municipality_code, plan_id, fiscal_year, indicator_id) DO UPDATE \
     SET analysis = excluded.analysis, course = excluded.course, \
     rating = excluded.rating, remark = excluded.remark, \
     response = excluded.response, updated_by = excluded.updated_by, \
     updated_at_millis = excluded.updated_at_millis, revision = excluded.revision";
const WRITE_REPORT: &str = "INSERT INTO kpi_round_report (municipality_code, plan_id, \
     fiscal_year, number, published_by, published_at_millis, report) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const LATEST_REPORTS: &str = "SELECT r.fiscal_year, r.number, r.published_by, \
     r.published_at_millis, r.report \
     FROM kpi_round_report r WHERE r.municipality_code = $1 AND r.plan_id = $2 \
     AND r.number = (SELECT MAX(l.number) FROM kpi_round_report l \
     WHERE l.municipality_code = r.municipality_code AND l.plan_id = r.plan_id \
     AND l.fiscal_year = r.fiscal_year) ORDER BY r.fiscal_year";

/// The round a statement is about: the municipality, the plan and the fiscal year.
#[derive(Clone, Copy)]
struct Key<'a> {
    code: &'a MunicipalityCode,
    plan: &'a PlanId,
    year: FiscalYear,
}

impl Key<'_> {
    /// `sql` with the key bound as `$1`, `$2`, `$3`; the caller binds the parameters after.
    fn query(self, sql: &'static str) -> DbQuery<'static> {
        sqlx::query(sql)
            .bind(self.code.as_str())
            .bind(self.plan.as_str())
            .bind(self.year.year())
    }

    /// The target of the round's audit entries, `plan/year`.
    fn target(self) -> String {
        format!("{}/{}", self.plan, self.year.year())
    }

    /// Appends the audit entry of one change of the round.
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

/// Every row a query finds, each read by `row`.
pub(super) async fn all<T>(
    tx: &mut Transaction<'_, Db>,
    query: DbQuery<'_>,
    row: fn(&DbRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    query
        .fetch_all(&mut **tx)
        .await
        .map_err(backend)?
        .iter()
        .map(row)
        .collect()
}

/// The row a query finds, if any, read by `row`.
pub(super) async fn optional<T>(
    tx: &mut Transaction<'_, Db>,
    query: DbQuery<'_>,
    row: fn(&DbRow) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    query
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?
        .as_ref()
        .map(row)
        .transpose()
}

pub(super) async fn execute(
    tx: &mut Transaction<'_, Db>,
    query: DbQuery<'_>,
) -> Result<(), StoreError> {
    query.execute(&mut **tx).await.map_err(backend)?;
    Ok(())
}

#[async_trait]
impl RoundStore for Store {
    async fn round(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
    ) -> Result<RoundData, StoreError> {
        let key = Key { code, plan, year };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let round = stored_round(&mut tx, key).await?;
        let submissions = all(&mut tx, key.query(SUBMISSIONS), submission_row).await?;
        let assessments = all(&mut tx, key.query(ASSESSMENTS), assessment_row).await?;
        tx.commit().await.map_err(backend)?;
        Ok(RoundData {
            round,
            submissions,
            assessments,
        })
    }

    async fn save_assessments(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
        writes: &[AssessmentWrite],
        opinion: Option<&OpinionWrite>,
        author: &Author,
    ) -> Result<Vec<AssessmentRecord>, StoreError> {
        let key = Key { code, plan, year };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let round = stored_round(&mut tx, key).await?;
        if round.state == RoundState::Published {
            return Err(StoreError::Stale("round".to_owned()));
        }
        let mut before = Vec::new();
        let mut after = Vec::new();
        let mut out = Vec::new();
        for w in writes {
            if let AssessmentPart::Department { department, .. } = &w.part {
                let query = key.query(SUBMISSION).bind(department.as_str());
                if optional(&mut tx, query, submission_row)
                    .await?
                    .is_some_and(|s| !s.state.editable())
                {
                    return Err(StoreError::Stale(department.clone()));
                }
            }
            let stored = optional(
                &mut tx,
                key.query(ASSESSMENT).bind(w.indicator.as_str()),
                assessment_row,
            )
            .await?;
            if stored.as_ref().map_or(0, |s| s.revision) != w.expected {
                return Err(StoreError::Stale(w.indicator.to_string()));
            }
            let mut next = stored
                .clone()
                .unwrap_or_else(|| empty(&w.indicator, author.at));
            apply(&mut next, &w.part);
            if let Some(s) = &stored {
                if same_content(s, &next) {
                    out.push(s.clone());
                    continue;
                }
                before.push(assessment_text(s));
            } else if same_content(&next, &empty(&w.indicator, author.at)) {
                continue;
            }
            next.updated_by.clone_from(&author.actor);
            next.updated_at = author.at;
            next.revision += 1;
            write_assessment(&mut tx, key, &next).await?;
            after.push(assessment_text(&next));
            out.push(next);
        }
        if !after.is_empty() {
            let before = (!before.is_empty()).then(|| before.join("\n"));
            key.audit(
                &mut tx,
                author,
                "kpi.round.assessments",
                before,
                after.join("\n"),
            )
            .await?;
        }
        // The overall opinion in the same transaction: a stale one undoes the assessments above.
        if let Some(o) = opinion
            && o.text != round.opinion
        {
            if o.expected != round.revision {
                return Err(StoreError::Stale("opinion".to_owned()));
            }
            let next = RoundRecord {
                opinion: o.text.clone(),
                revision: round.revision + 1,
                ..round.clone()
            };
            write_round(&mut tx, key, &next, author).await?;
            let before = (!round.opinion.is_empty()).then(|| round.opinion.clone());
            key.audit(&mut tx, author, "kpi.round.opinion", before, o.text.clone())
                .await?;
        }
        tx::commit(tx).await?;
        Ok(out)
    }

    async fn save_submission(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
        department: &str,
        state: SubmissionState,
        comment: &str,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let key = Key { code, plan, year };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        if stored_round(&mut tx, key).await?.state == RoundState::Published {
            return Err(StoreError::Stale("round".to_owned()));
        }
        let query = key.query(SUBMISSION).bind(department);
        let stored = optional(&mut tx, query, submission_row).await?;
        if stored.as_ref().map_or(0, |s| s.revision) != expected {
            return Err(StoreError::Stale(department.to_owned()));
        }
        let revision = expected + 1;
        let query = key
            .query(WRITE_SUBMISSION)
            .bind(department)
            .bind(state.code())
            .bind(comment)
            .bind(&author.actor)
            .bind(author.at.as_millis())
            .bind(revision);
        execute(&mut tx, query).await?;
        let line = |s: SubmissionState, c: &str| {
            format!("{department}: {} {}", s.code(), c.replace('\n', " "))
        };
        let before = stored.map(|s| line(s.state, &s.comment));
        key.audit(
            &mut tx,
            author,
            "kpi.round.submission",
            before,
            line(state, comment),
        )
        .await?;
        tx::commit(tx).await?;
        Ok(revision)
    }

    async fn save_round(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
        change: &RoundChange,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let key = Key { code, plan, year };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let stored = stored_round(&mut tx, key).await?;
        let published = stored.state == RoundState::Published;
        if stored.revision != expected {
            return Err(StoreError::Stale("round".to_owned()));
        }
        let mut next = stored.clone();
        let (action, before, after) = match change {
            RoundChange::Opinion(_) | RoundChange::Publish { .. } if published => {
                return Err(StoreError::Stale("round".to_owned()));
            }
            RoundChange::Reopen if !published => {
                return Err(StoreError::Stale("round".to_owned()));
            }
            RoundChange::Opinion(text) => {
                next.opinion.clone_from(text);
                (
                    "kpi.round.opinion",
                    (!stored.opinion.is_empty()).then(|| stored.opinion.clone()),
                    text.clone(),
                )
            }
            RoundChange::Publish { report, made_at } => {
                if let Some(seen) = *made_at
                    && tx::written_since(&mut tx, code, seen).await?
                {
                    return Err(StoreError::Stale("report".to_owned()));
                }
                next.state = RoundState::Published;
                next.publications += 1;
                let query = key
                    .query(WRITE_REPORT)
                    .bind(next.publications)
                    .bind(&author.actor)
                    .bind(author.at.as_millis())
                    .bind(report);
                execute(&mut tx, query).await?;
                (
                    "kpi.round.publish",
                    None,
                    format!("第{}版を公表", next.publications),
                )
            }
            RoundChange::Reopen => {
                next.state = RoundState::Open;
                (
                    "kpi.round.reopen",
                    Some(format!("第{}版を公表中", stored.publications)),
                    "再開".to_owned(),
                )
            }
        };
        next.revision += 1;
        write_round(&mut tx, key, &next, author).await?;
        key.audit(&mut tx, author, action, before, after).await?;
        tx::commit(tx).await?;
        Ok(next.revision)
    }

    async fn published_reports(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Vec<ReportRecord>, StoreError> {
        sqlx::query(LATEST_REPORTS)
            .bind(code.as_str())
            .bind(plan.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(report_row)
            .collect()
    }
}

async fn stored_round(
    tx: &mut Transaction<'_, Db>,
    key: Key<'_>,
) -> Result<RoundRecord, StoreError> {
    Ok(optional(tx, key.query(ROUND), round_row)
        .await?
        .unwrap_or_else(|| RoundRecord::new(key.year)))
}

/// Writes the round's row as `next` says (its revision already counted).
async fn write_round(
    tx: &mut Transaction<'_, Db>,
    key: Key<'_>,
    next: &RoundRecord,
    author: &Author,
) -> Result<(), StoreError> {
    let query = key
        .query(WRITE_ROUND)
        .bind(next.state.code())
        .bind(&next.opinion)
        .bind(next.publications)
        .bind(&author.actor)
        .bind(author.at.as_millis())
        .bind(next.revision);
    execute(tx, query).await
}

async fn write_assessment(
    tx: &mut Transaction<'_, Db>,
    key: Key<'_>,
    a: &AssessmentRecord,
) -> Result<(), StoreError> {
    let query = key
        .query(WRITE_ASSESSMENT)
        .bind(a.indicator.as_str())
        .bind(&a.analysis)
        .bind(a.course.map(FutureCourse::code))
        .bind(a.rating.map(PanelRating::code))
        .bind(&a.remark)
        .bind(&a.response)
        .bind(&a.updated_by)
        .bind(a.updated_at.as_millis())
        .bind(a.revision);
    execute(tx, query).await
}

/// An assessment nothing was written for.
fn empty(indicator: &ElementId, at: Timestamp) -> AssessmentRecord {
    AssessmentRecord {
        indicator: indicator.clone(),
        analysis: String::new(),
        course: None,
        rating: None,
        remark: String::new(),
        response: String::new(),
        updated_by: String::new(),
        updated_at: at,
        revision: 0,
    }
}

/// The writer's part put into an assessment; the other parts stay.
fn apply(a: &mut AssessmentRecord, part: &AssessmentPart) {
    match part {
        AssessmentPart::Department {
            analysis, course, ..
        } => {
            a.analysis.clone_from(analysis);
            a.course = *course;
        }
        AssessmentPart::Panel { rating, remark } => {
            a.rating = *rating;
            a.remark.clone_from(remark);
        }
        AssessmentPart::Response { response } => a.response.clone_from(response),
    }
}

pub(super) fn year_of(r: &DbRow) -> Result<FiscalYear, StoreError> {
    FiscalYear::new(r.try_get::<i32, _>("fiscal_year").map_err(backend)?).map_err(corrupt)
}

pub(super) fn time_of(r: &DbRow, column: &str) -> Result<Timestamp, StoreError> {
    Timestamp::from_millis(r.try_get(column).map_err(backend)?).map_err(corrupt)
}

pub(super) fn text_of(r: &DbRow, column: &str) -> Result<String, StoreError> {
    r.try_get(column).map_err(backend)
}

/// A code column read back into the domain's vocabulary (`None`: `NULL`).
pub(super) fn code_of<T>(
    r: &DbRow,
    column: &str,
    from_code: fn(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    let code: Option<String> = r.try_get(column).map_err(backend)?;
    code.map(|c| from_code(&c).ok_or_else(|| corrupt(format!("{column} {c}"))))
        .transpose()
}

/// A code column that is never `NULL`.
pub(super) fn required_code<T>(
    r: &DbRow,
    column: &str,
    from_code: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    code_of(r, column, from_code)?.ok_or_else(|| corrupt(format!("{column} NULL")))
}

fn round_row(r: &DbRow) -> Result<RoundRecord, StoreError> {
    Ok(RoundRecord {
        fiscal_year: year_of(r)?,
        state: required_code(r, "state", RoundState::from_code)?,
        opinion: text_of(r, "opinion")?,
        publications: r.try_get("publications").map_err(backend)?,
        revision: r.try_get("revision").map_err(backend)?,
    })
}

pub(super) fn submission_row(r: &DbRow) -> Result<SubmissionRecord, StoreError> {
    Ok(SubmissionRecord {
        department: text_of(r, "department")?,
        state: required_code(r, "state", SubmissionState::from_code)?,
        comment: text_of(r, "comment")?,
        updated_by: text_of(r, "updated_by")?,
        updated_at: time_of(r, "updated_at_millis")?,
        revision: r.try_get("revision").map_err(backend)?,
    })
}

fn assessment_row(r: &DbRow) -> Result<AssessmentRecord, StoreError> {
    Ok(AssessmentRecord {
        indicator: ElementId::parse(&text_of(r, "indicator_id")?).map_err(corrupt)?,
        analysis: text_of(r, "analysis")?,
        course: code_of(r, "course", FutureCourse::from_code)?,
        rating: code_of(r, "rating", PanelRating::from_code)?,
        remark: text_of(r, "remark")?,
        response: text_of(r, "response")?,
        updated_by: text_of(r, "updated_by")?,
        updated_at: time_of(r, "updated_at_millis")?,
        revision: r.try_get("revision").map_err(backend)?,
    })
}

fn report_row(r: &DbRow) -> Result<ReportRecord, StoreError> {
    Ok(ReportRecord {
        fiscal_year: year_of(r)?,
        number: r.try_get("number").map_err(backend)?,
        published_by: text_of(r, "published_by")?,
        published_at: time_of(r, "published_at_millis")?,
        report: text_of(r, "report")?,
    })
}

fn same_content(a: &AssessmentRecord, b: &AssessmentRecord) -> bool {
    a.analysis == b.analysis
        && a.course == b.course
        && a.rating == b.rating
        && a.remark == b.remark
        && a.response == b.response
}

/// An assessment as the audit log keeps it, one line.
fn assessment_text(a: &AssessmentRecord) -> String {
    format!(
        "{}: analysis={} course={} rating={} remark={} response={}",
        a.indicator,
        a.analysis.replace('\n', " "),
        a.course.map_or("-", FutureCourse::code),
        a.rating.map_or("-", PanelRating::code),
        a.remark.replace('\n', " "),
        a.response.replace('\n', " ")
    )
}
