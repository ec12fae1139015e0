//! Plans: the public catalog of published plans and its search index, editing the working
//! copy, the status workflow (草案 → 審議中 → 決定 → 公開), and plan files in and out.

pub mod catalog;
pub mod edit;
pub mod search;
pub mod status;
pub mod transfer;

use keikaku_domain::{Plan, PlanHeader, PlanId, PlanKind};

use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// A plan of the working copies, for listings: its kind and header (any status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanListing {
    /// Which kind of plan.
    pub kind: PlanKind,
    /// Identity, purpose, scope, period, status.
    pub header: PlanHeader,
}

/// Every plan of the municipality in display order, drafts included (for staff who may read
/// drafts).
pub async fn working_copies(
    cx: &Context<'_>,
    authority: &impl Authority,
) -> Result<Vec<PlanListing>, AppError> {
    require(authority, Action::ReadDrafts)?;
    Ok(cx
        .store
        .plan_summaries(cx.municipality)
        .await?
        .into_iter()
        .map(|s| PlanListing {
            kind: s.kind,
            header: s.header,
        })
        .collect())
}

/// One plan as it is stored now (any status), for staff who may read drafts.
pub async fn working_copy(
    cx: &Context<'_>,
    authority: &impl Authority,
    id: &PlanId,
) -> Result<Option<Plan>, AppError> {
    require(authority, Action::ReadDrafts)?;
    Ok(cx.store.plan(cx.municipality, id).await?)
}
