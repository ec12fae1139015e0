//! The theme list (テーマの一覧) and the elements put under each theme. The planning office
//! keeps the list (`ManageThemes`: names, descriptions, readings and synonyms) and tags the
//! elements; the public site lists the themes, shows a page per theme, and its search treats a
//! theme's name and words as one word (through the catalog's thesaurus).

use keikaku_domain::audit::Timestamp;
use keikaku_domain::theme::{self, Theme};
use keikaku_domain::{ElementId, ElementKind, Indicator, Plan, PlanId};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, StoreError, ThemeList};

use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// The list, every tag and the list's revision (0 while it was never saved).
pub async fn list(cx: &Context<'_>) -> Result<ThemeList, AppError> {
    Ok(cx.store.themes(cx.municipality).await?)
}

/// The themes of one element, as codes in the list's order.
pub fn codes_of(list: &ThemeList, plan: &PlanId, element: &str) -> Vec<String> {
    list.themes
        .iter()
        .filter(|t| {
            list.tags
                .iter()
                .any(|g| &g.plan == plan && g.element.as_str() == element && g.theme == t.code)
        })
        .map(|t| t.code.clone())
        .collect()
}

/// The path of a cell in a problem: `themes[3].code` (rows from 0).
pub fn cell_path(row: usize, field: theme::ThemeField) -> String {
    format!("themes[{row}].{}", field.code())
}

fn bad_revision() -> AppError {
    AppError::Invalid(vec![FileProblem {
        path: "revision".to_owned(),
        message: "一覧の版の番号が不正です。開き直してください。".to_owned(),
    }])
}

/// Replaces the list with the rows a form or request sent (blank rows ignored; the order
/// kept), checked against the revision the editor read. Every problem comes back with its row
/// and column (「3行目の記号: …」) and nothing is written. The tags of a theme left out go with
/// it.
pub async fn save(
    cx: &Context<'_>,
    authority: &impl Authority,
    rows: &[Theme],
    revision: &str,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManageThemes)?;
    let expected = crate::forms::parse_revision(revision)
        .map_err(|crate::forms::BadRevision| bad_revision())?
        .unwrap_or(0);
    let kept: Vec<(usize, Theme)> = rows
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_blank())
        .map(|(i, t)| (i, t.normalized()))
        .collect();
    let list: Vec<Theme> = kept.iter().map(|(_, t)| t.clone()).collect();
    let problems: Vec<FileProblem> = theme::check(&list)
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
        .save_themes(cx.municipality, &list, expected, &author)
        .await
    {
        Ok(r) => Ok(r),
        Err(StoreError::Stale(_)) => Err(AppError::Conflict(
            "あなたが一覧を開いた後に、ほかの人がテーマの一覧を変更しています。あなたの入力は保存されていません。開き直して確かめてください。".to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Puts an element under the chosen themes (codes), against the themes its editor saw. A code
/// not in the list is refused with the path `themes`; a stale form is a conflict; nothing is
/// written then.
pub async fn tag(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan: &PlanId,
    element: &str,
    seen: &[String],
    chosen: &[String],
    at: Timestamp,
) -> Result<(), AppError> {
    require(authority, Action::ManageThemes)?;
    let missing = || AppError::NotFound(format!("要素「{element}」は見つかりません。"));
    let id = ElementId::parse(element).map_err(|_| missing())?;
    let author = Author {
        actor: authority.actor(),
        at,
    };
    match cx
        .store
        .save_element_themes(cx.municipality, plan, &id, seen, chosen, &author)
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Stale(what)) if what == "themes" => Err(AppError::Conflict(
            "あなたがページを開いた後に、ほかの人がこの要素のテーマを変更しています。あなたの選択は保存されていません。開き直して確かめてください。".to_owned(),
        )),
        Err(StoreError::Stale(_)) => Err(missing()),
        Err(StoreError::Referenced(message)) => Err(AppError::Invalid(vec![FileProblem {
            path: "themes".to_owned(),
            message: format!("テーマ: {message}テーマの一覧を開き直してください。"),
        }])),
        Err(e) => Err(e.into()),
    }
}

/// The indicators that belong to an element, for pages that list it with "its KPIs": a
/// measure's 成果指標, a field's, a strategy measure's KPIs, a basic objective's 数値目標, an
/// indicator itself; none for other kinds.
pub fn indicators_of<'a>(plan: &'a Plan, kind: ElementKind, id: &ElementId) -> Vec<&'a Indicator> {
    match (plan, kind) {
        (Plan::Comprehensive(c), ElementKind::Measure) => c
            .measure(id)
            .map(|(_, _, m)| m.indicators.iter().collect())
            .unwrap_or_default(),
        (Plan::Comprehensive(c), ElementKind::Field) => c
            .field(id)
            .map(|(_, f)| f.indicators.iter().collect())
            .unwrap_or_default(),
        (Plan::Strategy(s), ElementKind::StrategyMeasure) => s
            .measure(id)
            .map(|(_, m)| m.kpis.iter().collect())
            .unwrap_or_default(),
        (Plan::Strategy(s), ElementKind::BasicObjective) => s
            .objective(id)
            .map(|o| o.numerical_targets.iter().collect())
            .unwrap_or_default(),
        (_, ElementKind::OutcomeIndicator | ElementKind::NumericalTarget | ElementKind::Kpi) => {
            plan.indicator(id)
                .map(|p| vec![p.indicator])
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}
