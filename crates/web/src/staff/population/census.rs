//! A census (基準人口): its form — the year, the source, 19 age groups × 男・女 and 年齢不詳 —,
//! a census table uploaded instead (国勢調査 or the city's own sheet, every problem with its
//! cell), the template to fill in, and its deletion (refused while a scenario starts from
//! it).

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::access::{Action, Granted, permits};
use keikaku_app::population::{
    census_template, delete_census, import_census, population, save_census,
};
use keikaku_domain::format::calendar_year;
use keikaku_domain::population::{BySex, Census, GROUPS, Sex, group_label};
use serde::Deserialize;

use super::forms::{Posted, Problem, count, year};
use super::{HOME, census_href, problems_of, trail};
use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::PagePath;
use crate::public::population::attachment;
use crate::staff::extract::{StaffForm, StaffUser};
use crate::staff::session::require_csrf;
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

/// The largest census table taken through the browser.
const MAX_BYTES: usize = 2 * 1024 * 1024;

/// An age group's row of the form.
struct AgeRow {
    group: usize,
    label: String,
    male: String,
    female: String,
}

#[derive(Template)]
#[template(path = "staff/population_census.html")]
struct CensusPage {
    layout: Layout,
    csrf: String,
    heading: String,
    new: bool,
    action: String,
    revision: String,
    summary: Vec<(String, String)>,
    errors: Vec<Problem>,
    notice: Option<String>,
    year: String,
    source: String,
    sample: bool,
    rows: Vec<AgeRow>,
    unknown_male: String,
    unknown_female: String,
    total: Option<String>,
    may_manage: bool,
    used_by: Vec<String>,
}

impl CensusPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The id of a field's input.
fn id_of(field: &str) -> String {
    format!(
        "census-{}",
        field.replace(['[', ']', '.'], "-").trim_end_matches('-')
    )
}

/// The field of an age group's count.
fn cell(sex: Sex, group: usize) -> String {
    format!("{}[{group}]", sex.key())
}

#[allow(clippy::too_many_arguments)] // one page: what it shows, its problems and its token
async fn page(
    state: &AppState,
    granted: &Granted,
    roles: &[keikaku_domain::account::Role],
    csrf: &str,
    status: StatusCode,
    stored: Option<(&Census, i64)>,
    raw: Option<&Posted>,
    errors: Vec<Problem>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let view = population(&state.catalog.context(), granted).await?;
    let get = |name: &str, value: String| raw.map_or(value, |p| p.get(name));
    let c = stored.map(|(c, _)| c);
    let rows = (0..GROUPS)
        .map(|g| AgeRow {
            group: g,
            label: group_label(g),
            male: get(
                &cell(Sex::Male, g),
                c.map(|c| c.counts.male[g].to_string()).unwrap_or_default(),
            ),
            female: get(
                &cell(Sex::Female, g),
                c.map(|c| c.counts.female[g].to_string())
                    .unwrap_or_default(),
            ),
        })
        .collect();
    let used_by = c
        .map(|c| {
            view.scenarios
                .iter()
                .filter(|s| s.record.scenario.base_year == c.year)
                .map(|s| s.record.scenario.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let heading = c.map_or_else(
        || "人口（男女・年齢階級別）を入力する".to_owned(),
        |c| format!("{}の人口（男女・年齢階級別）", calendar_year(c.year)),
    );
    let page = CensusPage {
        layout: staff_layout(state, &heading, &trail()).await?,
        csrf: csrf.to_owned(),
        new: c.is_none(),
        action: c.map_or_else(|| format!("{HOME}/censuses"), |c| census_href(c.year)),
        revision: stored.map(|(_, r)| r.to_string()).unwrap_or_default(),
        summary: errors
            .iter()
            .map(|(f, m)| {
                (
                    if f.is_empty() {
                        "census-form".to_owned()
                    } else {
                        id_of(f)
                    },
                    m.clone(),
                )
            })
            .collect(),
        errors,
        notice,
        year: get("year", c.map(|c| c.year.to_string()).unwrap_or_default()),
        source: get(
            "source",
            c.map_or_else(|| "国勢調査".to_owned(), |c| c.source.clone()),
        ),
        sample: raw.map_or(c.is_some_and(|c| c.sample), |p| p.checked("sample")),
        rows,
        unknown_male: get(
            "unknown.M",
            c.map(|c| c.unknown[0].to_string()).unwrap_or_default(),
        ),
        unknown_female: get(
            "unknown.F",
            c.map(|c| c.unknown[1].to_string()).unwrap_or_default(),
        ),
        total: c.map(|c| crate::charts::population::people(c.total() as f64)),
        may_manage: permits(Some(roles), Action::ManagePopulation),
        used_by,
        heading,
    };
    Ok(private_page(status, page.render()?))
}

/// `GET /staff/population/censuses/new`.
pub(super) async fn new_page(
    State(state): State<AppState>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    page(
        &state,
        &granted,
        &signed.user.roles,
        &signed.csrf,
        StatusCode::OK,
        None,
        None,
        Vec::new(),
        None,
    )
    .await
}

fn year_of(text: &str) -> Result<i32, WebError> {
    text.parse::<i32>().map_err(|_| WebError::NotFound(None))
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    notes: Option<String>,
}

/// `GET /staff/population/censuses/{year}`.
pub(super) async fn census_page(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    Query(query): Query<NoticeQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let year = year_of(&year)?;
    let view = population(&state.catalog.context(), &granted).await?;
    let c = view.census(year).ok_or(WebError::NotFound(None))?;
    let notice = match query.done.as_deref() {
        Some("saved") => Some("保存しました。".to_owned()),
        Some("imported") => Some(format!(
            "ファイルから取り込みました。{}",
            query.notes.unwrap_or_default()
        )),
        _ => None,
    };
    page(
        &state,
        &granted,
        &signed.user.roles,
        &signed.csrf,
        StatusCode::OK,
        Some((&c.census, c.revision)),
        None,
        Vec::new(),
        notice,
    )
    .await
}

/// The census a form posts, or every problem of reading it.
fn read(p: &Posted) -> Result<Census, Vec<Problem>> {
    let mut problems = Vec::new();
    let year = match year(&p.get("year")) {
        Ok(Some(y)) => y,
        _ => {
            problems.push((
                "year".to_owned(),
                "年を入力してください（例: 2020、令和2年）。".to_owned(),
            ));
            0
        }
    };
    let mut counts = BySex::filled(0_u64);
    for sex in Sex::ALL {
        for g in 0..GROUPS {
            let field = cell(sex, g);
            match count(&p.get(&field)) {
                Ok(Some(n)) => counts.of_mut(sex)[g] = n,
                Ok(None) => problems.push((
                    field,
                    format!(
                        "{}・{}の人数を入力してください（いなければ0）。",
                        group_label(g),
                        sex.label()
                    ),
                )),
                Err(()) => problems.push((
                    field.clone(),
                    format!(
                        "{}・{}: 「{}」は0以上の整数として読めません。",
                        group_label(g),
                        sex.label(),
                        p.get(&field).trim()
                    ),
                )),
            }
        }
    }
    let mut unknown = [0, 0];
    for (i, sex) in Sex::ALL.into_iter().enumerate() {
        let field = format!("unknown.{}", sex.key());
        match count(&p.get(&field)) {
            Ok(n) => unknown[i] = n.unwrap_or(0),
            Err(()) => problems.push((
                field.clone(),
                format!(
                    "年齢不詳・{}: 「{}」は0以上の整数として読めません。",
                    sex.label(),
                    p.get(&field).trim()
                ),
            )),
        }
    }
    if problems.is_empty() {
        Ok(Census {
            year,
            source: p.get("source").trim().to_owned(),
            counts,
            unknown,
            sample: p.checked("sample"),
        })
    } else {
        Err(problems)
    }
}

async fn store(
    state: &AppState,
    granted: &Granted,
    roles: &[keikaku_domain::account::Role],
    csrf: &str,
    form: &Posted,
    stored: Option<(&Census, i64)>,
) -> Result<Response, WebError> {
    let expected = stored.map(|(_, r)| r);
    let census = match read(form) {
        Ok(c) => c,
        Err(errors) => {
            return page(
                state,
                granted,
                roles,
                csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                stored,
                Some(form),
                errors,
                None,
            )
            .await;
        }
    };
    if let Some((c, _)) = stored
        && c.year != census.year
    {
        let errors = vec![(
            "year".to_owned(),
            format!(
                "年は変えられません（{}年）。別の年は「人口を入力する」から入力してください。",
                c.year
            ),
        )];
        return page(
            state,
            granted,
            roles,
            csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            stored,
            Some(form),
            errors,
            None,
        )
        .await;
    }
    let year = census.year;
    match save_census(&state.catalog.context(), granted, census, expected, now()?).await {
        Ok(_) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{}?done=saved", census_href(year)))
        }
        Err(e) => {
            let (status, errors) = problems_of(e)?;
            page(
                state,
                granted,
                roles,
                csrf,
                status,
                stored,
                Some(form),
                errors,
                None,
            )
            .await
        }
    }
}

/// `POST /staff/population/censuses`: a new year.
pub(super) async fn create(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    store(
        &state,
        &granted,
        &signed.user.roles,
        &signed.csrf,
        &form,
        None,
    )
    .await
}

/// `POST /staff/population/censuses/{year}`: a stored year changed, against the revision the
/// form was opened at.
pub(super) async fn save(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let year = year_of(&year)?;
    let view = population(&state.catalog.context(), &granted).await?;
    let c = view.census(year).ok_or(WebError::NotFound(None))?;
    let revision = keikaku_app::forms::parse_revision(&form.get("revision"))
        .map_err(|_| WebError::BadRequest("版の番号が不正です。".to_owned()))?
        .unwrap_or(0);
    store(
        &state,
        &granted,
        &signed.user.roles,
        &signed.csrf,
        &form,
        Some((&c.census, revision)),
    )
    .await
}

/// `POST /staff/population/censuses/{year}/delete` (confirmed by a checkbox).
pub(super) async fn delete(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let year = year_of(&year)?;
    let view = population(&state.catalog.context(), &granted).await?;
    let c = view.census(year).ok_or(WebError::NotFound(None))?;
    let stored = Some((&c.census, c.revision));
    if !form.checked("confirm") {
        let errors = vec![(
            String::new(),
            "削除するには、確認のチェックを入れてください。".to_owned(),
        )];
        return page(
            &state,
            &granted,
            &signed.user.roles,
            &signed.csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            stored,
            None,
            errors,
            None,
        )
        .await;
    }
    let revision = keikaku_app::forms::parse_revision(&form.get("revision"))
        .map_err(|_| WebError::BadRequest("版の番号が不正です。".to_owned()))?
        .unwrap_or(0);
    match delete_census(&state.catalog.context(), &granted, year, revision, now()?).await {
        Ok(()) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{HOME}?done=census-deleted"))
        }
        Err(e) => {
            let (status, errors) = problems_of(e)?;
            page(
                &state,
                &granted,
                &signed.user.roles,
                &signed.csrf,
                status,
                stored,
                None,
                errors,
                None,
            )
            .await
        }
    }
}

/// An upload as read: the token, the fields and the file.
pub(crate) struct Upload {
    pub(crate) csrf: Option<String>,
    pub(crate) fields: std::collections::BTreeMap<String, String>,
    pub(crate) file: Option<(String, Vec<u8>)>,
}

/// Reads a multipart upload (at most [`MAX_BYTES`]).
pub(crate) async fn read_upload(mut multipart: Multipart) -> Result<Upload, WebError> {
    let unreadable =
        || WebError::BadRequest("送られたファイルを読み取れません（2MBまで）。".to_owned());
    let mut up = Upload {
        csrf: None,
        fields: std::collections::BTreeMap::new(),
        file: None,
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| {
        if up.csrf.is_none() {
            WebError::Forbidden
        } else {
            unreadable()
        }
    })? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("census.xlsx").to_owned();
            let bytes = field.bytes().await.map_err(|_| unreadable())?;
            if bytes.len() > MAX_BYTES {
                return Err(unreadable());
            }
            if !bytes.is_empty() {
                up.file = Some((file_name, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.map_err(|_| unreadable())?;
            if name == "csrf" {
                up.csrf = Some(text);
            } else {
                up.fields.insert(name, text);
            }
        }
    }
    Ok(up)
}

/// `POST /staff/population/censuses/upload` (multipart: `csrf`, `year`, `source`, `sample`,
/// `replace`, `file`): a census table read and stored whole, or every problem with its cell.
pub(super) async fn upload(
    State(state): State<AppState>,
    StaffUser { signed, granted }: StaffUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let Ok(multipart) = multipart else {
        return Err(WebError::Forbidden);
    };
    let up = read_upload(multipart).await?;
    if require_csrf(Some(&signed.csrf), up.csrf.as_deref()).is_err() {
        return Err(WebError::Forbidden);
    }
    let field = |k: &str| up.fields.get(k).cloned().unwrap_or_default();
    let posted = Posted::from(
        up.fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>(),
    );
    let refuse = |errors: Vec<Problem>| {
        let (state, granted, signed, posted) = (&state, &granted, &signed, &posted);
        async move {
            page(
                state,
                granted,
                &signed.user.roles,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(posted),
                errors,
                None,
            )
            .await
        }
    };
    let Ok(Some(year)) = year(&field("year")) else {
        return refuse(vec![(
            "year".to_owned(),
            "取り込む人口の年を入力してください（例: 2020）。".to_owned(),
        )])
        .await;
    };
    let Some((name, bytes)) = up.file.as_ref() else {
        return refuse(vec![(
            "file".to_owned(),
            "取り込むファイル（.xlsx または .csv）を選んでください。".to_owned(),
        )])
        .await;
    };
    let view = population(&state.catalog.context(), &granted).await?;
    let expected = view.census(year).map(|c| c.revision);
    if expected.is_some() && !up.fields.contains_key("replace") {
        return refuse(vec![("replace".to_owned(), format!("{year}年の人口は既にあります。置き換えるときは「既にある年の人口を置き換える」にチェックを入れてください。"))]).await;
    }
    let source = match field("source") {
        s if s.trim().is_empty() => "国勢調査".to_owned(),
        s => s,
    };
    match import_census(
        &state.catalog.context(),
        &granted,
        year,
        &source,
        up.fields.contains_key("sample"),
        (name, bytes),
        expected,
        now()?,
    )
    .await
    {
        Ok((notes, _)) => {
            state.catalog.invalidate().await?;
            let joined = notes.join("");
            let notes =
                percent_encoding::utf8_percent_encode(&joined, percent_encoding::NON_ALPHANUMERIC);
            redirect(&format!(
                "{}?done=imported&notes={notes}",
                census_href(year)
            ))
        }
        Err(e) => {
            let (status, problems) = problems_of(e)?;
            let errors = problems
                .into_iter()
                .map(|(f, m)| {
                    (
                        if f == "file" || f.is_empty() {
                            "file".to_owned()
                        } else {
                            f
                        },
                        m,
                    )
                })
                .collect();
            page(
                &state,
                &granted,
                &signed.user.roles,
                &signed.csrf,
                status,
                None,
                Some(&posted),
                errors,
                None,
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TemplateQuery {
    #[serde(default)]
    year: Option<i32>,
}

/// `GET /staff/population/censuses/template?year=`: the census sheet to fill in (filled
/// with a stored year's counts when asked).
pub(super) async fn template(
    State(state): State<AppState>,
    Query(query): Query<TemplateQuery>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let view = population(&state.catalog.context(), &granted).await?;
    let site = state.catalog.site().await?;
    let bytes = census_template(&view, query.year, &site.municipality.name)?;
    let name = match query.year.filter(|y| view.census(*y).is_some()) {
        Some(y) => format!("人口_{y}.xlsx"),
        None => "人口_入力用.xlsx".to_owned(),
    };
    attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "population-census",
        &name,
    )
}
