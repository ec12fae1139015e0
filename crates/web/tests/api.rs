//! The JSON API under `/api/v1` over the Ichinoseki example, through the whole router: plans,
//! search, the OpenAPI document (every path walked), and the error envelope for every kind of
//! bad request.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{StatusCode, header};
use common::{TestApp, content_type, header};
use keikaku_domain::account::Role;
use serde_json::{Value, json};

/// Asserts an error answer in the envelope `{"error":{"code":…,"message":…}}`.
async fn assert_envelope(app: &TestApp, path: &str, status: StatusCode, code: &str) -> String {
    let (got, headers, body) = app.get(path).await;
    assert_eq!(got, status, "GET {path}: {body}");
    assert_eq!(
        content_type(&headers),
        "application/json",
        "GET {path}: {body}"
    );
    let value: Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"));
    let error = value["error"]
        .as_object()
        .unwrap_or_else(|| panic!("GET {path}: no envelope: {body}"));
    assert_eq!(error["code"], code, "GET {path}: {body}");
    let message = error["message"].as_str().unwrap();
    assert!(!message.is_empty(), "GET {path}: empty message");
    assert!(
        !message.is_ascii(),
        "GET {path}: the message is not Japanese: {message}"
    );
    assert_eq!(
        header(&headers, &header::CACHE_CONTROL),
        "no-store",
        "GET {path}"
    );
    message.to_owned()
}

#[tokio::test]
async fn plans_lists_both_published_plans() {
    let app = TestApp::new().await;
    let list = app.get_json("/api/v1/plans").await;
    assert_eq!(list["municipality"]["name"], "一関市");
    assert_eq!(list["municipality"]["code"], "03209");
    let plans = list["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0]["id"], "sogo-keikaku");
    assert_eq!(plans[0]["kind"], "comprehensive_plan");
    assert_eq!(plans[0]["title"], "一関市総合計画");
    assert_eq!(plans[0]["period"]["start"], 2016);
    assert_eq!(plans[0]["period"]["end"], 2025);
    assert_eq!(
        plans[0]["period_label"],
        "平成28年度（2016年度）〜令和7年度（2025年度）"
    );
    assert_eq!(plans[0]["status"], "published");
    assert_eq!(plans[0]["href"], "/api/v1/plans/sogo-keikaku");
    assert_eq!(plans[1]["id"], "sogo-senryaku");
    assert_eq!(plans[1]["kind"], "strategy");
    assert_eq!(
        plans[1]["period_label"],
        "平成27年度（2015年度）〜令和元年度（2019年度）"
    );
    // Every listed href answers.
    for plan in plans {
        app.get_json(plan["href"].as_str().unwrap()).await;
    }
    let municipality = app.get_json("/api/v1/municipality").await;
    assert_eq!(municipality["prefecture"], "岩手県");
}

#[tokio::test]
async fn a_plan_is_its_whole_tree() {
    let app = TestApp::new().await;
    let plan = app.get_json("/api/v1/plans/sogo-keikaku").await;
    assert_eq!(plan["id"], "sogo-keikaku");
    assert_eq!(plan["kind"], "comprehensive_plan");
    assert_eq!(
        plan["vision"]["future_image"],
        "みつけよう育てよう 郷土の宝 いのち輝く一関"
    );
    assert_eq!(plan["vision"]["goals"].as_array().unwrap().len(), 5);
    let first = &plan["basic_plans"][0];
    assert_eq!(first["id"], "basic-plan-first");
    assert_eq!(first["fields"].as_array().unwrap().len(), 35);
    assert_eq!(first["priority_projects"].as_array().unwrap().len(), 5);
    // The tree is the example's, as the plan file format writes it.
    let file = common::example_json();
    assert_eq!(plan, file["plans"][0]);

    let strategy = app.get_json("/api/v1/plans/sogo-senryaku").await;
    assert_eq!(strategy["kind"], "strategy");
    assert_eq!(strategy["basic_objectives"].as_array().unwrap().len(), 4);
    assert_eq!(strategy, file["plans"][1]);
}

#[tokio::test]
async fn errors_come_in_the_envelope() {
    let app = TestApp::new().await;
    let message = assert_envelope(
        &app,
        "/api/v1/plans/nope",
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(message.contains("nope"), "{message}");
    // Ids that cannot be ids.
    for path in [
        "/api/v1/plans/NOPE",
        "/api/v1/plans/sogo%20keikaku",
        "/api/v1/plans/-x",
        "/api/v1/plans/%E8%A8%88%E7%94%BB",
        "/api/v1/plans/%FF",
    ] {
        assert_envelope(&app, path, StatusCode::BAD_REQUEST, "bad_request").await;
    }
    // Unknown query parameters.
    for path in [
        "/api/v1/plans?page=2",
        "/api/v1/plans/sogo-keikaku?fields=title",
        "/api/v1/municipality?x=1",
        "/api/v1/search?q=a&sort=score",
        "/api/v1/openapi.json?format=yaml",
    ] {
        let message = assert_envelope(&app, path, StatusCode::BAD_REQUEST, "bad_request").await;
        assert!(message.contains("パラメータ"), "{path}: {message}");
    }
    // A query value that is not UTF-8 once percent-decoded is named, not searched as 「�」.
    let message = assert_envelope(
        &app,
        "/api/v1/search?q=%FF%FE",
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert!(message.contains("項目「q」"), "{message}");
    // Unknown endpoints under /api answer JSON, not the HTML 404 page.
    for path in [
        "/api/v1/xyz",
        "/api/v1/plans/sogo-keikaku/fields",
        "/api/v1/",
        "/api/v1",
        "/api/v2/plans",
    ] {
        let (status, headers, body) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(!body.contains("<html"), "{path}: HTML from the API: {body}");
        assert_eq!(content_type(&headers), "application/json", "{path}");
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["error"]["code"], "not_found", "{path}");
    }
}

#[tokio::test]
async fn search_finds_hits_and_checks_its_parameters() {
    let app = TestApp::new().await;
    let found = app
        .get_json("/api/v1/search?q=%E5%AD%90%E8%82%B2%E3%81%A6")
        .await;
    assert_eq!(found["query"], "子育て");
    let hits = found["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "no hits for 子育て");
    assert!(hits.len() <= 20, "default limit is 20");
    for hit in hits {
        let href = hit["href"].as_str().unwrap();
        assert!(href.starts_with("/plans/"), "{href}");
        let text = format!("{}{}", hit["title"], hit["snippet"]);
        assert!(
            text.contains("子育て") || hit["trail"].to_string().contains("子育て"),
            "{hit}"
        );
    }
    assert!(
        hits.iter()
            .any(|h| h["element"] == "field-3-1"
                && h["href"] == "/plans/sogo-keikaku/fields/field-3-1"),
        "{hits:?}"
    );
    let one = app
        .get_json("/api/v1/search?q=%E5%AD%90%E8%82%B2%E3%81%A6&limit=1")
        .await;
    assert_eq!(one["hits"].as_array().unwrap().len(), 1);
    let hundred = app
        .get_json("/api/v1/search?q=%E3%81%BE%E3%81%A1&limit=100")
        .await;
    assert!(hundred["hits"].as_array().unwrap().len() <= 100);
    let none = app.get_json("/api/v1/search?q=zzzzqqqq").await;
    assert_eq!(none["hits"].as_array().unwrap().len(), 0);
    // A blank query is valid (the schema allows it) and finds nothing.
    for blank in ["/api/v1/search?q=", "/api/v1/search?q=+++"] {
        assert_eq!(
            app.get_json(blank).await["hits"].as_array().unwrap().len(),
            0,
            "{blank}"
        );
    }

    for path in [
        "/api/v1/search",
        "/api/v1/search?q=a&limit=0",
        "/api/v1/search?q=a&limit=abc",
        "/api/v1/search?q=a&limit=101",
        "/api/v1/search?q=a&limit=-1",
        "/api/v1/search?q=a&limit=",
        "/api/v1/search?limit=5",
    ] {
        assert_envelope(&app, path, StatusCode::BAD_REQUEST, "bad_request").await;
    }
    // A query over the limit is refused, not cut or failed.
    let long = format!("/api/v1/search?q={}", "a".repeat(10_000));
    assert_envelope(&app, &long, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/plans",
        "/api/v1/plans/{id}",
        "/api/v1/search",
        "/api/v1/municipality",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing: {:?}",
            paths.keys()
        );
        assert!(paths[path]["get"].is_object(), "{path} has no GET");
    }
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
    // Every operation has an id of its own (OpenAPI requires them unique; code generators
    // name functions after them).
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "operation ids used twice");
    // Every documented path answers (with the plan id and a fiscal year filled in: the
    // strategy's FY2017 verification report is published in the example, and so is the
    // 実施計画 made in FY2025, rolled into FY2026 and published here so that two editions can
    // be compared); those that need a token (`security`) ask for one.
    publish_next_edition(&app).await;
    for (key, item) in paths {
        if !item["get"].is_object() {
            continue;
        }
        let plan = if key.contains("/kpi/") {
            "sogo-senryaku"
        } else {
            "sogo-keikaku"
        };
        let year = if key.contains("/implementation-plans/") {
            "2026"
        } else {
            "2017"
        };
        let path = key
            .replace("{id}", plan)
            .replace("{plan}", plan)
            .replace("{year}", year)
            .replace("{code}", "01-01-001");
        let path = if path.ends_with("/search") {
            format!("{path}?q=a")
        } else if path.ends_with("/diff") {
            format!("{path}?from=2025")
        } else {
            path
        };
        let want = if item["get"]["security"].is_array() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        };
        let (status, _, body) = app.get(&path).await;
        assert_eq!(status, want, "{path}: {body}");
    }
}

/// Rolls the example's 実施計画 (made in FY2025) into FY2026 and publishes it through the API:
/// every department's part submitted and approved, the edition fixed, then published.
async fn publish_next_edition(app: &TestApp) {
    app.add_staff(
        "kikaku",
        "企画 太郎",
        Role::PlanningOffice,
        "企画調整課",
        "correct horse battery",
    )
    .await;
    let token = app.token_for("kikaku").await;
    let staff = "/api/v1/staff/implementation-plans";
    let call = |method: &'static str, path: String, body: Option<Value>| {
        let token = token.clone();
        async move {
            let (status, answer) = app
                .call_json(method, &path, Some(&token), body.map(|b| b.to_string()))
                .await;
            assert!(status.is_success(), "{method} {path}: {status} {answer}");
            answer
        }
    };
    call("POST", format!("{staff}/2025/roll"), None).await;
    let edition = call("GET", format!("{staff}/2026"), None).await;
    for part in edition["parts"].as_array().unwrap() {
        let department = common::form_encode(part["department"].as_str().unwrap());
        let at = format!("{staff}/2026/departments/{department}");
        let submitted = call(
            "POST",
            format!("{at}/submit"),
            Some(json!({"revision": part["revision"]})),
        )
        .await;
        call(
            "POST",
            format!("{at}/approve"),
            Some(json!({"revision": submitted["revision"]})),
        )
        .await;
    }
    let revision = call("GET", format!("{staff}/2026"), None).await["revision"].clone();
    let fixed = call(
        "POST",
        format!("{staff}/2026/fix"),
        Some(json!({"revision": revision})),
    )
    .await;
    call(
        "POST",
        format!("{staff}/2026/publish"),
        Some(json!({"revision": fixed["revision"]})),
    )
    .await;
}

#[tokio::test]
async fn the_api_and_the_page_of_a_plan_are_not_mixed_up() {
    // Regression: a cache key shared by the page and the API once served the HTML page from
    // the API (and the other way round), whichever was asked for first.
    for api_first in [true, false] {
        let app = TestApp::new().await;
        let mut answers = Vec::new();
        let order = if api_first {
            ["/api/v1/plans/sogo-keikaku", "/plans/sogo-keikaku"]
        } else {
            ["/plans/sogo-keikaku", "/api/v1/plans/sogo-keikaku"]
        };
        for _ in 0..2 {
            for path in order {
                answers.push((path, app.get(path).await));
            }
        }
        for (path, (status, headers, body)) in answers {
            assert_eq!(status, StatusCode::OK, "{path}");
            if path.starts_with("/api/") {
                assert_eq!(content_type(&headers), "application/json", "{path}");
                assert!(body.starts_with('{'), "{path}: {body:.80}");
                serde_json::from_str::<Value>(&body).unwrap();
            } else {
                assert_eq!(content_type(&headers), "text/html; charset=utf-8", "{path}");
                assert!(body.starts_with("<!DOCTYPE html>"), "{path}: {body:.80}");
            }
        }
        let (_, api_headers, api) = app.get("/api/v1/plans/sogo-keikaku").await;
        let (_, page_headers, page) = app.get("/plans/sogo-keikaku").await;
        assert_ne!(api, page);
        assert_ne!(
            header(&api_headers, &header::ETAG),
            header(&page_headers, &header::ETAG)
        );
        // The list and the plan do not share an entry either.
        let list = app.get_json("/api/v1/plans").await;
        assert!(list["plans"].is_array());
    }
}

#[tokio::test]
async fn reads_carry_etag_and_cache_control() {
    let app = TestApp::new().await;
    for path in [
        "/api/v1/plans",
        "/api/v1/plans/sogo-keikaku",
        "/api/v1/municipality",
        "/api/v1/openapi.json",
    ] {
        let (status, headers, body) = app.get(path).await;
        assert_eq!(status, StatusCode::OK);
        let etag = header(&headers, &header::ETAG).to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
            "{path}: ETag {etag:?}"
        );
        assert!(
            !header(&headers, &header::CACHE_CONTROL).is_empty(),
            "{path}: no Cache-Control"
        );
        let (status, headers, empty) = app.get_with(path, &[(header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(empty.is_empty(), "{path}: a body with 304");
        assert_eq!(header(&headers, &header::ETAG), etag);
        // A stale or foreign tag gets the whole body.
        let (status, _, again) = app
            .get_with(path, &[(header::IF_NONE_MATCH, "\"0000\"")])
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again, body);
    }
    // Search is not cached, but says so.
    let (_, headers, _) = app.get("/api/v1/search?q=a").await;
    assert_eq!(header(&headers, &header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn other_methods_are_refused_in_the_envelope() {
    let app = TestApp::new().await;
    for (method, path) in [
        ("POST", "/api/v1/plans"),
        ("PUT", "/api/v1/plans/sogo-keikaku"),
        ("DELETE", "/api/v1/plans/sogo-keikaku"),
        ("POST", "/api/v1/search?q=a"),
        ("PATCH", "/api/v1/plans/sogo-keikaku/elements/goal-1"),
    ] {
        let request = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let (status, headers, body) = app.send(request).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(
            content_type(&headers),
            "application/json",
            "{method} {path}: {body:?}"
        );
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            value["error"]["code"], "method_not_allowed",
            "{method} {path}"
        );
        assert!(
            header(&headers, &header::ALLOW).contains("GET"),
            "{method} {path}"
        );
        if path.contains("/elements/") {
            let allow = header(&headers, &header::ALLOW);
            assert!(allow.contains("PUT") && allow.contains("DELETE"), "{allow}");
        }
    }
    // HEAD is a GET without the body.
    let request = axum::http::Request::head("/api/v1/plans")
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "application/json");
    assert!(body.is_empty());
}
