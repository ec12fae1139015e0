//! The 人口ビジョン's pages through the router: the public vision (headline figures, the chart
//! with its table, the gap to the target, the scenarios, the downloads) and a scenario's
//! pyramid by year; the staff overview, the census form and a census table uploaded with
//! every problem at its cell, a scenario's form refusing a wrong rate at its field and making
//! the results out of date until run, a scenario derived in one action, deletions only with a
//! confirmation, the vision unpublished; a department editor reading but not writing.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, input_value};
use keikaku_domain::account::Role;

const PASSWORD: &str = "correct horse battery";

async fn add(app: &TestApp, login: &str, role: Role, department: &str) -> String {
    app.add_staff(login, "人口 花子", role, department, PASSWORD)
        .await;
    app.sign_in(login, PASSWORD).await
}

#[tokio::test]
async fn the_public_reads_the_vision_and_each_scenario() {
    let app = TestApp::new().await;
    let home = app.page("/").await;
    assert!(
        home.contains("href=\"/population\""),
        "the navigation names it"
    );
    let page = app.page("/population").await;
    for text in [
        "<h1>人口ビジョン</h1>",
        "令和2年（2020年） 111,932人（国勢調査、10月1日現在）",
        "令和42年（2060年） 75,000人",
        "総人口の推移と将来の見通し",
        "<title id=\"population-chart-title\">",
        // The base scenario in 2060, and the national institute's 2040 figure.
        "61,203",
        "82,277",
        "目標人口との差",
        "−13,797",
        "href=\"/population/scenarios/shussei-koujou\"",
        "基準の合計特殊出生率（1.45）",
        "href=\"/plans/sogo-senryaku/kpi/indicators/target-3-1\"",
        "href=\"/population/download?format=xlsx\"",
    ] {
        assert!(page.contains(text), "{text} missing:\n{page}");
    }
    let scenario = app.page("/population/scenarios/kihon?year=2040").await;
    for text in [
        "人口ピラミッド（令和22年（2040年））",
        "aria-current=\"true\">2040年",
        "88,574",
        "年齢不詳（男 312人、女 241人）",
        "細い線は基準年（2020年）の人数です",
    ] {
        assert!(scenario.contains(text), "{text} missing:\n{scenario}");
    }
    for missing in [
        "/population/scenarios/kihon?year=2041",
        "/population/scenarios/nothing",
        "/population/scenarios/Bad%20Id",
    ] {
        let (status, _, _) = app.get(missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
    let (status, headers, body) = app
        .send_bytes(
            Request::get("/population/download?format=csv&table=comparison")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(common::content_type(&headers).starts_with("text/csv"));
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("目標人口") && text.contains("82277"),
        "{text}"
    );
    let (status, _, _) = app.get("/population/download?format=pdf").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A multipart body with fields and one file.
fn multipart(fields: &[(&str, &str)], file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "keikaku-population-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn census_csv(total_row: &str) -> String {
    let mut csv = String::from("令和7年国勢調査 年齢（5歳階級），男女別人口\n年齢,総数,男,女\n");
    csv.push_str(total_row);
    for age in (0..90).step_by(5) {
        csv.push_str(&format!("{}～{}歳,300,140,160\n", age, age + 4));
    }
    csv.push_str("90歳以上,30,10,20\n年齢不詳,4,2,2\n");
    csv
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: censuses, scenarios and the vision by the office
async fn the_planning_office_keeps_the_vision() {
    let app = TestApp::new().await;
    let session = add(&app, "kikaku", Role::PlanningOffice, "企画調整課").await;
    let office = [("keikaku_session", session.as_str())];
    let cookie = common::cookie_header(&office);
    let (status, _, overview) = app.get_with_cookies("/staff/population", &office).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "基本推計",
        "計算済み",
        "令和2年（2020年）",
        "推計を作って計算する",
    ] {
        assert!(overview.contains(text), "{text} missing");
    }
    let csrf = input_value(&overview, "csrf");

    // A census typed in: a wrong cell is refused at its field, the rest kept.
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("year".into(), "令和7年".into()),
        ("source".into(), "国勢調査（速報）".into()),
    ];
    for g in 0..19 {
        form.push((format!("M[{g}]"), "１，０００".into()));
        form.push((
            format!("F[{g}]"),
            if g == 4 { "千".into() } else { "1000".into() },
        ));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, page) = app
        .post_form("/staff/population/censuses", &pairs, &office)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("20〜24歳・女: 「千」は0以上の整数として読めません。"),
        "{page}"
    );
    assert!(
        page.contains("href=\"#census-F-4\""),
        "the summary links to the field"
    );
    assert!(
        page.contains("value=\"１，０００\""),
        "what was typed is kept"
    );
    form.retain(|(k, _)| k != "F[4]");
    form.push(("F[4]".into(), "980".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, headers, _) = app
        .post_form("/staff/population/censuses", &pairs, &office)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        common::header(&headers, &axum::http::header::LOCATION)
            .starts_with("/staff/population/censuses/2025")
    );
    let (_, _, page) = app
        .get_with_cookies("/staff/population/censuses/2025", &office)
        .await;
    assert!(page.contains("総数 37,980人"), "{page}");

    // A census table uploaded: the 総数 row that does not add up is named by its cell.
    let upload = |fields: &[(&str, &str)], content: String| {
        let (content_type, body) = multipart(fields, "2030.csv", content.as_bytes());
        Request::post("/staff/population/censuses/upload")
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let fields = [
        ("csrf", csrf.as_str()),
        ("year", "2030"),
        ("source", "国勢調査"),
    ];
    let (status, _, page) = app
        .send(upload(&fields, census_csv("総数,5434,2532,2900\n")))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("総数") && page.contains("セルB3"), "{page}");
    let (status, _, page) = app
        .send(upload(&fields, census_csv("総数,5434,2532,2902\n")))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    // The same year again only on purpose.
    let (status, _, page) = app
        .send(upload(&fields, census_csv("総数,5434,2532,2902\n")))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("既にある年の人口を置き換える"), "{page}");

    // The base scenario: a wrong rate refused at its field; a good change makes every result
    // out of date until run.
    let (_, _, page) = app
        .get_with_cookies("/staff/population/scenarios/kihon", &office)
        .await;
    let revision = input_value(&page, "revision");
    let scenario_form = |survival_m3: &str| {
        let mut f: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("revision".into(), revision.clone()),
            ("name".into(), "基本推計".into()),
            ("base_year".into(), "2020".into()),
            ("horizon".into(), "2060".into()),
            ("published".into(), "yes".into()),
            ("sample".into(), "yes".into()),
            ("cwr".into(), "０．２".into()),
            ("sex_ratio".into(), "105".into()),
        ];
        for kind in ["survival", "migration"] {
            for sex in ["M", "F"] {
                for g in 0..19 {
                    let v = match (kind, sex, g) {
                        ("survival", "M", 3) => survival_m3.to_owned(),
                        ("survival", _, _) => "0.99".to_owned(),
                        _ => "△0.01".to_owned(),
                    };
                    f.push((format!("{kind}.{sex}[{g}]"), v));
                }
            }
        }
        f
    };
    let f = scenario_form("abc");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, page) = app
        .post_form("/staff/population/scenarios/kihon", &pairs, &office)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("生残率（男・15〜19歳）: 「abc」は数値として読めません。"),
        "{page}"
    );
    assert!(page.contains("href=\"#scenario-survival-M-3\""), "{page}");
    let f = scenario_form("-1.5");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, page) = app
        .post_form("/staff/population/scenarios/kihon", &pairs, &office)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("生残率が負の値です"),
        "the projection's own check, by field: {page}"
    );
    let f = scenario_form("0.998");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = app
        .post_form("/staff/population/scenarios/kihon", &pairs, &office)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, overview) = app.get_with_cookies("/staff/population", &office).await;
    assert!(overview.contains("再計算が必要"), "{overview}");
    let (status, headers, _) = app
        .post_form("/staff/population/run", &[("csrf", &csrf)], &office)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(common::header(&headers, &axum::http::header::LOCATION).contains("count=3"));

    // Derived in one action.
    let (status, _, page) = app
        .post_form(
            "/staff/population/derive",
            &[
                ("csrf", &csrf),
                ("from", "kihon"),
                ("id", "hanbun"),
                ("rule", "scaled_migration"),
                ("factor", "0.5"),
            ],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, _, page) = app
        .get_with_cookies("/staff/population/scenarios/hanbun", &office)
        .await;
    assert!(
        page.contains("計算済み") && page.contains("純移動率をすべて0.5倍"),
        "{page}"
    );
    let (status, _, page) = app
        .post_form(
            "/staff/population/derive",
            &[
                ("csrf", &csrf),
                ("from", "kihon"),
                ("id", "x"),
                ("rule", "fertility"),
                ("base_tfr", "1.45"),
                ("points", "2030 1.6\nそのうち 2.0"),
            ],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("出生率の経路の2行目「そのうち 2.0」を読めません"),
        "{page}"
    );
    // What was typed is kept, the form open.
    assert!(
        page.contains("<details class=\"derive\" open>")
            && page.contains("2030 1.6\nそのうち 2.0</textarea>")
            && page.contains("value=\"1.45\"")
            && page.contains("value=\"fertility\" checked"),
        "{page}"
    );

    // Deleting takes a confirmation; a base scenario others derive from is kept.
    let revision = input_value(
        &page_of(&app, "/staff/population/scenarios/hanbun", &office).await,
        "revision",
    );
    let (status, _, page) = app
        .post_form(
            "/staff/population/scenarios/hanbun/delete",
            &[("csrf", &csrf), ("revision", &revision)],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("確認のチェックを入れてください"));
    let (status, _, _) = app
        .post_form(
            "/staff/population/scenarios/hanbun/delete",
            &[("csrf", &csrf), ("revision", &revision), ("confirm", "yes")],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = app
        .get_with_cookies("/staff/population/scenarios/hanbun", &office)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The vision's form: a wrong cell at its place; unpublished, the public sees nothing.
    let page = page_of(&app, "/staff/population/vision", &office).await;
    let revision = input_value(&page, "revision");
    let (status, _, page) = app
        .post_form(
            "/staff/population/vision",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("target[0].year", "2040"),
                ("target[0].total", "九万"),
                ("actuals[0].year", "2020"),
                ("actuals[0].total", "111932"),
                ("actuals[0].source", "census"),
            ],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("目標人口の1行目: 人口を0以上の整数で入力してください。"),
        "{page}"
    );
    assert!(page.contains("value=\"九万\""));
    let (status, _, _) = app
        .post_form(
            "/staff/population/vision",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("target[0].year", "2040"),
                ("target[0].total", "90000"),
                ("actuals[0].year", "2020"),
                ("actuals[0].total", "111932"),
                ("actuals[0].source", "census"),
            ],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = app.get("/population").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!app.page("/").await.contains("href=\"/population\""));
    // The same revision again: someone else's save came first.
    let (status, _, page) = app
        .post_form(
            "/staff/population/vision",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("published", "yes"),
            ],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("ほかの人が変更しています"), "{page}");
}

async fn page_of(app: &TestApp, path: &str, cookies: &[(&str, &str)]) -> String {
    let (status, _, page) = app.get_with_cookies(path, cookies).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    page
}

#[tokio::test]
async fn a_department_editor_reads_but_does_not_write() {
    let app = TestApp::new().await;
    let session = add(&app, "nosei", Role::DepartmentEditor, "農政課").await;
    let clerk = [("keikaku_session", session.as_str())];
    let page = page_of(&app, "/staff/population", &clerk).await;
    assert!(
        !page.contains("推計を作って計算する"),
        "no forms for a reader"
    );
    let page = page_of(&app, "/staff/population/scenarios/kihon", &clerk).await;
    assert!(!page.contains("name=\"survival.M[0]\""), "{page}");
    let csrf = input_value(&page_of(&app, "/staff", &clerk).await, "csrf");
    let (status, _, _) = app
        .post_form("/staff/population/run", &[("csrf", &csrf)], &clerk)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
