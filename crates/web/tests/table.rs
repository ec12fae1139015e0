//! The clerk's everyday view: the table of one kind of element (its values side by side,
//! filtered by department, a row edited in place through the element's own save — checks,
//! conflicts, audit and warnings as in the form), the outline with values and quiet
//! controls, the sample flag set and cleared in the form, and warnings after a save.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, example_json, input_value, plan_mut, to_text, unescape};
use keikaku_app::edit;
use keikaku_domain::PlanId;
use keikaku_domain::account::Role;

const PASSWORD: &str = "correct horse battery";
const KPIS: &str = "/staff/plans/sogo-senryaku/table?kind=kpi";
const ROW: &str = "/staff/plans/sogo-senryaku/table/kpi-1-1-1";

/// The example with both plans under deliberation, a planning-office user signed in: the
/// app, the session token and the CSRF token.
async fn editing_app() -> (TestApp, String, String) {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-keikaku")["status"] = "under_deliberation".into();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "under_deliberation".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let csrf = csrf_of(&app, &token).await;
    (app, token, csrf)
}

async fn csrf_of(app: &TestApp, token: &str) -> String {
    let (_, _, page) = app
        .get_with_cookies("/staff", &[("keikaku_session", token)])
        .await;
    input_value(&page, "csrf")
}

async fn values(app: &TestApp, plan: &str, id: &str) -> std::collections::BTreeMap<String, String> {
    edit::draft(&app.catalog.context(), &PlanId::parse(plan).unwrap())
        .await
        .unwrap()
        .values(id)
}

async fn audit_count(app: &TestApp) -> usize {
    keikaku_storage::HistoryStore::audit_entries(
        app.store.as_ref(),
        app.catalog.municipality_code(),
        0,
        10_000,
    )
    .await
    .unwrap()
    .len()
}

/// Posts a form; status, `Location` and body.
async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let (status, headers, body) = app
        .post_form(path, fields, &[("keikaku_session", token)])
        .await;
    let location = headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, body)
}

/// A redirect's page, without its fragment (which browsers keep to themselves).
fn page_of(location: &str) -> &str {
    location.split('#').next().unwrap()
}

/// The fields a KPI's row sends, with the target changed.
fn row<'a>(
    csrf: &'a str,
    version: &'a str,
    target: &'a str,
    year: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("version", version),
        ("code", "K1-1-1"),
        ("title", "企業立地件数（累計）"),
        ("unit", "件"),
        ("direction", "higher"),
        ("baseline_value", "0"),
        ("baseline_year", "2014"),
        ("target_value", target),
        ("target_year", year),
        ("department", "商工労働課"),
    ]
}

#[tokio::test]
async fn the_table_shows_each_kpi_with_its_values_and_filters_by_department() {
    let (app, token, _) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, headers, page) = app.get_with_cookies(KPIS, &cookies).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(headers["cache-control"], "no-store");
    let text = unescape(&page);
    assert!(text.contains("<caption>KPIの一覧（"), "{text}");
    for header in [
        "指標コード",
        "指標名",
        "単位",
        "目指す方向",
        "基準値",
        "基準値の年度",
        "目標値",
        "目標値の年度",
        "所管課",
        "操作",
    ] {
        assert!(
            text.contains(&format!("<th scope=\"col\">{header}</th>")),
            "{header}"
        );
    }
    assert!(text.contains("企業立地件数（累計）"));
    assert!(
        text.contains("平成26年度（2014年度）"),
        "years in 和暦 with the Western year"
    );
    assert!(text.contains("増加を目指す"), "choices by their label");
    assert!(text.contains("<th scope=\"row\">"));
    assert!(text.contains("edit=kpi-1-1-1#row-kpi-1-1-1"), "{text}");
    assert!(text.contains("観光物産課"));
    // The department filter is a GET form; a department shows its own rows only.
    assert!(text.contains("<label for=\"filter-department\">"));
    let (_, _, page) = app
        .get_with_cookies(
            &format!("{KPIS}&department=%E5%95%86%E5%B7%A5%E5%8A%B4%E5%83%8D%E8%AA%B2"),
            &cookies,
        )
        .await;
    let text = unescape(&page);
    assert!(text.contains("row-kpi-1-1-1"));
    assert!(!text.contains("row-kpi-2-1-1"), "another department's KPI");
    assert!(text.contains("所管課: 商工労働課"));
    // Every kind of the plan has its table; the measures of the comprehensive plan too.
    assert!(text.contains("table?kind=strategy_measure"));
    let (status, _, page) = app
        .get_with_cookies("/staff/plans/sogo-keikaku/table?kind=measure", &cookies)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(unescape(&page).contains("<th scope=\"col\">番号</th>"));
    // A kind the plan cannot have is not found.
    let (status, _, _) = app
        .get_with_cookies("/staff/plans/sogo-keikaku/table?kind=kpi", &cookies)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_row_is_edited_in_place_and_saved_as_the_element_form_saves() {
    let (app, token, csrf) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, _, page) = app
        .get_with_cookies(&format!("{KPIS}&edit=kpi-1-1-1"), &cookies)
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = unescape(&page);
    // One form in the row's last cell; every input belongs to it and has a label.
    assert!(
        text.contains(&format!(
            "<form id=\"row-form\" action=\"{ROW}\" method=\"post\">"
        )),
        "{text}"
    );
    assert!(text.contains("name=\"version\" value=\"1\""));
    for name in [
        "title",
        "unit",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
        "code",
        "department",
    ] {
        assert!(
            text.contains(&format!(
                "<label class=\"visually-hidden\" for=\"cell-{name}\">"
            )),
            "{name}"
        );
        assert!(
            text.contains(&format!(
                "id=\"cell-{name}\" name=\"{name}\" form=\"row-form\""
            )),
            "{name}"
        );
    }
    assert_eq!(
        text.matches("form=\"row-form\"").count(),
        9,
        "one row in edit mode"
    );
    let before = values(&app, "sogo-senryaku", "kpi-1-1-1").await;
    let audits = audit_count(&app).await;
    // 全角 digits and 和暦 are read as in the form.
    let (status, location, body) =
        post(&app, &token, ROW, &row(&csrf, "1", "１２", "令和元年度")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("{KPIS}&saved=kpi-1-1-1#row-kpi-1-1-1"));
    let after = values(&app, "sogo-senryaku", "kpi-1-1-1").await;
    assert_eq!(after["target_value"], "12");
    assert_eq!(after["target_year"], "2019");
    // What the row does not show is kept as it was.
    for kept in [
        "calculation_method",
        "interim_targets",
        "acquisition",
        "indicator_type",
        "sample",
    ] {
        assert_eq!(after[kept], before[kept], "{kept}");
    }
    assert_eq!(audit_count(&app).await, audits + 1, "one audit entry");
    let (_, _, page) = app.get_with_cookies(page_of(&location), &cookies).await;
    assert!(unescape(&page).contains("KPI「企業立地件数（累計）」を保存しました。"));
    // The element form shows the same element at the next version.
    let (_, _, page) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/elements/kpi-1-1-1", &cookies)
        .await;
    assert_eq!(input_value(&page, "version"), "2");
}

#[tokio::test]
async fn a_refused_row_comes_back_in_edit_mode_with_each_message_at_its_cell() {
    let (app, token, csrf) = editing_app().await;
    let audits = audit_count(&app).await;
    let (status, _, page) = post(&app, &token, ROW, &row(&csrf, "1", "多い", "2019")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let text = unescape(&page);
    assert!(text.contains("<span class=\"field-error\" id=\"cell-target_value-error\">目標値は数値で入力してください"), "{text}");
    assert!(text.contains("aria-invalid=\"true\" aria-describedby=\"cell-target_value-error\""));
    assert!(
        text.contains("<a href=\"#cell-target_value\">"),
        "the summary links to the cell"
    );
    assert!(text.contains("value=\"多い\""), "what was typed is kept");
    assert!(
        text.contains("name=\"version\" value=\"1\""),
        "the version it started from"
    );
    assert_eq!(audit_count(&app).await, audits, "nothing written");
    // A year the era rules refuse: the message names the field once.
    let (status, _, page) = post(&app, &token, ROW, &row(&csrf, "1", "12", "来年")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&page).contains("id=\"cell-target_year-error\""));
}

#[tokio::test]
async fn a_stale_row_is_a_conflict_that_keeps_what_was_typed() {
    let (app, token, csrf) = editing_app().await;
    let (status, _, _) = post(&app, &token, ROW, &row(&csrf, "1", "11", "2019")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let audits = audit_count(&app).await;
    let (status, _, page) = post(&app, &token, ROW, &row(&csrf, "1", "15", "2019")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    let text = unescape(&page);
    assert!(text.contains("ほかの人が先に保存しました"));
    assert!(
        text.contains("value=\"15\""),
        "the typed value is in the form"
    );
    assert!(text.contains("違いあり"));
    assert_eq!(input_value(&page, "version"), "2");
    assert_eq!(audit_count(&app).await, audits);
    assert_eq!(
        values(&app, "sogo-senryaku", "kpi-1-1-1").await["target_value"],
        "11"
    );
}

#[tokio::test]
async fn a_save_with_a_target_year_outside_the_period_succeeds_and_warns() {
    let (app, token, csrf) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, location, body) = post(&app, &token, ROW, &row(&csrf, "1", "12", "R15")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        values(&app, "sogo-senryaku", "kpi-1-1-1").await["target_year"],
        "2033"
    );
    let warning = "目標値の年度 令和15年度（2033年度）は計画期間（平成27年度〜";
    let (_, _, page) = app.get_with_cookies(page_of(&location), &cookies).await;
    let text = unescape(&page);
    assert!(text.contains("確認してください"), "{text}");
    assert!(text.contains(warning), "{text}");
    // The element form says it too, in a notice and at the field.
    let (_, _, page) = app
        .get_with_cookies(
            "/staff/plans/sogo-senryaku/elements/kpi-1-1-1?done=saved",
            &cookies,
        )
        .await;
    let text = unescape(&page);
    assert!(text.contains("保存しました。"));
    assert!(
        text.contains("<a href=\"#field-target_year\">目標値の年度 令和15年度"),
        "{text}"
    );
    assert!(text.contains("<span class=\"field-warning\">確認: 目標値の年度 令和15年度"));
    // The element form's own save warns the same way: a target equal to the baseline.
    let mut fields: Vec<(String, String)> = values(&app, "sogo-senryaku", "kpi-1-1-1")
        .await
        .into_iter()
        .collect();
    for (n, v) in &mut fields {
        if n == "target_value" {
            *v = "0".to_owned();
        }
        if n == "target_year" {
            *v = "2019".to_owned();
        }
    }
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("version", "2")];
    form.extend(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let (status, location, body) = post(
        &app,
        &token,
        "/staff/plans/sogo-senryaku/elements/kpi-1-1-1",
        &form,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = app.get_with_cookies(&location, &cookies).await;
    let text = unescape(&page);
    assert!(
        text.contains("目標値 0件が基準値と同じです（目指す方向は「増加を目指す」）。"),
        "{text}"
    );
    assert!(
        !text.contains("計画期間（"),
        "the year is inside the period again"
    );
}

#[tokio::test]
async fn department_editors_edit_only_their_own_rows() {
    let (app, _, _) = editing_app().await;
    app.add_staff(
        "shoko",
        "商工 一郎",
        Role::DepartmentEditor,
        "商工労働課",
        PASSWORD,
    )
    .await;
    let token = app.sign_in("shoko", PASSWORD).await;
    let csrf = csrf_of(&app, &token).await;
    let cookies = [("keikaku_session", token.as_str())];
    let (_, _, page) = app.get_with_cookies(KPIS, &cookies).await;
    let text = unescape(&page);
    assert!(text.contains("edit=kpi-1-1-1#"));
    assert!(
        !text.contains("edit=kpi-2-1-1#"),
        "another department's row"
    );
    // Asking for another department's row in edit mode shows the table only.
    let (_, _, page) = app
        .get_with_cookies(&format!("{KPIS}&edit=kpi-2-1-1"), &cookies)
        .await;
    assert!(!page.contains("form=\"row-form\""));
    // Their own row: the 所管課 and the code are shown, not inputs.
    let (_, _, page) = app
        .get_with_cookies(&format!("{KPIS}&edit=kpi-1-1-1"), &cookies)
        .await;
    assert!(page.contains("id=\"cell-target_value\""));
    assert!(!page.contains("id=\"cell-department\""));
    assert!(!page.contains("id=\"cell-code\""));
    let mine: Vec<(&str, &str)> = row(&csrf, "1", "12", "2019")
        .into_iter()
        .filter(|(n, _)| *n != "department" && *n != "code")
        .collect();
    let (status, _, body) = post(&app, &token, ROW, &mine).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, _) = post(
        &app,
        &token,
        "/staff/plans/sogo-senryaku/table/kpi-2-1-1",
        &[("csrf", &csrf), ("version", "1"), ("target_value", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_outline_shows_values_and_departments_with_quiet_controls() {
    let (app, token, _) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    let (_, _, page) = app
        .get_with_cookies("/staff/plans/sogo-senryaku", &cookies)
        .await;
    let text = unescape(&page);
    assert!(
        text.contains("基準値 0件（平成26年度・2014年度） → 目標値 10件（"),
        "{text}"
    );
    assert!(text.contains("所管課: 商工労働課"));
    assert!(
        !text.contains("編集できます"),
        "no badge that looks like a button"
    );
    assert!(text.contains("class=\"button--quiet\"><span class=\"visually-hidden\">施策1-1を</span>下へ<span class=\"visually-hidden\">移動</span></button>") || text.contains("を</span>下へ<span class=\"visually-hidden\">移動</span>"), "{text}");
    assert!(text.contains("href=\"/staff/plans/sogo-senryaku/table?kind=kpi\">KPIの一覧（"));
}

#[tokio::test]
async fn the_sample_flag_is_set_and_cleared_in_the_form_and_marks_the_public_page() {
    let app = TestApp::new().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let csrf = csrf_of(&app, &token).await;
    let cookies = [("keikaku_session", token.as_str())];
    let status = |from: &'static str, to: &'static str| {
        let (app, token, csrf) = (&app, token.clone(), csrf.clone());
        async move {
            let (status, _, body) = post(
                app,
                &token,
                "/staff/plans/sogo-keikaku/status",
                &[
                    ("csrf", &csrf),
                    ("from", from),
                    ("to", to),
                    ("confirm", "yes"),
                ],
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{from} → {to}: {body}");
        }
    };
    const PUBLIC: &str = "/plans/sogo-keikaku/priority-projects/priority-project-4";
    assert!(!app.page(PUBLIC).await.contains("サンプル"));
    status("published", "under_deliberation").await;
    let element = "/staff/plans/sogo-keikaku/elements/priority-project-4";
    let (_, _, page) = app.get_with_cookies(element, &cookies).await;
    let text = unescape(&page);
    assert!(text.contains("<input type=\"hidden\" name=\"sample\" value=\"\">"));
    assert!(text.contains("<input type=\"checkbox\" id=\"field-sample\" name=\"sample\" value=\"yes\" aria-describedby=\"hint-sample\"><label for=\"field-sample\">サンプルデータ（例示用の値）</label>"), "{text}");
    let save = |sample: &'static [&'static str], version: &'static str| {
        let (app, token, csrf) = (&app, token.clone(), csrf.clone());
        async move {
            let mut fields: Vec<(String, String)> =
                values(app, "sogo-keikaku", "priority-project-4")
                    .await
                    .into_iter()
                    .filter(|(n, _)| n != "sample")
                    .collect();
            fields.extend(
                sample
                    .iter()
                    .map(|v| ("sample".to_owned(), (*v).to_owned())),
            );
            let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("version", version)];
            form.extend(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            let (status, _, body) = post(app, &token, element, &form).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        }
    };
    // Checked: the hidden empty value first, the box's value last.
    save(&["", "yes"], "1").await;
    assert_eq!(
        values(&app, "sogo-keikaku", "priority-project-4").await["sample"],
        "yes"
    );
    let (_, _, page) = app.get_with_cookies(element, &cookies).await;
    assert!(page.contains("value=\"yes\" checked"));
    // The audit entry carries the flag before and after.
    let entries = keikaku_storage::HistoryStore::audit_entries(
        app.store.as_ref(),
        app.catalog.municipality_code(),
        0,
        10_000,
    )
    .await
    .unwrap();
    let last = entries.last().unwrap();
    assert!(
        last.before
            .as_deref()
            .unwrap_or("")
            .contains("\"sample\":\"\""),
        "{last:?}"
    );
    assert!(
        last.after
            .as_deref()
            .unwrap_or("")
            .contains("\"sample\":\"yes\""),
        "{last:?}"
    );
    // Published again, the public page marks it as the example data is marked.
    status("under_deliberation", "adopted").await;
    status("adopted", "published").await;
    let html = app.page(PUBLIC).await;
    assert!(
        html.contains("<span class=\"badge badge--sample\">サンプル</span>"),
        "{html}"
    );
    // Cleared again (unchecked: only the hidden empty value is sent).
    status("published", "under_deliberation").await;
    save(&[""], "2").await;
    assert_eq!(
        values(&app, "sogo-keikaku", "priority-project-4").await["sample"],
        ""
    );
    // A client that leaves the flag out keeps it as it is.
    save(&["yes"], "3").await;
    save(&[], "4").await;
    assert_eq!(
        values(&app, "sogo-keikaku", "priority-project-4").await["sample"],
        "yes"
    );
}
