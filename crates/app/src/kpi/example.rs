//! The sample verification rounds of an example (`keikaku_planfile::example_rounds`): stored
//! through the same port methods as the pages use (revisions, audit entries), and a round
//! marked `publish` published with its frozen report — so a fresh example shows a finished
//! round on the public site and an open one on the staff pages.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{FutureCourse, PanelRating, SubmissionState};
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};
use keikaku_storage::{AssessmentPart, AssessmentWrite, Author, RoundChange, Store, StoreError};
use serde_json::Value;

use crate::access::Operator;
use crate::kpi::report::{report_of, report_text};
use crate::kpi::round::view_of;
use crate::{AppError, Context};

fn broken(what: &str) -> AppError {
    AppError::Store(StoreError::Corrupt(format!("例の効果検証: {what}")))
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// Stores the rounds of an example's `rounds` file.
pub(crate) async fn load_example_rounds(
    operator: &Operator,
    store: &dyn Store,
    code: &MunicipalityCode,
    file: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    let file: Value = serde_json::from_str(file).map_err(|e| broken(&e.to_string()))?;
    let author = Author {
        actor: operator.actor().to_owned(),
        at,
    };
    for r in file["rounds"].as_array().map_or(&[][..], Vec::as_slice) {
        let plan = PlanId::parse(text(r, "plan")).map_err(|e| broken(&e.to_string()))?;
        let year = r["fiscal_year"]
            .as_i64()
            .and_then(|y| i32::try_from(y).ok())
            .and_then(|y| FiscalYear::new(y).ok())
            .ok_or_else(|| broken("fiscal_year"))?;
        let mut parts: [Vec<AssessmentWrite>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for a in r["assessments"].as_array().map_or(&[][..], Vec::as_slice) {
            let indicator =
                ElementId::parse(text(a, "indicator")).map_err(|e| broken(&e.to_string()))?;
            let write = |part, expected| AssessmentWrite {
                indicator: indicator.clone(),
                part,
                expected,
            };
            parts[0].push(write(
                AssessmentPart::Department {
                    analysis: text(a, "analysis").to_owned(),
                    course: FutureCourse::from_code(text(a, "course")),
                    // The submissions are stored after every assessment: none is in the way.
                    department: String::new(),
                },
                0,
            ));
            let rating = PanelRating::from_code(text(a, "rating"));
            if rating.is_some() || !text(a, "remark").is_empty() {
                parts[1].push(write(
                    AssessmentPart::Panel {
                        rating,
                        remark: text(a, "remark").to_owned(),
                    },
                    1,
                ));
            }
            if !text(a, "response").is_empty() {
                parts[2].push(write(
                    AssessmentPart::Response {
                        response: text(a, "response").to_owned(),
                    },
                    2,
                ));
            }
        }
        for writes in &parts {
            if !writes.is_empty() {
                store
                    .save_assessments(code, &plan, year, writes, None, &author)
                    .await?;
            }
        }
        for s in r["submissions"].as_array().map_or(&[][..], Vec::as_slice) {
            let state =
                SubmissionState::from_code(text(s, "state")).ok_or_else(|| broken("state"))?;
            store
                .save_submission(
                    code,
                    &plan,
                    year,
                    text(s, "department"),
                    state,
                    "",
                    0,
                    &author,
                )
                .await?;
        }
        let mut revision = 0;
        if !text(r, "opinion").is_empty() {
            revision = store
                .save_round(
                    code,
                    &plan,
                    year,
                    &RoundChange::Opinion(text(r, "opinion").to_owned()),
                    0,
                    &author,
                )
                .await?;
        }
        if r["publish"].as_bool() == Some(true) {
            let view = view_of(&Context::new(store, code), &plan, year, |_| true).await?;
            let report = report_text(&report_of(&view, 1, at));
            store
                .save_round(
                    code,
                    &plan,
                    year,
                    &RoundChange::Publish {
                        report,
                        made_at: None,
                    },
                    revision,
                    &author,
                )
                .await?;
        }
    }
    Ok(())
}
