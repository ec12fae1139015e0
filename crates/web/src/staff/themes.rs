//! `GET|POST /staff/themes`: the theme list (テーマの一覧) — each theme with its code, name,
//! description and the readings and synonyms search treats as its name — kept by the planning
//! office; and `POST /staff/plans/{plan}/elements/{id}/themes`: the themes of one element,
//! chosen by checkboxes on the element's edit page. The list's form is a table of rows (no
//! JavaScript), like the department list's: the list, then blank rows to add to; a row is
//! removed by ticking 「削除」 or by emptying it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::themes;
use keikaku_domain::theme::{Theme, parse_words, words_text};
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::PagePath;
use crate::routes::{Route, route};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::home::MessagePage;
use crate::staff::list_form;
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/staff/themes" => themes_page, ManageThemes, "/staff/themes"),
    route!(POST "/staff/themes" => themes_save, ManageThemes, "/staff/themes"),
    route!(
        POST "/staff/plans/{plan}/elements/{id}/themes" => element_themes_save,
        ManageThemes,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1/themes"
    ),
];

/// Blank rows offered below the list.
const BLANK_ROWS: usize = 3;

/// One row of the form: the theme, its words as typed, and whether to remove it.
struct Row {
    theme: Theme,
    words: String,
    remove: bool,
}

impl Row {
    fn of(theme: Theme) -> Self {
        Self {
            words: words_text(&theme.words),
            theme,
            remove: false,
        }
    }
}

#[derive(Template)]
#[template(path = "staff/themes.html")]
struct ThemesPage {
    layout: Layout,
    csrf: String,
    revision: String,
    rows: Vec<Row>,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    saved: bool,
}

impl ThemesPage {
    fn error(&self, row: impl std::fmt::Display, field: &str) -> Option<&str> {
        let id = format!("theme-{row}-{field}");
        self.errors
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, m)| m.as_str())
    }
}

#[allow(clippy::too_many_arguments)] // one page, its states
async fn page(
    state: &AppState,
    csrf: &str,
    status: StatusCode,
    revision: String,
    mut rows: Vec<Row>,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    saved: bool,
) -> Result<Response, WebError> {
    rows.extend((0..BLANK_ROWS).map(|_| Row::of(Theme::default())));
    let page = ThemesPage {
        layout: staff_layout(
            state,
            "テーマの一覧",
            &[("職員用ページ", "/staff".to_owned())],
        )
        .await?,
        csrf: csrf.to_owned(),
        revision,
        rows,
        errors,
        conflict,
        saved,
    };
    Ok(private_page(status, page.render()?))
}

/// `?done=saved` after a save.
#[derive(Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /staff/themes`.
async fn themes_page(
    State(state): State<AppState>,
    StaffUser { signed, .. }: StaffUser,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, WebError> {
    let list = themes::list(&state.catalog.context()).await?;
    let rows = list.themes.into_iter().map(Row::of).collect();
    page(
        &state,
        &signed.csrf,
        StatusCode::OK,
        list.revision.to_string(),
        rows,
        Vec::new(),
        None,
        done.done.as_deref() == Some("saved"),
    )
    .await
}

/// A form of named fields (`revision`, `code-N`, …; `theme` repeated for the element form).
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub(crate) struct PairsForm {
    csrf: Option<String>,
    pairs: Vec<(String, String)>,
}

impl From<Vec<(String, String)>> for PairsForm {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self {
            csrf: None,
            pairs: Vec::new(),
        };
        for (k, v) in pairs {
            if k == "csrf" {
                f.csrf = Some(v);
            } else {
                f.pairs.push((k, v));
            }
        }
        f
    }
}

impl StaffFields for PairsForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// The most rows a form may carry.
const MAX_ROWS: usize = 500;

impl PairsForm {
    fn get(&self, k: &str) -> String {
        self.pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, k: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The rows in their order: up to the highest row number sent.
    fn rows(&self) -> Vec<Row> {
        let last = self
            .pairs
            .iter()
            .filter_map(|(k, _)| k.rsplit_once('-'))
            .filter(|(field, _)| ["code", "name", "description", "words", "remove"].contains(field))
            .filter_map(|(_, n)| n.parse::<usize>().ok())
            .filter(|n| *n < MAX_ROWS)
            .max();
        let Some(last) = last else {
            return Vec::new();
        };
        (0..=last)
            .map(|i| {
                let words = self.get(&format!("words-{i}"));
                Row {
                    theme: Theme {
                        code: self.get(&format!("code-{i}")),
                        name: self.get(&format!("name-{i}")),
                        description: self.get(&format!("description-{i}")),
                        words: parse_words(&words),
                    },
                    words,
                    remove: !self.get(&format!("remove-{i}")).is_empty(),
                }
            })
            .collect()
    }
}

/// `POST /staff/themes`.
async fn themes_save(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<PairsForm>,
) -> Result<Response, WebError> {
    let mut rows = form.rows();
    let kept: Vec<Theme> =
        list_form::kept_items(&mut rows, |r| (&r.theme, r.theme.is_blank()), |r| r.remove);
    let revision = form.get("revision");
    match themes::save(&state.catalog.context(), &granted, &kept, &revision, now()?).await {
        Ok(_) => {
            state.catalog.invalidate().await?;
            redirect("/staff/themes?done=saved")
        }
        Err(AppError::Invalid(problems)) => {
            let errors = problems
                .into_iter()
                .map(|p| {
                    let id = list_form::field_id(&p.path, "themes", "theme");
                    (id, p.message)
                })
                .collect();
            page(
                &state,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                revision,
                rows,
                errors,
                None,
                false,
            )
            .await
        }
        Err(AppError::Conflict(m)) => {
            page(
                &state,
                &signed.csrf,
                StatusCode::CONFLICT,
                revision,
                rows,
                Vec::new(),
                Some(m),
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The themes box of an element's edit page: every theme with whether the element is under
/// it; the codes the page showed go back with the form (`seen`), so that a change made
/// meanwhile by someone else is reported, not overwritten.
pub(crate) struct ElementThemes {
    /// Where the box posts; `None`: read only (the user may not choose themes).
    pub(crate) action: Option<String>,
    /// The codes the element is under now, comma-separated.
    pub(crate) seen: String,
    /// Each theme: code, name, and whether it is chosen.
    pub(crate) options: Vec<(String, String, bool)>,
}

/// The themes box for an element (`None` when the city has no themes yet and the user may
/// not keep them).
pub(crate) async fn element_box(
    state: &AppState,
    user: &keikaku_domain::account::User,
    plan: &keikaku_domain::PlanId,
    element: &str,
) -> Result<Option<ElementThemes>, WebError> {
    let list = themes::list(&state.catalog.context()).await?;
    let may =
        keikaku_app::access::permits(Some(&user.roles), keikaku_app::access::Action::ManageThemes)
            && !user.disabled;
    if list.themes.is_empty() && !may {
        return Ok(None);
    }
    let chosen = themes::codes_of(&list, plan, element);
    Ok(Some(ElementThemes {
        action: may.then(|| format!("/staff/plans/{plan}/elements/{element}/themes")),
        seen: chosen.join(","),
        options: list
            .themes
            .iter()
            .map(|t| (t.code.clone(), t.name.clone(), chosen.contains(&t.code)))
            .collect(),
    }))
}

/// `POST /staff/plans/{plan}/elements/{id}/themes`: `theme` once per chosen code, `seen` the
/// codes the page showed.
async fn element_themes_save(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    StaffForm {
        signed: _,
        granted,
        form,
    }: StaffForm<PairsForm>,
) -> Result<Response, WebError> {
    let plan_id = keikaku_domain::PlanId::parse(&plan).map_err(|_| WebError::NotFound(None))?;
    let seen: Vec<String> = form
        .get("seen")
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let chosen = form.all("theme");
    let back = crate::staff::edit::element_href(&plan_id, &id);
    match themes::tag(
        &state.catalog.context(),
        &granted,
        &plan_id,
        &id,
        &seen,
        &chosen,
        now()?,
    )
    .await
    {
        Ok(()) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{back}?done=saved#themes"))
        }
        Err(AppError::Conflict(m)) => refused(&state, StatusCode::CONFLICT, m, back).await,
        Err(AppError::Invalid(ps)) => {
            let message = ps
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" ");
            refused(&state, StatusCode::UNPROCESSABLE_ENTITY, message, back).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The page that says why an element's themes were not saved, with the way back.
async fn refused(
    state: &AppState,
    status: StatusCode,
    message: String,
    back: String,
) -> Result<Response, WebError> {
    let page = MessagePage {
        layout: staff_layout(state, "テーマを保存できませんでした", &[]).await?,
        heading: "テーマを保存できませんでした".to_owned(),
        message,
        back: vec![(back, "要素の編集ページへ戻る".to_owned())],
    };
    Ok(private_page(status, page.render()?))
}
