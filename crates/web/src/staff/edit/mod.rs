//! Editing plans in the browser: the working copy of a plan as an outline
//! (`/staff/plans/{plan}`), one form per element, adding, deleting and reordering, the
//! plan's own texts, an empty basic plan started from the one before it (前期 → 後期, after a
//! confirmation page), the table of one kind of element with a row edited in place
//! (`/staff/plans/{plan}/table?kind=…`), and the elements as an Excel workbook downloaded,
//! uploaded, previewed and applied (`/staff/plans/{plan}/workbook`, `…/import`). No JavaScript: every action is a form with the session's CSRF token.
//!
//! A form carries the version it was opened at. When someone else saved first, the answer is
//! `409` with the same form showing the user's text (kept in the fields) next to the current
//! text, and the current version, so the user can merge and save again — nothing typed is
//! lost. Validation problems answer `422` with each message next to its field.

mod form;
mod outline;
mod save;
mod successor;
mod table;
mod workbook;

use keikaku_app::edit::{self, Draft};
use keikaku_domain::PlanId;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/staff/plans/{plan}" => outline::draft_page,
        ReadDrafts,
        "/staff/plans/sogo-keikaku"
    ),
    route!(
        GET "/staff/plans/{plan}/header" => form::header_page,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/header"
    ),
    route!(
        POST "/staff/plans/{plan}/header" => save::header_save,
        EditPlan,
        "/staff/plans/sogo-keikaku/header"
    ),
    route!(
        GET "/staff/plans/{plan}/elements/{id}" => form::element_page,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1"
    ),
    route!(
        POST "/staff/plans/{plan}/elements/{id}" => save::element_save,
        EditPlan,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1"
    ),
    route!(
        POST "/staff/plans/{plan}/elements/{id}/move" => save::element_move,
        EditPlan,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1/move"
    ),
    route!(
        POST "/staff/plans/{plan}/elements/{id}/delete" => save::element_delete,
        EditPlan,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1/delete"
    ),
    route!(
        GET "/staff/plans/{plan}/new" => form::element_new,
        EditPlan,
        "/staff/plans/sogo-keikaku/new?kind=goal"
    ),
    route!(
        POST "/staff/plans/{plan}/elements" => save::element_create,
        EditPlan,
        "/staff/plans/sogo-keikaku/elements"
    ),
    route!(
        GET "/staff/plans/{plan}/basic-plans/{id}/start" => successor::confirm_page,
        EditPlan,
        "/staff/plans/sogo-keikaku/basic-plans/basic-plan-second/start"
    ),
    route!(
        POST "/staff/plans/{plan}/basic-plans/{id}/start" => successor::start,
        EditPlan,
        "/staff/plans/sogo-keikaku/basic-plans/basic-plan-second/start"
    ),
    route!(
        GET "/staff/plans/{plan}/table" => table::table_page,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/table?kind=measure"
    ),
    route!(
        POST "/staff/plans/{plan}/table/{id}" => table::row_save,
        EditPlan,
        "/staff/plans/sogo-keikaku/table/measure-1-1-1"
    ),
    route!(
        GET "/staff/plans/{plan}/workbook" => workbook::download,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/workbook"
    ),
    route!(
        GET "/staff/plans/{plan}/import" => workbook::import_form,
        EditPlan,
        "/staff/plans/sogo-keikaku/import"
    ),
    route!(
        POST "/staff/plans/{plan}/import" => workbook::upload,
        EditPlan,
        "/staff/plans/sogo-keikaku/import"
    ),
    route!(
        POST "/staff/plans/{plan}/import/apply" => workbook::apply,
        EditPlan,
        "/staff/plans/sogo-keikaku/import/apply"
    ),
];

/// A page's `?done=…`: what the form just before did.
#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

/// The confirmation of what was just done.
pub(crate) fn done_notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "saved" => Some("保存しました。"),
        "created" => Some("追加しました。"),
        "deleted" => Some("削除しました。"),
        "moved" => Some("並べ替えました。"),
        "started" => Some("基本計画の写しを作成しました。写した要素を確かめてください。"),
        "restored" => Some("版から復元しました。"),
        "restored_partly" => Some(
            "版から復元しました。ただし、関連付けの一部は、相手の要素が今の計画にないため復元していません。",
        ),
        "imported" => Some("Excelの要素一覧を取り込みました。"),
        _ => None,
    }
}

/// The working copy of a plan.
pub(crate) async fn load_draft(state: &AppState, plan: &PlanId) -> Result<Draft, WebError> {
    Ok(edit::draft(&state.catalog.context(), plan).await?)
}

/// The staff URL of an element's form.
pub(crate) fn element_href(plan: &PlanId, id: &str) -> String {
    format!("/staff/plans/{plan}/elements/{id}")
}
