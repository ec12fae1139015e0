//! Editing the plan's own texts (its 基本事項: title, purpose, scope, period wording, future
//! image), like an element: from the revision the form was opened at.

use keikaku_domain::PlanId;
use keikaku_domain::audit::Timestamp;
use keikaku_storage::rows::{PlanRow, PlanRows};
use keikaku_storage::{Change, PlanEdit, StoreError, UserChange};

use super::{
    Saved, Submission, author, check_granted, check_status, conflict, draft, header_row_values,
    new_problems, require_everything, still_a_draft,
};
use crate::access::Granted;
use crate::forms::{self, FormField, check_field, problem};
use crate::{AppError, Context};

fn header_text(row: &PlanRow, fields: &[forms::FieldSpec]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), row.id.clone().into());
    for spec in fields {
        if let FormField::Header(f) = spec.field {
            map.insert(spec.name.into(), forms::header_value(row, f).into());
        }
    }
    serde_json::Value::Object(map).to_string()
}

/// Saves the plan's own texts; the planning office and administrators only. Returns the texts
/// as this save stored them, with the plan's new revision.
pub async fn update_header(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    submission: &Submission,
    at: Timestamp,
) -> Result<Saved, AppError> {
    check_granted(granted)?;
    require_everything(granted, "計画の基本事項を編集")?;
    let draft = draft(cx, plan_id).await?;
    check_status(&draft)?;
    let what = format!("計画「{}」の基本事項", draft.plan.header().title);
    if submission.version != draft.versions.revision {
        return Err(conflict(StoreError::Stale("plan".to_owned()), &what));
    }
    let specs = forms::header_fields(draft.plan.kind());
    let mut row = draft.rows.plan.clone();
    let mut problems = Vec::new();
    for spec in &specs {
        let FormField::Header(field) = spec.field else {
            continue;
        };
        let raw = submission.values.get(spec.name).map_or("", String::as_str);
        match check_field(spec, raw, &[]) {
            Ok(v) => forms::set_header(&mut row, field, v),
            Err(m) => problems.push(problem(spec.name, m)),
        }
    }
    if problems.is_empty() {
        let changed = PlanRows {
            plan: row.clone(),
            ..draft.rows.clone()
        };
        problems = new_problems(&draft, &changed)?;
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes: vec![
            still_a_draft(),
            Change::Header {
                row: row.clone(),
                expected: submission.version,
            },
        ],
        record: UserChange {
            action: "plan.update".to_owned(),
            before: Some(header_text(&draft.rows.plan, &specs)),
            after: Some(header_text(&row, &specs)),
        },
        target: plan_id.to_string(),
        freeze: None,
    };
    cx.store
        .edit_plan(cx.municipality, &edit, &author(granted, at))
        .await
        .map_err(|e| conflict(e, &what))?;
    Ok(Saved {
        version: submission.version.saturating_add(1),
        values: header_row_values(draft.plan.kind(), &row),
        links: Vec::new(),
    })
}
