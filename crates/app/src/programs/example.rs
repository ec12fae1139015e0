//! The sample 実施計画 of an example (`keikaku_planfile::example_programs`): one edition stored
//! through the same port methods as the pages use — created, its programs saved, every
//! department's part approved, fixed and published — so a fresh example shows a published
//! edition on the public site. Every program is marked サンプル.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{EditionState, SubmissionState};
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_planfile::programs::read_edition;
use keikaku_storage::{Author, EditionChange, EditionRecord, ProgramWrite, Store, StoreError};

use crate::AppError;
use crate::access::Operator;

fn broken(what: &str) -> AppError {
    AppError::Store(StoreError::Corrupt(format!("例の実施計画: {what}")))
}

/// Stores the edition of an example's programs file, published.
pub(crate) async fn load_example_programs(
    operator: &Operator,
    store: &dyn Store,
    code: &MunicipalityCode,
    file: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    let read = read_edition(file).map_err(|p| {
        broken(
            &p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let value: serde_json::Value =
        serde_json::from_str(file).map_err(|e| broken(&e.to_string()))?;
    let rounding = value["rounding"]
        .as_str()
        .and_then(Rounding::from_code)
        .unwrap_or_default();
    let author = Author {
        actor: operator.actor().to_owned(),
        at,
    };
    let plan = read
        .plan
        .clone()
        .or_else(|| PlanId::parse("sogo-keikaku").ok())
        .ok_or_else(|| broken("plan"))?;
    let made_in = read.edition;
    let record = EditionRecord {
        made_in,
        plan,
        state: EditionState::Draft,
        rounding,
        updated_by: author.actor.clone(),
        updated_at: at,
        revision: 1,
    };
    store.create_edition(code, &record, &author).await?;
    let writes: Vec<ProgramWrite> = read
        .programs
        .into_iter()
        .map(|program| ProgramWrite::Save {
            program,
            expected: None,
        })
        .collect();
    let saved = store
        .save_programs(code, made_in, &writes, None, &author)
        .await?;
    let mut departments: Vec<String> = saved.iter().map(|p| p.program.department.clone()).collect();
    departments.sort();
    departments.dedup();
    for d in &departments {
        let rev = store
            .save_part(code, made_in, d, SubmissionState::Submitted, "", 0, &author)
            .await?;
        store
            .save_part(
                code,
                made_in,
                d,
                SubmissionState::Approved,
                "",
                rev,
                &author,
            )
            .await?;
    }
    if value["state"].as_str() == Some("draft") {
        return Ok(());
    }
    let fixed = store
        .save_edition(
            code,
            made_in,
            &EditionChange::State(EditionState::Fixed),
            1,
            &author,
        )
        .await?;
    if value["state"].as_str() == Some("published") {
        store
            .save_edition(
                code,
                made_in,
                &EditionChange::State(EditionState::Published),
                fixed,
                &author,
            )
            .await?;
    }
    Ok(())
}
