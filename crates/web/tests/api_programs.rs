//! The 実施計画's public API through the router: the published editions read without a token
//! (the list, an edition in the plan file's shape with amounts in yen, a program with its
//! history, the aggregates; editions being made are 404; bad requests 400; ETags and 304), the
//! staff API asking for a token and the right role, and an edition opened empty with its
//! settings checked. The yearly flow of the staff API is in `api_program_edits.rs`.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{StatusCode, header};
use common::programs::{NOSEI, PUBLIC, STAFF, call, department_step, fields, program, token};
use common::{TestApp, form_encode};
use keikaku_domain::account::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn the_published_edition_is_read_without_a_token() {
    let app = TestApp::new().await;
    let list = app.get_json(PUBLIC).await;
    let editions = list["editions"].as_array().unwrap();
    assert_eq!(editions.len(), 1, "{list}");
    assert_eq!(
        editions[0],
        json!({"edition": 2025, "covers": [2026, 2027, 2028], "plan": "sogo-keikaku",
               "state": "published", "rounding": "half_up", "programs": 21,
               "href": "/api/v1/implementation-plans/2025"})
    );

    // The edition in the plan file's shape, amounts in yen as integers.
    let edition = app.get_json(&format!("{PUBLIC}/2025")).await;
    let (_, _, text) = app.get(&format!("{PUBLIC}/2025")).await;
    assert!(
        text.starts_with(r#"{"edition":2025,"covers":[2026,2027,2028],"plan":"sogo-keikaku","state":"published","rounding":"half_up","programs":[{"#),
        "{text:.200}"
    );
    assert_eq!(edition.as_object().unwrap().len(), 6);
    assert_eq!(edition["programs"].as_array().unwrap().len(), 21);
    let first = program(&edition, "01-01-001");
    assert_eq!(first["department"], NOSEI);
    assert_eq!(first["measures"], json!(["measure-1-1-1"]));
    assert_eq!(first["years"][0]["fiscal_year"], 2026);
    assert_eq!(first["years"][0]["cost"], 24_000_000);
    for p in edition["programs"].as_array().unwrap() {
        for y in p["years"].as_array().unwrap() {
            let parts: i64 = ["national", "prefectural", "bonds", "other", "general"]
                .iter()
                .map(|k| y[*k].as_i64().unwrap())
                .sum();
            assert_eq!(y["cost"].as_i64().unwrap(), parts, "{}: {y}", p["code"]);
        }
    }
    // A yen that 千円 would hide is kept.
    assert_eq!(
        program(&edition, "02-02-001")["years"][0]["cost"],
        12_500_499
    );
    // The year in Japanese is read too.
    let reiwa = app
        .get_json(&format!("{PUBLIC}/{}", form_encode("令和7年度")))
        .await;
    assert_eq!(reiwa, edition);

    // A program with its history: every published edition holding it.
    let one = app
        .get_json(&format!("{PUBLIC}/2025/programs/01-01-001"))
        .await;
    assert_eq!(one["edition"], 2025);
    assert_eq!(one["program"], *first);
    let history = one["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["edition"], 2025);
    assert_eq!(history[0]["category"], "continued");
    assert_eq!(history[0]["years"], first["years"]);

    // The aggregates: per year and funding source, by every grouping, in yen.
    let agg = app.get_json(&format!("{PUBLIC}/2025/aggregates")).await;
    assert_eq!(
        (&agg["rounding"], &agg["rounding_label"]),
        (&json!("half_up"), &json!("四捨五入"))
    );
    assert!(
        agg.get("budget").is_none(),
        "the budget guide is staff-only"
    );
    assert_eq!(agg["total"]["programs"], 21);
    let total_2026: i64 = edition["programs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            p["years"]
                .as_array()
                .unwrap()
                .iter()
                .find(|y| y["fiscal_year"] == 2026)
        })
        .map(|y| y["cost"].as_i64().unwrap())
        .sum();
    assert_eq!(agg["total"]["years"][0]["fiscal_year"], 2026);
    assert_eq!(agg["total"]["years"][0]["cost"], total_2026);
    let by = |key: &str| agg[key].as_array().unwrap().clone();
    let goals: i64 = by("by_goal")
        .iter()
        .map(|g| g["years"][0]["cost"].as_i64().unwrap())
        .sum();
    assert_eq!(goals, total_2026, "the goals add up to the total");
    let departments = by("by_department");
    assert_eq!(departments.len(), 7);
    assert_eq!(departments[0]["title"], NOSEI);
    assert_eq!(departments[0]["programs"], 3);
    let counted: i64 = departments
        .iter()
        .map(|d| d["programs"].as_i64().unwrap())
        .sum();
    assert_eq!(counted, 21);
    assert_eq!(by("by_project")[0]["id"], "priority-project-1");
    assert_eq!(by("by_objective")[0]["id"], "objective-1");
    let categories: Vec<String> = by("by_category")
        .iter()
        .map(|c| format!("{}:{}", c["id"], c["title"]))
        .collect();
    assert!(
        categories.contains(&"\"new\":\"新規\"".to_owned()),
        "{categories:?}"
    );

    // Only published editions, and well-formed requests.
    for (path, status, code) in [
        (format!("{PUBLIC}/2024"), StatusCode::NOT_FOUND, "not_found"),
        (
            format!("{PUBLIC}/2025/programs/99-99-999"),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            format!("{PUBLIC}/2024/aggregates"),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            format!("{PUBLIC}/2025/diff?from=2024"),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            format!("{PUBLIC}/abc"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            format!("{PUBLIC}/2025/programs/{}", form_encode("事業")),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            format!("{PUBLIC}/2025/diff"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            format!("{PUBLIC}/2025/diff?from=2025"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            format!("{PUBLIC}/2025/diff?from=x"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            format!("{PUBLIC}/2025?page=2"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ] {
        let (got, body) = call(&app, "GET", &path, None, None).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
    }

    // Cached like the other public reads: a strong ETag, 304 when it matches.
    for path in [
        PUBLIC.to_owned(),
        format!("{PUBLIC}/2025"),
        format!("{PUBLIC}/2025/programs/01-01-001"),
        format!("{PUBLIC}/2025/aggregates"),
    ] {
        let (status, headers, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            common::header(&headers, &header::CACHE_CONTROL),
            "public, max-age=0, must-revalidate"
        );
        let etag = common::header(&headers, &header::ETAG).to_owned();
        assert!(etag.starts_with('"'), "{path}: {etag:?}");
        let (status, _, empty) = app.get_with(&path, &[(header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(empty.is_empty());
        let (_, _, again) = app.get(&path).await;
        assert_eq!(again, body, "{path}: the cached body");
    }
}

#[tokio::test]
async fn staff_need_a_token_and_the_right_role() {
    let app = TestApp::new().await;
    for path in [STAFF.to_owned(), format!("{STAFF}/2025")] {
        let (status, body) = call(&app, "GET", &path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized");
        let (status, _) = call(&app, "GET", &path, Some("kk_not-a-token"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let member = token(&app, "iin", Role::Member, "").await;
    let (status, list) = call(&app, "GET", STAFF, Some(&member), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["editions"][0]["edition"], 2025);
    assert_eq!(list["editions"][0]["state"], "published");
    assert!(list["editions"][0]["revision"].as_i64().unwrap() >= 1);
    let nosei = token(&app, "nosei", Role::DepartmentEditor, NOSEI).await;
    for (method, path, who) in [
        ("POST", format!("{STAFF}/2025/roll"), &member),
        ("POST", format!("{STAFF}/2025/roll"), &nosei),
        ("POST", STAFF.to_owned(), &nosei),
        ("PUT", format!("{STAFF}/2025/frames"), &nosei),
        ("PUT", format!("{STAFF}/2025/programs/01-01-001"), &member),
        ("POST", department_step(2025, NOSEI, "approve"), &nosei),
    ] {
        let (status, body) = call(&app, method, &path, Some(who), Some(&json!({}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
}

#[tokio::test]
async fn an_edition_is_opened_empty_with_its_settings_checked() {
    let app = TestApp::new().await;
    let office = token(&app, "kikaku", Role::PlanningOffice, "企画調整課").await;
    let new = json!({"edition": 2030, "plan": "sogo-keikaku", "rounding": "down"});
    let request = axum::http::Request::post(STAFF)
        .header("authorization", format!("Bearer {office}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(new.to_string()))
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        common::header(&headers, &header::LOCATION),
        "/api/v1/staff/implementation-plans/2030"
    );
    let created: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["edition"], 2030);
    assert_eq!(created["covers"], json!([2031, 2032, 2033]));
    assert_eq!(created["state"], "draft");
    assert_eq!(created["rounding"], "down");
    assert_eq!(created["programs"], json!([]));
    assert_eq!(created["budget"]["city"].as_array().unwrap().len(), 3);
    let (status, again) = call(&app, "POST", STAFF, Some(&office), Some(&new)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["current"]["edition"], 2030);
    let (status, refused) = call(
        &app,
        "POST",
        STAFF,
        Some(&office),
        Some(&json!({"edition": 2031, "plan": "sogo-senryaku"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.plan"]);
    let (status, refused) = call(
        &app,
        "POST",
        STAFF,
        Some(&office),
        Some(&json!({"edition": 99999, "plan": "sogo-keikaku", "rounding": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.edition", "$.rounding"]);
    let (status, refused) = call(
        &app,
        "POST",
        STAFF,
        Some(&office),
        Some(&json!({"edition": "2031", "plan": "sogo-keikaku"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    // The fix of an empty edition is refused with the edition now.
    let (status, refused) = call(
        &app,
        "POST",
        &format!("{STAFF}/2030/fix"),
        Some(&office),
        Some(&json!({"revision": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("事業が1件もない"),
        "{refused}"
    );
    assert_eq!(refused["error"]["current"]["state"], "draft");
    // Not published: not public.
    let (status, _) = call(&app, "GET", &format!("{PUBLIC}/2030"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
