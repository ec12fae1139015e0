//! The department list (所管課の一覧): every signed-in user reads it (the department fields of
//! the staff forms offer its names); the planning office keeps it (`ManageDepartments`); the
//! public element pages show the contact of their 所管課 from it (through the catalog).

use keikaku_domain::audit::Timestamp;
use keikaku_domain::department::{self, Department};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, StoreError};

use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// The list and its revision (0 while it was never saved).
pub async fn list(cx: &Context<'_>) -> Result<(Vec<Department>, i64), AppError> {
    Ok(cx.store.departments(cx.municipality).await?)
}

/// The path of a cell in a problem: `departments[3].phone` (rows from 0).
pub fn cell_path(row: usize, field: department::DepartmentField) -> String {
    format!("departments[{row}].{}", field.code())
}

/// Replaces the list with the rows a form sent (blank rows ignored; the order kept), checked
/// against the revision the editor read. Every problem comes back with its row and column
/// (「3行目の電話番号: …」) and nothing is written.
pub async fn save(
    cx: &Context<'_>,
    authority: &impl Authority,
    rows: &[Department],
    revision: &str,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManageDepartments)?;
    let expected = crate::forms::parse_revision(revision)
        .map_err(|crate::forms::BadRevision| {
            AppError::Invalid(vec![FileProblem {
                path: "revision".to_owned(),
                message: "一覧の版の番号が不正です。開き直してください。".to_owned(),
            }])
        })?
        .unwrap_or(0);
    // Rows keep their number on the form (blank ones included) so that a problem names the
    // row the clerk sees.
    let kept: Vec<(usize, Department)> = rows
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.is_blank())
        .map(|(i, d)| (i, d.normalized()))
        .collect();
    let list: Vec<Department> = kept.iter().map(|(_, d)| d.clone()).collect();
    let problems: Vec<FileProblem> = department::check(&list)
        .into_iter()
        .map(|p| {
            let row = kept[p.row].0;
            FileProblem {
                path: cell_path(row, p.field),
                message: format!("{}行目の{}: {}", row + 1, p.field.label(), p.message),
            }
        })
        .collect();
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let author = Author {
        actor: authority.actor(),
        at,
    };
    match cx
        .store
        .save_departments(cx.municipality, &list, expected, &author)
        .await
    {
        Ok(r) => Ok(r),
        Err(StoreError::Stale(_)) => Err(AppError::Conflict(
            "あなたが一覧を開いた後に、ほかの人が所管課の一覧を変更しています。あなたの入力は保存されていません。開き直して確かめてください。".to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The 所管課 named anywhere: by the working copies of the plans (fields, measures, strategy
/// measures, indicators) and by the programs of the latest 実施計画 edition — trimmed, sorted,
/// each once.
pub async fn used_names(cx: &Context<'_>) -> Result<Vec<String>, AppError> {
    let mut names: Vec<String> = Vec::new();
    for s in cx.store.plan_summaries(cx.municipality).await? {
        let Some(plan) = cx.store.plan(cx.municipality, &s.header.id).await? else {
            continue;
        };
        match &plan {
            keikaku_domain::Plan::Comprehensive(c) => {
                for f in c.basic_plans.iter().flat_map(|b| &b.fields) {
                    names.push(f.department.clone());
                    names.extend(f.measures.iter().map(|m| m.department.clone()));
                }
            }
            keikaku_domain::Plan::Strategy(s) => {
                names.extend(
                    s.basic_objectives
                        .iter()
                        .flat_map(|o| &o.measures)
                        .map(|m| m.department.clone()),
                );
            }
        }
        names.extend(plan.indicators().iter().map(|i| i.department.to_owned()));
    }
    let latest = cx
        .store
        .editions(cx.municipality)
        .await?
        .into_iter()
        .map(|e| e.edition.made_in)
        .max();
    if let Some(year) = latest
        && let Some(edition) = cx.store.edition(cx.municipality, year).await?
    {
        names.extend(
            edition
                .programs
                .iter()
                .map(|p| p.program.department.clone()),
        );
    }
    let mut names: Vec<String> = names
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}
