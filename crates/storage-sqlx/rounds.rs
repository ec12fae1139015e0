//! Verification rounds (効果検証): the port's [`RoundStore`] for this backend. Every write goes
//! through `tx` (the municipality's lock and data version, one audit entry) and checks the
//! revision the writer started from inside the transaction.

use async_trait::async_trait;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{FutureCourse, PanelRating, RoundState, SubmissionState};
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};
use keikaku_storage::{
    AssessmentPart, AssessmentRecord, AssessmentWrite, Author, ReportRecord, RoundChange,
    RoundData, RoundRecord, RoundStore, StoreError, SubmissionRecord, UserChange,
};
use sqlx::{Row, Transaction};

use super::{backend, corrupt, tx};
use crate::{Db, DbRow, Store};

const ROUND: &str = "SELECT fiscal_year, state, opinion, publications, revision FROM kpi_round \
     WHERE municipality_code = $1 AND plan_id = $2 AND fiscal_year = $3";
const SUBMISSIONS: &str = "SELECT department, state, comment, updated_by, updated_at_millis, \
     revision FROM kpi_round_submission \
     WHERE municipality_code = $1 AND plan_id = $2 AND fiscal_year = $3 ORDER BY department";
const ASSESSMENTS: &str = "SELECT indicator_id, analysis, course, rating, remark, response, \
     updated_by, updated_at_millis, revision FROM kpi_assessment \
     WHERE municipality_code = $1 AND plan_id = $2 AND fiscal_year = $3 ORDER BY indicator_id";

#[async_trait]
impl RoundStore for Store {
    async fn round(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
    ) -> Result<RoundData, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let round = stored_round(&mut tx, code, plan, year).await?;
        let submissions = sqlx::query(SUBMISSIONS)
            .bind(code.as_str())
            .bind(plan.as_str())
            .bind(year.year())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?
            .iter()
            .map(submission_row)
            .collect::<Result<_, _>>()?;
        let assessments = sqlx::query(ASSESSMENTS)
            .bind(code.as_str())
            .bind(plan.as_str())
            .bind(year.year())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?
            .iter()
            .map(assessment_row)
            .collect::<Result<_, _>>()?;
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
        author: &Author,
    ) -> Result<Vec<AssessmentRecord>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        refuse_published(&mut tx, code, plan, year).await?;
        let mut before = Vec::new();
        let mut after = Vec::new();
        let mut out = Vec::new();
        for w in writes {
            let stored = stored_assessment(&mut tx, code, plan, year, &w.indicator).await?;
            if stored.as_ref().map_or(0, |s| s.revision) != w.expected {
                return Err(StoreError::Stale(w.indicator.to_string()));
            }
            let mut next = stored.clone().unwrap_or_else(|| AssessmentRecord {
                indicator: w.indicator.clone(),
                analysis: String::new(),
                course: None,
                rating: None,
                remark: String::new(),
                response: String::new(),
                updated_by: String::new(),
                updated_at: author.at,
                revision: 0,
            });
            match &w.part {
                AssessmentPart::Department { analysis, course } => {
                    next.analysis.clone_from(analysis);
                    next.course = *course;
                }
                AssessmentPart::Panel { rating, remark } => {
                    next.rating = *rating;
                    next.remark.clone_from(remark);
                }
                AssessmentPart::Response { response } => next.response.clone_from(response),
            }
            if let Some(s) = &stored {
                if same_content(s, &next) {
                    out.push(s.clone());
                    continue;
                }
                before.push(assessment_text(s));
            } else if same_content(&next, &empty_like(&next)) {
                continue;
            }
            next.updated_by.clone_from(&author.actor);
            next.updated_at = author.at;
            next.revision += 1;
            sqlx::query(
                "INSERT INTO kpi_assessment (municipality_code, plan_id, fiscal_year, \
                 indicator_id, analysis, course, rating, remark, response, updated_by, \
                 updated_at_millis, revision) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (municipality_code, plan_id, fiscal_year, indicator_id) DO UPDATE \
                 SET analysis = excluded.analysis, course = excluded.course, \
                 rating = excluded.rating, remark = excluded.remark, \
                 response = excluded.response, updated_by = excluded.updated_by, \
                 updated_at_millis = excluded.updated_at_millis, revision = excluded.revision",
            )
            .bind(code.as_str())
            .bind(plan.as_str())
            .bind(year.year())
            .bind(next.indicator.as_str())
            .bind(&next.analysis)
            .bind(next.course.map(FutureCourse::code))
            .bind(next.rating.map(PanelRating::code))
            .bind(&next.remark)
            .bind(&next.response)
            .bind(&next.updated_by)
            .bind(next.updated_at.as_millis())
            .bind(next.revision)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            after.push(assessment_text(&next));
            out.push(next);
        }
        if !after.is_empty() {
            let change = UserChange {
                action: "kpi.round.assessments".to_owned(),
                before: (!before.is_empty()).then(|| before.join("\n")),
                after: Some(after.join("\n")),
            };
            let target = format!("{plan}/{}", year.year());
            tx::append_audit(&mut tx, code, author, &change, &target).await?;
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
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        refuse_published(&mut tx, code, plan, year).await?;
        let stored = sqlx::query(
            "SELECT department, state, comment, updated_by, updated_at_millis, revision \
             FROM kpi_round_submission WHERE municipality_code = $1 AND plan_id = $2 \
             AND fiscal_year = $3 AND department = $4",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(year.year())
        .bind(department)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let stored = stored.as_ref().map(submission_row).transpose()?;
        if stored.as_ref().map_or(0, |s| s.revision) != expected {
            return Err(StoreError::Stale(department.to_owned()));
        }
        let revision = expected + 1;
        sqlx::query(
            "INSERT INTO kpi_round_submission (municipality_code, plan_id, fiscal_year, \
             department, state, comment, updated_by, updated_at_millis, revision) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (municipality_code, plan_id, fiscal_year, department) DO UPDATE \
             SET state = excluded.state, comment = excluded.comment, \
             updated_by = excluded.updated_by, updated_at_millis = excluded.updated_at_millis, \
             revision = excluded.revision",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(year.year())
        .bind(department)
        .bind(state.code())
        .bind(comment)
        .bind(&author.actor)
        .bind(author.at.as_millis())
        .bind(revision)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let line = |s: SubmissionState, c: &str| {
            format!("{department}: {} {}", s.code(), c.replace('\n', " "))
        };
        let change = UserChange {
            action: "kpi.round.submission".to_owned(),
            before: stored.map(|s| line(s.state, &s.comment)),
            after: Some(line(state, comment)),
        };
        let target = format!("{plan}/{}", year.year());
        tx::append_audit(&mut tx, code, author, &change, &target).await?;
        tx::commit(tx).await?;
        Ok(revision)
    }

    #[allow(clippy::too_many_lines)] // three changes of one row, each with its audit entry
    async fn save_round(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
        change: &RoundChange,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let stored = stored_round(&mut tx, code, plan, year).await?;
        if stored.revision != expected {
            return Err(StoreError::Stale("round".to_owned()));
        }
        let mut next = stored.clone();
        let (action, before, after) = match change {
            RoundChange::Opinion(text) => {
                if stored.state == RoundState::Published {
                    return Err(StoreError::Stale("round".to_owned()));
                }
                next.opinion.clone_from(text);
                (
                    "kpi.round.opinion",
                    (!stored.opinion.is_empty()).then(|| stored.opinion.clone()),
                    text.clone(),
                )
            }
            RoundChange::Publish { report } => {
                if stored.state == RoundState::Published {
                    return Err(StoreError::Stale("round".to_owned()));
                }
                next.state = RoundState::Published;
                next.publications += 1;
                sqlx::query(
                    "INSERT INTO kpi_round_report (municipality_code, plan_id, fiscal_year, \
                     number, published_by, published_at_millis, report) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(code.as_str())
                .bind(plan.as_str())
                .bind(year.year())
                .bind(next.publications)
                .bind(&author.actor)
                .bind(author.at.as_millis())
                .bind(report)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                (
                    "kpi.round.publish",
                    None,
                    format!("第{}版を公表", next.publications),
                )
            }
            RoundChange::Reopen => {
                if stored.state != RoundState::Published {
                    return Err(StoreError::Stale("round".to_owned()));
                }
                next.state = RoundState::Open;
                (
                    "kpi.round.reopen",
                    Some(format!("第{}版を公表中", stored.publications)),
                    "再開".to_owned(),
                )
            }
        };
        next.revision += 1;
        sqlx::query(
            "INSERT INTO kpi_round (municipality_code, plan_id, fiscal_year, state, opinion, \
             publications, updated_by, updated_at_millis, revision) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (municipality_code, plan_id, fiscal_year) DO UPDATE \
             SET state = excluded.state, opinion = excluded.opinion, \
             publications = excluded.publications, updated_by = excluded.updated_by, \
             updated_at_millis = excluded.updated_at_millis, revision = excluded.revision",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(year.year())
        .bind(next.state.code())
        .bind(&next.opinion)
        .bind(next.publications)
        .bind(&author.actor)
        .bind(author.at.as_millis())
        .bind(next.revision)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let change = UserChange {
            action: action.to_owned(),
            before,
            after: Some(after),
        };
        let target = format!("{plan}/{}", year.year());
        tx::append_audit(&mut tx, code, author, &change, &target).await?;
        tx::commit(tx).await?;
        Ok(next.revision)
    }

    async fn published_reports(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Vec<ReportRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.fiscal_year, r.number, r.published_by, r.published_at_millis, r.report \
             FROM kpi_round_report r WHERE r.municipality_code = $1 AND r.plan_id = $2 \
             AND r.number = (SELECT MAX(l.number) FROM kpi_round_report l \
             WHERE l.municipality_code = r.municipality_code AND l.plan_id = r.plan_id \
             AND l.fiscal_year = r.fiscal_year) ORDER BY r.fiscal_year",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(ReportRecord {
                    fiscal_year: year_of(r)?,
                    number: r.try_get("number").map_err(backend)?,
                    published_by: r.try_get("published_by").map_err(backend)?,
                    published_at: time_of(r, "published_at_millis")?,
                    report: r.try_get("report").map_err(backend)?,
                })
            })
            .collect()
    }
}

async fn stored_round(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan: &PlanId,
    year: FiscalYear,
) -> Result<RoundRecord, StoreError> {
    let row = sqlx::query(ROUND)
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(year.year())
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?;
    let Some(r) = row else {
        return Ok(RoundRecord::new(year));
    };
    let state: String = r.try_get("state").map_err(backend)?;
    Ok(RoundRecord {
        fiscal_year: year_of(&r)?,
        state: RoundState::from_code(&state).ok_or_else(|| corrupt(format!("state {state}")))?,
        opinion: r.try_get("opinion").map_err(backend)?,
        publications: r.try_get("publications").map_err(backend)?,
        revision: r.try_get("revision").map_err(backend)?,
    })
}

async fn refuse_published(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan: &PlanId,
    year: FiscalYear,
) -> Result<(), StoreError> {
    if stored_round(tx, code, plan, year).await?.state == RoundState::Published {
        Err(StoreError::Stale("round".to_owned()))
    } else {
        Ok(())
    }
}

async fn stored_assessment(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan: &PlanId,
    year: FiscalYear,
    indicator: &ElementId,
) -> Result<Option<AssessmentRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT indicator_id, analysis, course, rating, remark, response, updated_by, \
         updated_at_millis, revision FROM kpi_assessment WHERE municipality_code = $1 \
         AND plan_id = $2 AND fiscal_year = $3 AND indicator_id = $4",
    )
    .bind(code.as_str())
    .bind(plan.as_str())
    .bind(year.year())
    .bind(indicator.as_str())
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    row.as_ref().map(assessment_row).transpose()
}

fn year_of(r: &DbRow) -> Result<FiscalYear, StoreError> {
    FiscalYear::new(r.try_get::<i32, _>("fiscal_year").map_err(backend)?).map_err(corrupt)
}

fn time_of(r: &DbRow, column: &str) -> Result<Timestamp, StoreError> {
    Timestamp::from_millis(r.try_get(column).map_err(backend)?).map_err(corrupt)
}

fn submission_row(r: &DbRow) -> Result<SubmissionRecord, StoreError> {
    let state: String = r.try_get("state").map_err(backend)?;
    Ok(SubmissionRecord {
        department: r.try_get("department").map_err(backend)?,
        state: SubmissionState::from_code(&state)
            .ok_or_else(|| corrupt(format!("state {state}")))?,
        comment: r.try_get("comment").map_err(backend)?,
        updated_by: r.try_get("updated_by").map_err(backend)?,
        updated_at: time_of(r, "updated_at_millis")?,
        revision: r.try_get("revision").map_err(backend)?,
    })
}

fn assessment_row(r: &DbRow) -> Result<AssessmentRecord, StoreError> {
    let id: String = r.try_get("indicator_id").map_err(backend)?;
    let course: Option<String> = r.try_get("course").map_err(backend)?;
    let rating: Option<String> = r.try_get("rating").map_err(backend)?;
    Ok(AssessmentRecord {
        indicator: ElementId::parse(&id).map_err(corrupt)?,
        analysis: r.try_get("analysis").map_err(backend)?,
        course: course
            .map(|c| FutureCourse::from_code(&c).ok_or_else(|| corrupt(format!("course {c}"))))
            .transpose()?,
        rating: rating
            .map(|c| PanelRating::from_code(&c).ok_or_else(|| corrupt(format!("rating {c}"))))
            .transpose()?,
        remark: r.try_get("remark").map_err(backend)?,
        response: r.try_get("response").map_err(backend)?,
        updated_by: r.try_get("updated_by").map_err(backend)?,
        updated_at: time_of(r, "updated_at_millis")?,
        revision: r.try_get("revision").map_err(backend)?,
    })
}

fn same_content(a: &AssessmentRecord, b: &AssessmentRecord) -> bool {
    a.analysis == b.analysis
        && a.course == b.course
        && a.rating == b.rating
        && a.remark == b.remark
        && a.response == b.response
}

fn empty_like(a: &AssessmentRecord) -> AssessmentRecord {
    AssessmentRecord {
        analysis: String::new(),
        course: None,
        rating: None,
        remark: String::new(),
        response: String::new(),
        ..a.clone()
    }
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
