//! Conditional requests and data changes: pages carry ETags, a repeat with `If-None-Match`
//! answers 304, and a change of the data (an import through this process) shows at once, with
//! new ETags. Also: hostile text in a plan file is escaped on every page and returned verbatim
//! by the API.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{StatusCode, header};
use common::{
    TestApp, assert_shows_escaped, content_type, element_mut, example_json, header, plan_mut,
    to_text, unescape,
};
use serde_json::Value;

const PAGES: [&str; 6] = [
    "/",
    "/plans/sogo-keikaku",
    "/plans/sogo-keikaku/vision",
    "/plans/sogo-keikaku/goals/goal-1",
    "/plans/sogo-keikaku/fields/field-1-1",
    "/plans/sogo-senryaku/objectives/objective-1",
];

#[tokio::test]
async fn pages_answer_304_to_a_matching_if_none_match() {
    let app = TestApp::new().await;
    for path in PAGES {
        let (status, headers, body) = app.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let etag = header(&headers, &header::ETAG).to_owned();
        assert!(
            etag.len() > 2 && etag.starts_with('"'),
            "{path}: ETag {etag:?}"
        );
        let cache_control = header(&headers, &header::CACHE_CONTROL);
        assert!(
            cache_control.contains("must-revalidate") || cache_control.contains("no-cache"),
            "{path}: {cache_control}"
        );
        // The second answer (from the cache) is the same.
        let (_, again_headers, again) = app.get(path).await;
        assert_eq!(again, body, "{path}");
        assert_eq!(header(&again_headers, &header::ETAG), etag);
        for tag in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"x\", {etag}"),
            "*".to_owned(),
        ] {
            let (status, headers, empty) =
                app.get_with(path, &[(header::IF_NONE_MATCH, &tag)]).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{path} with {tag}");
            assert!(empty.is_empty(), "{path}: body with 304");
            assert_eq!(header(&headers, &header::ETAG), etag, "{path}");
        }
        let (status, _, full) = app
            .get_with(path, &[(header::IF_NONE_MATCH, "\"other\"")])
            .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(full, body);
    }
    // Different pages have different tags.
    let (_, a, _) = app.get("/plans/sogo-keikaku/fields/field-1-1").await;
    let (_, b, _) = app.get("/plans/sogo-keikaku/fields/field-1-2").await;
    assert_ne!(header(&a, &header::ETAG), header(&b, &header::ETAG));
}

#[tokio::test]
async fn a_change_of_the_data_shows_at_once_with_new_etags() {
    let app = TestApp::new().await;
    let mut before = Vec::new();
    for path in PAGES
        .iter()
        .copied()
        .chain(["/api/v1/plans", "/api/v1/plans/sogo-keikaku"])
    {
        let (status, headers, body) = app.get(path).await;
        assert_eq!(status, StatusCode::OK);
        before.push((path, header(&headers, &header::ETAG).to_owned(), body));
    }

    let new_image = "新しい将来像 ひと・まち・しごとが輝く一関";
    let new_field = "農林水産業と六次産業化";
    let mut file = example_json();
    let plan = plan_mut(&mut file, "sogo-keikaku");
    plan["vision"]["future_image"] = new_image.into();
    element_mut(plan, "field-1-1").unwrap()["title"] = new_field.into();
    app.replace(&to_text(&file)).await;

    for (path, etag, body) in &before {
        let (status, headers, now) = app.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        // The objective page and the list of plans show neither.
        if !matches!(
            *path,
            "/plans/sogo-senryaku/objectives/objective-1" | "/api/v1/plans"
        ) {
            assert!(
                now.contains(new_image) || now.contains(new_field),
                "{path} shows the old data"
            );
            assert_ne!(&now, body, "{path}");
            assert_ne!(
                header(&headers, &header::ETAG),
                etag,
                "{path}: same ETag for new data"
            );
            // The old tag no longer answers 304.
            let (status, _, full) = app.get_with(path, &[(header::IF_NONE_MATCH, etag)]).await;
            assert_eq!(status, StatusCode::OK, "{path}: 304 for a stale tag");
            assert_eq!(full, now);
        }
    }
    let home = app.page("/").await;
    assert!(home.contains(new_image));
    assert!(!home.contains("みつけよう育てよう 郷土の宝 いのち輝く一関"));
    let field = app.page("/plans/sogo-keikaku/fields/field-1-1").await;
    assert!(field.contains(&format!("<h1>{new_field}</h1>")), "{field}");
    let plan = app.get_json("/api/v1/plans/sogo-keikaku").await;
    assert_eq!(plan["vision"]["future_image"], new_image);
    // Search sees the new text too.
    let hits = app
        .get_json("/api/v1/search?q=%E5%85%AD%E6%AC%A1%E7%94%A3%E6%A5%AD%E5%8C%96")
        .await; // 六次産業化
    assert!(!hits["hits"].as_array().unwrap().is_empty());
}

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const SQL: &str = "'; DROP TABLE plan; --";

/// The example with hostile text in titles and texts of every kind of element.
fn hostile_file() -> String {
    let mut file = example_json();
    let plan = plan_mut(&mut file, "sogo-keikaku");
    plan["title"] = format!("総合計画{SCRIPT}").into();
    plan["purpose"] = format!("目的{IMG}").into();
    plan["scope"] = format!("範囲{SQL}").into();
    plan["period"]["description"] = format!("期間{SCRIPT}").into();
    plan["vision"]["future_image"] = format!("将来像{SCRIPT}{IMG}").into();
    plan["vision"]["goals"][0]["title"] = format!("目標{SCRIPT}").into();
    plan["vision"]["goals"][0]["description"] = format!("説明{IMG}").into();
    plan["vision"]["principles"][0]["title"] = format!("考え方{SQL}").into();
    plan["vision"]["approaches"][0]["description"] = format!("進め方{SCRIPT}").into();
    for (id, key, text) in [
        ("basic-plan-first", "title", format!("前期{SCRIPT}")),
        ("priority-project-1", "title", format!("重点{IMG}")),
        (
            "priority-project-1",
            "description",
            format!("重点説明{SCRIPT}"),
        ),
        ("field-1-1", "title", format!("農林{SCRIPT}")),
        ("field-1-1", "current_state", format!("現状{IMG}{SQL}")),
        ("field-1-1", "department", format!("課{SCRIPT}")),
        ("measure-1-1-1", "title", format!("施策{SCRIPT}")),
        ("measure-1-1-1", "course_of_action", format!("展開{IMG}")),
        (
            "measure-1-1-1",
            "citizen_participation",
            format!("参画{SQL}"),
        ),
    ] {
        let element = element_mut(plan, id).unwrap_or_else(|| panic!("{id}"));
        assert!(element.get(key).is_some(), "{id} has no {key}");
        element[key] = text.into();
    }
    let strategy = plan_mut(&mut file, "sogo-senryaku");
    strategy["title"] = format!("戦略{IMG}").into();
    for (id, key, text) in [
        ("objective-1", "title", format!("基本目標{SCRIPT}")),
        ("strategy-measure-1-1", "title", format!("戦略施策{IMG}")),
        (
            "strategy-measure-1-1",
            "description",
            format!("戦略説明{SCRIPT}{SQL}"),
        ),
    ] {
        let element = element_mut(strategy, id).unwrap_or_else(|| panic!("{id}"));
        assert!(element.get(key).is_some(), "{id} has no {key}");
        element[key] = text.into();
    }
    // Indicators (the first numerical target and KPI of the strategy).
    let target = &mut strategy["basic_objectives"][0]["numerical_targets"][0];
    target["title"] = format!("数値目標{SCRIPT}").into();
    target["unit"] = format!("人{IMG}").into();
    let kpi = &mut strategy["basic_objectives"][0]["measures"][0]["kpis"][0];
    kpi["title"] = format!("KPI{SCRIPT}").into();
    kpi["data_source"] = format!("出典{SQL}").into();
    to_text(&file)
}

#[tokio::test]
async fn hostile_text_is_escaped_on_every_page_and_verbatim_in_the_api() {
    let text = hostile_file();
    let app = TestApp::with_plan_file(&text).await;
    let pages = app.crawl().await;
    assert!(pages.len() >= 35, "{}", pages.len());
    let mut shown = 0;
    for (path, (status, headers, html)) in &pages {
        assert_eq!(*status, StatusCode::OK, "{path}");
        assert_eq!(content_type(headers), "text/html; charset=utf-8");
        assert!(!html.contains("<script"), "{path}: raw <script>");
        assert!(!html.contains("<img"), "{path}: raw <img>");
        assert!(!html.contains("onerror=alert(1)>"), "{path}: raw attribute");
        assert!(!html.contains("'; DROP"), "{path}: raw quote");
        if unescape(html).contains(SCRIPT) {
            shown += 1;
        }
    }
    // The plan's title, its goals and basic plan are on many pages.
    assert!(shown >= 10, "escaped text shown on only {shown} pages");
    let page = |path: &str| pages[path].2.clone();
    let home = page("/");
    for text in [
        format!("将来像{SCRIPT}{IMG}"),
        format!("範囲{SQL}"),
        format!("目的{IMG}"),
        format!("期間{SCRIPT}"),
    ] {
        assert_shows_escaped("/", &home, &text);
    }
    // The named form of the brief (`&lt;script&gt;`) or the numeric one that askama writes.
    assert!(
        home.contains("&lt;script&gt;") || home.contains("&#60;script&#62;"),
        "{home}"
    );
    let field = page("/plans/sogo-keikaku/fields/field-1-1");
    assert_shows_escaped("field", &field, &format!("農林{SCRIPT}"));
    assert_shows_escaped("field", &field, &format!("現状{IMG}{SQL}"));
    assert_shows_escaped("field", &field, &format!("課{SCRIPT}"));
    assert_shows_escaped("field", &field, &format!("施策{SCRIPT}"));
    let measure = page("/plans/sogo-keikaku/measures/measure-1-1-1");
    assert_shows_escaped("measure", &measure, &format!("展開{IMG}"));
    assert_shows_escaped("measure", &measure, &format!("参画{SQL}"));
    let vision = page("/plans/sogo-keikaku/vision");
    for text in [
        format!("目標{SCRIPT}"),
        format!("説明{IMG}"),
        format!("考え方{SQL}"),
        format!("進め方{SCRIPT}"),
    ] {
        assert_shows_escaped("vision", &vision, &text);
    }
    let project = page("/plans/sogo-keikaku/priority-projects/priority-project-1");
    assert_shows_escaped("project", &project, &format!("重点{IMG}"));
    assert_shows_escaped("project", &project, &format!("重点説明{SCRIPT}"));
    let sm = page("/plans/sogo-senryaku/strategy-measures/strategy-measure-1-1");
    assert_shows_escaped("strategy measure", &sm, &format!("戦略施策{IMG}"));
    assert_shows_escaped("strategy measure", &sm, &format!("戦略説明{SCRIPT}{SQL}"));
    assert_shows_escaped("strategy measure", &sm, &format!("KPI{SCRIPT}"));
    assert_shows_escaped("strategy measure", &sm, &format!("出典{SQL}"));
    let objective = page("/plans/sogo-senryaku/objectives/objective-1");
    assert_shows_escaped("objective", &objective, &format!("数値目標{SCRIPT}"));
    assert_shows_escaped("objective", &objective, &format!("基本目標{SCRIPT}"));
    assert_shows_escaped("objective", &objective, &format!("戦略{IMG}"));

    // Search results and the echoed query are escaped too (<mark> is the only markup added).
    let (status, _, search) = app.get("/search?q=alert").await;
    assert_eq!(status, StatusCode::OK);
    assert!(search.contains("<mark>alert</mark>"), "{search}");
    assert!(
        !search.contains("<script"),
        "raw <script> in search results"
    );
    assert!(!search.contains("<img"), "raw <img> in search results");
    let (_, _, search) = app.get("/search?q=%3Cscript%3E").await;
    assert!(!search.contains("<script"), "{search}");
    assert!(
        unescape(&search).contains("<mark><script></mark>"),
        "{search}"
    );
    assert!(
        unescape(&search).contains("value=\"<script>\""),
        "the query is in the form"
    );

    // The 404 page with a hostile URL.
    let (status, _, missing) = app.get("/%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!missing.contains("<script"));

    // The API returns the text as it was imported.
    let plan = app.get_json("/api/v1/plans/sogo-keikaku").await;
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(plan, file["plans"][0]);
    assert_eq!(plan["title"], format!("総合計画{SCRIPT}"));
    assert_eq!(plan["scope"], format!("範囲{SQL}"));
    let strategy = app.get_json("/api/v1/plans/sogo-senryaku").await;
    assert_eq!(strategy, file["plans"][1]);
    let list = app.get_json("/api/v1/plans").await;
    assert_eq!(list["plans"][1]["title"], format!("戦略{IMG}"));
    let hits = app.get_json("/api/v1/search?q=DROP").await;
    let hits = hits["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(
        hits.iter().any(|h| h["snippet"]
            .as_str()
            .unwrap()
            .contains("'; DROP TABLE plan")),
        "{hits:?}"
    );
    // The store survived the text.
    let (_, _, again) = app.get("/plans/sogo-keikaku/fields/field-1-1").await;
    assert!(again.contains("現状"));
}
