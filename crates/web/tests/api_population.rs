//! The 人口ビジョン's API through the router, its reads and records: the public vision (its
//! scenarios' summaries and the comparison year by year, an `ETag` and `304`, a `404` once it
//! is not public), the staff read with revisions and each scenario's state, the vision's
//! figures and the censuses by token — made (201), changed (200), stale (409 with `current`)
//! and refused (422 with every problem by JSON path of the request) —; a department editor
//! reads but does not write, anonymous callers get 401. Scenarios and runs:
//! `api_population_runs.rs`.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

mod common;

use axum::http::{StatusCode, header};
use common::population::{
    PUBLIC, STAFF, close, ids, office, public_etag, scenario, sorted, staff, states,
};
use common::programs::{call, fields, token};
use common::{TestApp, example_json, to_text};
use keikaku_domain::account::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn the_public_vision_is_read_without_a_token_with_summaries_and_the_comparison() {
    let app = TestApp::new().await;
    let (status, headers, body) = app.get(PUBLIC).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        common::header(&headers, &header::CACHE_CONTROL),
        "public, max-age=0, must-revalidate"
    );
    let etag = common::header(&headers, &header::ETAG).to_owned();
    assert!(etag.starts_with('"'), "{etag}");
    let doc: Value = serde_json::from_str(&body).unwrap();

    // The public part of the vision, without revisions.
    let vision = &doc["vision"];
    assert_eq!(vision["published"], true);
    assert!(vision.get("revision").is_none(), "{vision}");
    assert_eq!(vision["target"][1], json!({"year": 2030, "total": 101_000}));
    assert_eq!(ids(&doc), ["kihon", "ikou-kinkou", "shussei-koujou"]);
    assert_eq!(doc["censuses"].as_array().unwrap().len(), 1);
    assert_eq!(doc["censuses"][0]["year"], 2020);
    assert!(doc["censuses"][0].get("revision").is_none());
    for s in doc["scenarios"].as_array().unwrap() {
        assert!(s.get("revision").is_none(), "{s}");
        assert!(s.get("state").is_none(), "{s}");
        assert_eq!(s["result"]["current"], true, "{s}");
    }
    assert_eq!(scenario(&doc, "ikou-kinkou")["derived"]["from"], "kihon");
    let rule = scenario(&doc, "ikou-kinkou")["rule"].as_str().unwrap();
    assert!(rule.starts_with("「基本推計」の前提のうち"), "{rule}");
    assert_eq!(scenario(&doc, "kihon")["rule"], Value::Null);

    // Each scenario's summary: one row per year of its result, bands adding up.
    let kihon = scenario(&doc, "kihon");
    let summary = kihon["summary"].as_array().unwrap();
    let years: Vec<i64> = summary
        .iter()
        .map(|r| r["year"].as_i64().unwrap())
        .collect();
    assert_eq!(
        years,
        [2020, 2025, 2030, 2035, 2040, 2045, 2050, 2055, 2060]
    );
    for (row, result) in summary
        .iter()
        .zip(kihon["result"]["years"].as_array().unwrap())
    {
        let total = row["total"].as_f64().unwrap();
        assert!(close(&result["total"], total), "{row}");
        assert!(close(&row["male"], total - row["female"].as_f64().unwrap()));
        let bands = ["aged_0_14", "aged_15_64", "aged_65_over"]
            .map(|b| row[b].as_f64().unwrap())
            .iter()
            .sum::<f64>();
        assert!((bands - total).abs() < 1e-6, "{row}");
        let shares = ["share_0_14", "share_15_64", "share_65_over"]
            .map(|b| row[b].as_f64().unwrap())
            .iter()
            .sum::<f64>();
        assert!((shares - 100.0).abs() < 1e-9, "{row}");
        assert!(close(
            &row["share_65_over"],
            row["aged_65_over"].as_f64().unwrap() / total * 100.0
        ));
    }
    // The base year is the census, 年齢不詳 spread: its total is the census's.
    assert!(close(&summary[0]["total"], 111_932.0), "{}", summary[0]);

    // The comparison: target (read between its points), actuals, the scenarios, the reference.
    let c = &doc["comparison"];
    assert_eq!(
        c["years"],
        json!([
            2010, 2015, 2020, 2025, 2030, 2035, 2040, 2045, 2050, 2055, 2060
        ])
    );
    let kinds: Vec<(&str, &str)> = c["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|col| (col["name"].as_str().unwrap(), col["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("目標人口", "target"),
            ("実績", "actual"),
            ("基本推計", "scenario"),
            ("移動均衡", "scenario"),
            ("出生率向上", "scenario"),
            (
                "国立社会保障・人口問題研究所 推計（平成25年3月）",
                "reference"
            ),
        ]
    );
    let target = &c["columns"][0];
    assert_eq!(target["values"][0], Value::Null);
    assert_eq!(target["values"][3], json!(106_466.0));
    assert_eq!(target["interpolated"][3], true);
    assert_eq!(target["values"][4], json!(101_000.0));
    assert_eq!(target["interpolated"][4], false);
    assert_eq!(target["values"][8], json!(82_500.0));
    assert_eq!(c["columns"][1]["values"][0], json!(127_642.0));
    assert_eq!(c["columns"][1]["values"][3], Value::Null);
    assert!(close(&c["columns"][2]["values"][10], {
        summary[8]["total"].as_f64().unwrap()
    }));
    let reference = &c["columns"][5]["values"];
    assert_eq!(reference[6], json!(82_277.0));
    assert_eq!(reference[5], Value::Null);

    // Revalidation, and the query refused like every endpoint's.
    let (status, _, body) = app
        .get_with(PUBLIC, &[(header::IF_NONE_MATCH, &etag)])
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    let (status, error) = call(&app, "GET", &format!("{PUBLIC}?year=2040"), None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"]["code"], "bad_request");
}

#[tokio::test]
async fn staff_read_everything_with_revisions_and_states_and_only_the_office_writes() {
    let app = TestApp::new().await;
    let editor = token(&app, "nosei", Role::DepartmentEditor, "農政課").await;
    let member = token(&app, "iin", Role::Member, "").await;

    // A department editor reads, without caching.
    let bearer = format!("Bearer {editor}");
    let (status, headers, _) = app
        .get_with(STAFF, &[(header::AUTHORIZATION, &bearer)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(common::header(&headers, &header::CACHE_CONTROL), "no-store");
    assert!(headers.get(header::ETAG).is_none());
    let doc = staff(&app, &editor).await;
    assert!(doc["vision"]["revision"].as_i64().unwrap() >= 1, "{doc}");
    assert_eq!(doc["vision"]["updated_by"], "cli");
    assert_eq!(doc["censuses"][0]["year"], 2020);
    assert!(doc["censuses"][0]["revision"].as_i64().unwrap() >= 1);
    assert_eq!(doc["censuses"][0]["M"].as_array().unwrap().len(), 19);
    assert_eq!(
        states(&doc),
        [
            ("kihon", "computed"),
            ("ikou-kinkou", "computed"),
            ("shussei-koujou", "computed")
        ]
    );
    for s in doc["scenarios"].as_array().unwrap() {
        assert_eq!(s["state_label"], "計算済み");
        assert_eq!(s["problems"], json!([]));
        assert!(s["revision"].as_i64().unwrap() >= 1);
        assert_eq!(s["summary"].as_array().unwrap().len(), 9);
    }
    assert_eq!(scenario(&doc, "kihon")["rule"], Value::Null);
    let rule = scenario(&doc, "ikou-kinkou")["rule"].as_str().unwrap();
    assert!(rule.contains("純移動率をすべて0"), "{rule}");
    assert_eq!(doc["needs_run"], false);
    assert_eq!(staff(&app, &member).await["needs_run"], false);

    // Anonymous: 401 asking for a token; a department editor or a member may not write.
    let (status, error) = call(&app, "GET", STAFF, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{error}");
    assert_eq!(error["error"]["code"], "unauthorized");
    let vision = doc["vision"].clone();
    let url = format!("{STAFF}/vision");
    for who in [&editor, &member] {
        let (status, error) = call(&app, "PUT", &url, Some(who), Some(&vision)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
        assert_eq!(error["error"]["code"], "forbidden");
    }
    let (status, _) = call(&app, "PUT", &url, None, Some(&vision)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let run = format!("{STAFF}/run");
    let (status, _) = call(&app, "POST", &run, Some(&editor), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&app, "POST", &run, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nothing was written.
    assert_eq!(staff(&app, &editor).await["vision"], doc["vision"]);
}

#[tokio::test]
async fn the_visions_figures_are_changed_refused_by_path_and_unpublished() {
    let app = TestApp::new().await;
    let office = office(&app).await;
    let url = format!("{STAFF}/vision");
    let before = public_etag(&app).await;
    let read = staff(&app, &office).await["vision"].clone();
    let revision = read["revision"].as_i64().unwrap();

    // Sent back as read, changed: 200 with the next revision; the public read follows.
    let mut change = read.clone();
    change["target_note"] = json!("2060年に7万6千人を目指す");
    let (status, saved) = call(&app, "PUT", &url, Some(&office), Some(&change)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["revision"], revision + 1);
    assert_eq!(saved["target_note"], "2060年に7万6千人を目指す");
    assert_eq!(saved["updated_by"], "kikaku");
    assert_ne!(public_etag(&app).await, before);
    assert_eq!(
        app.get_json(PUBLIC).await["vision"]["target_note"],
        "2060年に7万6千人を目指す"
    );

    // The same revision again is stale; so is a first save when one is stored.
    let (status, stale) = call(&app, "PUT", &url, Some(&office), Some(&change)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["code"], "conflict");
    assert_eq!(stale["error"]["current"]["revision"], revision + 1);
    assert_eq!(
        stale["error"]["current"]["target_note"],
        "2060年に7万6千人を目指す"
    );
    change["revision"] = Value::Null;
    let (status, stale) = call(&app, "PUT", &url, Some(&office), Some(&change)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");

    // The shape's problems at once, by path.
    let mut bad = saved.clone();
    bad["revision"] = json!("2");
    bad["colour"] = json!("red");
    bad["actuals"][0]["source"] = json!("guess");
    let (status, refused) = call(&app, "PUT", &url, Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid");
    assert_eq!(
        sorted(fields(&refused)),
        ["$.actuals[0].source", "$.colour", "$.revision"]
    );
    // The rules' problems, where the request put them: the second 2030 was sent third.
    let mut bad = saved.clone();
    bad["target"] = json!([
        {"year": 2060, "total": 75_000},
        {"year": 2030, "total": 101_000},
        {"year": 2030, "total": 100_000}
    ]);
    bad["links"] = json!([
        {"plan": "sogo-senryaku", "element": "target-2-1"},
        {"plan": "sogo-keikaku", "element": "measure-1-1-1"}
    ]);
    let (status, refused) = call(&app, "PUT", &url, Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(sorted(fields(&refused)), ["$.links[1]", "$.target[2].year"]);
    // The target in any order is stored in year order.
    let mut unordered = saved.clone();
    unordered["target"] = json!([
        {"year": 2060, "total": 75_000},
        {"year": 2030, "total": 101_000}
    ]);
    let (status, stored) = call(&app, "PUT", &url, Some(&office), Some(&unordered)).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["target"][0]["year"], 2030);

    // Not public: the public read is a 404 in the envelope; staff still read it.
    let mut hidden = stored.clone();
    hidden["published"] = json!(false);
    let (status, hidden) = call(&app, "PUT", &url, Some(&office), Some(&hidden)).await;
    assert_eq!(status, StatusCode::OK, "{hidden}");
    let (status, error) = call(&app, "GET", PUBLIC, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error}");
    assert_eq!(error["error"]["code"], "not_found");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("公開されていません"),
        "{error}"
    );
    assert_eq!(staff(&app, &office).await["vision"]["published"], false);
    let mut shown = hidden.clone();
    shown["published"] = json!(true);
    let (status, _) = call(&app, "PUT", &url, Some(&office), Some(&shown)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get_json(PUBLIC).await["vision"]["published"], true);
}

#[tokio::test]
async fn a_first_vision_is_made_with_201() {
    let app = TestApp::with_plan_file(&to_text(&example_json())).await;
    let office = office(&app).await;
    let doc = staff(&app, &office).await;
    assert_eq!(
        (&doc["vision"], &doc["censuses"], &doc["scenarios"]),
        (&Value::Null, &json!([]), &json!([]))
    );
    let (status, _) = call(&app, "GET", PUBLIC, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let vision = json!({
        "published": true,
        "target_note": "",
        "target": [{"year": 2040, "total": 90_000}],
        "links": [{"plan": "sogo-senryaku", "element": "target-2-1"}]
    });
    let url = format!("{STAFF}/vision");
    let request = axum::http::Request::put(url.as_str())
        .header("authorization", format!("Bearer {office}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(vision.to_string()))
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(common::header(&headers, &header::LOCATION), url);
    let created: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["revision"], 1);
    let public = app.get_json(PUBLIC).await;
    assert_eq!(public["scenarios"], json!([]));
    assert_eq!(public["comparison"]["years"], json!([2040]));
}

#[tokio::test]
async fn censuses_are_made_changed_refused_and_deleted() {
    let app = TestApp::new().await;
    let office = office(&app).await;
    let doc = staff(&app, &office).await;
    let c2020 = doc["censuses"][0].clone();
    let url = |year: &str| format!("{STAFF}/censuses/{year}");

    // A new year: the URL's year when the body leaves it out; 201.
    let mut census = c2020.clone();
    let object = census.as_object_mut().unwrap();
    for key in ["year", "revision", "total"] {
        object.remove(key);
    }
    census["source"] = json!("国勢調査（平成27年）のサンプル");
    let (status, created) = call(&app, "PUT", &url("2015"), Some(&office), Some(&census)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        (&created["year"], &created["revision"]),
        (&json!(2015), &json!(1))
    );
    assert_eq!(created["total"], c2020["total"]);
    // Sent again as new: the year is taken.
    let (status, refused) = call(&app, "PUT", &url("2015"), Some(&office), Some(&census)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.year"]);
    // Changed from the revision read, then stale.
    let mut change = created.clone();
    change["sample"] = json!(false);
    let (status, changed) = call(&app, "PUT", &url("2015"), Some(&office), Some(&change)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["revision"], &changed["sample"]),
        (&json!(2), &json!(false))
    );
    let (status, stale) = call(&app, "PUT", &url("2015"), Some(&office), Some(&change)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["current"]["year"], 2015);
    assert_eq!(stale["error"]["current"]["revision"], 2);

    // Problems by path: another year than the URL's, the shape, the rules.
    let (status, refused) = call(&app, "PUT", &url("2010"), Some(&office), Some(&changed)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.year"]);
    let mut bad = changed.clone();
    bad["M"].as_array_mut().unwrap().pop();
    bad["F"][3] = json!(-1);
    let (status, refused) = call(&app, "PUT", &url("2015"), Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(sorted(fields(&refused)), ["$.F[3]", "$.M"]);
    let mut bad = changed.clone();
    bad["source"] = json!(" ");
    bad["F"] = json!(vec![0; 19]);
    let (status, refused) = call(&app, "PUT", &url("2015"), Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(sorted(fields(&refused)), ["$.source", "$.unknown.F"]);
    let (status, _) = call(&app, "PUT", &url("R2"), Some(&office), Some(&changed)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Deleted from its revision; once only. A census scenarios start from is kept.
    let (status, _) = call(&app, "DELETE", &url("2015"), Some(&office), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, stale) = call(
        &app,
        "DELETE",
        &format!("{}?revision=1", url("2015")),
        Some(&office),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    let gone = format!("{}?revision=2", url("2015"));
    let (status, body) = call(&app, "DELETE", &gone, Some(&office), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = call(&app, "DELETE", &gone, Some(&office), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let used = format!("{}?revision={}", url("2020"), c2020["revision"]);
    let (status, refused) = call(&app, "DELETE", &used, Some(&office), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("基準人口に使われている"),
        "{refused}"
    );
    assert_eq!(refused["error"]["current"]["year"], 2020);
}

#[tokio::test]
async fn the_openapi_document_describes_the_population_api() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let paths = &doc["paths"];
    let public = &paths["/api/v1/population"]["get"];
    assert_eq!(public["tags"][0], "population");
    assert!(public["security"].is_null(), "{public}");
    assert!(public["responses"]["404"].is_object());
    let read = &paths["/api/v1/staff/population"]["get"];
    assert_eq!(read["security"][0]["token"], json!([]));
    for (path, method, statuses) in [
        (
            "/api/v1/staff/population/vision",
            "put",
            &["200", "201", "409", "422"][..],
        ),
        (
            "/api/v1/staff/population/censuses/{year}",
            "put",
            &["200", "201", "409", "422"],
        ),
        (
            "/api/v1/staff/population/censuses/{year}",
            "delete",
            &["204", "404", "409"],
        ),
        (
            "/api/v1/staff/population/scenarios/{id}",
            "put",
            &["200", "201", "409", "422"],
        ),
        (
            "/api/v1/staff/population/scenarios/{id}",
            "delete",
            &["204", "404", "409"],
        ),
        (
            "/api/v1/staff/population/scenarios/{id}/run",
            "post",
            &["200", "404", "409", "422"],
        ),
        (
            "/api/v1/staff/population/scenarios/{id}/derive",
            "post",
            &["201", "404", "422"],
        ),
        ("/api/v1/staff/population/run", "post", &["200", "409"]),
    ] {
        let op = &paths[path][method];
        assert_eq!(op["tags"][0], "population", "{method} {path}");
        assert_eq!(op["security"][0]["token"], json!([]), "{method} {path}");
        for status in statuses {
            assert!(
                op["responses"][status].is_object(),
                "{method} {path} {status}"
            );
        }
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "PublicPopulation",
        "StaffPopulation",
        "StaffScenario",
        "SummaryYear",
        "PopulationComparison",
        "PopulationDoc",
        "ScenarioDoc",
        "CensusDoc",
        "PopulationVisionDoc",
        "DeriveScenario",
    ] {
        assert!(schemas[name].is_object(), "{name}");
    }
    assert_eq!(
        schemas["DeriveScenario"]["additionalProperties"],
        Value::Bool(false)
    );
}
