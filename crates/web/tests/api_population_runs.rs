//! The 人口ビジョン's scenarios and projections through the router, by token: a changed
//! census making every result outdated until everything is run; a scenario made (201), run
//! against its revision, changed (200: a new name keeps its result current, a new assumption
//! does not), stale (409 with `current`), refused with every problem by JSON path of the
//! request — a projection input's value included —, kept while another is derived from it,
//! deleted (204); a scenario derived and projected in one action, and made unprojectable by a
//! change of the one it is derived from, which its state and its run say at its rule's factor.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use common::population::{
    PUBLIC, STAFF, close, ids, office, public_etag, scenario, sorted, staff, states,
};
use common::programs::{call, fields};
use serde_json::{Value, json};

#[tokio::test]
async fn a_changed_census_makes_results_outdated_until_everything_is_run() {
    let app = TestApp::new().await;
    let office = office(&app).await;
    let before = public_etag(&app).await;
    let mut census = staff(&app, &office).await["censuses"][0].clone();
    census["M"][0] = json!(census["M"][0].as_i64().unwrap() + 100);
    let (status, body) = call(
        &app,
        "PUT",
        &format!("{STAFF}/censuses/2020"),
        Some(&office),
        Some(&census),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let doc = staff(&app, &office).await;
    assert_eq!(
        states(&doc),
        [
            ("kihon", "outdated"),
            ("ikou-kinkou", "outdated"),
            ("shussei-koujou", "outdated")
        ]
    );
    assert_eq!(scenario(&doc, "kihon")["state_label"], "再計算が必要");
    assert_eq!(scenario(&doc, "kihon")["result"]["current"], false);
    assert_eq!(doc["needs_run"], true);
    // The public sees the stored results, now marked as not current.
    let public = app.get_json(PUBLIC).await;
    assert_eq!(scenario(&public, "kihon")["result"]["current"], false);
    assert_ne!(public_etag(&app).await, before);

    let run = format!("{STAFF}/run");
    let (status, outcome) = call(&app, "POST", &run, Some(&office), None).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["projected"], 3);
    assert_eq!(outcome["population"]["needs_run"], false);
    assert!(
        states(&outcome["population"])
            .iter()
            .all(|(_, state)| *state == "computed")
    );
    let base = &scenario(&outcome["population"], "kihon")["summary"][0]["total"];
    assert!(close(base, 111_932.0 + 100.0), "{base}");
    let (status, again) = call(&app, "POST", &run, Some(&office), None).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["projected"], 0);
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: a scenario made, run, changed, refused, deleted
async fn a_scenario_is_made_run_changed_refused_by_path_and_deleted() {
    let app = TestApp::new().await;
    let office = office(&app).await;
    let doc = staff(&app, &office).await;
    let url = |id: &str| format!("{STAFF}/scenarios/{id}");

    // kihon as read, as a new scenario of its own.
    let mut new = scenario(&doc, "kihon").clone();
    new.as_object_mut().unwrap().remove("id");
    new["name"] = json!("独自推計");
    new["published"] = json!(false);
    new["revision"] = Value::Null;
    let (status, made) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&new)).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        (&made["id"], &made["state"], &made["revision"]),
        (&json!("dokuji"), &json!("not_computed"), &json!(1))
    );
    assert!(made.get("result").is_none(), "{made}");
    assert_eq!(made["state_label"], "未計算");
    let (status, refused) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&new)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.id"]);

    // Run from the revision read; the same revision again is stale.
    let run = format!("{}/run", url("dokuji"));
    let (status, ran) = call(
        &app,
        "POST",
        &run,
        Some(&office),
        Some(&json!({"revision": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ran}");
    assert_eq!(
        (&ran["state"], &ran["revision"], &ran["result"]["current"]),
        (&json!("computed"), &json!(2), &json!(true))
    );
    assert_eq!(ran["summary"].as_array().unwrap().len(), 9);
    let (status, stale) = call(
        &app,
        "POST",
        &run,
        Some(&office),
        Some(&json!({"revision": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["current"]["revision"], 2);
    let (status, _) = call(
        &app,
        "POST",
        &format!("{}/run", url("nai")),
        Some(&office),
        Some(&json!({"revision": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A new name keeps the result current; a new assumption does not.
    let mut change = ran.clone();
    change["name"] = json!("独自推計（改）");
    let (status, renamed) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&change)).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(
        (&renamed["state"], &renamed["revision"]),
        (&json!("computed"), &json!(3))
    );
    let mut change = renamed.clone();
    change["assumptions"]["cwr"] = json!([0.2]);
    let (status, changed) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&change)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["state"], "outdated");
    let (status, stale) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&change)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["current"]["id"], "dokuji");

    // The projection's problems where the request has them: lists as read are arrays…
    let mut bad = changed.clone();
    bad["assumptions"]["cwr"] = json!([-0.1]);
    bad["assumptions"]["sex_ratio"] = json!(0);
    let (status, refused) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        sorted(fields(&refused)),
        ["$.assumptions.cwr[0]", "$.assumptions.sex_ratio"]
    );
    let mut bad = changed.clone();
    bad["assumptions"]["survival"][0]["M"][4] = json!(-1.0);
    let (status, refused) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        fields(&refused).contains(&"$.assumptions.survival[0].M[4]"),
        "{refused}"
    );
    // …and one for every step may be sent without the array.
    let mut bad = changed.clone();
    bad["assumptions"]["cwr"] = json!(-0.1);
    let (status, refused) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.assumptions.cwr"]);
    // The years: no census in the base year; a horizon off the five-year steps.
    let mut bad = changed.clone();
    bad["base_year"] = json!(2015);
    bad["horizon"] = json!(2055);
    let (status, refused) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.base_year"]);
    let mut bad = changed.clone();
    bad["horizon"] = json!(2063);
    let (status, refused) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.horizon"]);
    // The URL's id, the shape.
    let (status, refused) = call(&app, "PUT", &url("betsu"), Some(&office), Some(&changed)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.id"]);
    let mut bad = changed.clone();
    bad["colour"] = json!(1);
    bad["revision"] = json!(-1);
    let (status, refused) = call(&app, "PUT", &url("dokuji"), Some(&office), Some(&bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(sorted(fields(&refused)), ["$.colour", "$.revision"]);
    let (status, _) = call(&app, "PUT", &url("Dokuji!"), Some(&office), Some(&changed)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, refused) = call(
        &app,
        "PUT",
        &url("dokuji"),
        Some(&office),
        Some(&json!([1])),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$"]);
    // Nothing refused was written.
    assert_eq!(
        scenario(&staff(&app, &office).await, "dokuji")["revision"],
        changed["revision"]
    );

    // Deleted from its revision; a scenario others are derived from is kept.
    let revision = changed["revision"].as_i64().unwrap();
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("{}?revision={}", url("dokuji"), revision - 1),
        Some(&office),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let gone = format!("{}?revision={revision}", url("dokuji"));
    let (status, body) = call(&app, "DELETE", &gone, Some(&office), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = call(&app, "DELETE", &gone, Some(&office), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let kihon = format!(
        "{}?revision={}",
        url("kihon"),
        scenario(&doc, "kihon")["revision"]
    );
    let (status, refused) = call(&app, "DELETE", &kihon, Some(&office), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["current"]["id"], "kihon");
    assert_eq!(
        ids(&staff(&app, &office).await),
        ["kihon", "ikou-kinkou", "shussei-koujou"]
    );
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: derived, refused, made unprojectable, run
async fn a_scenario_is_derived_and_projected_in_one_action() {
    let app = TestApp::new().await;
    let office = office(&app).await;
    let derive = |from: &str| format!("{STAFF}/scenarios/{from}/derive");
    let public = app.get_json(PUBLIC).await;

    let request = json!({"id": "ikou-bai", "rule": "scaled_migration", "factor": 2});
    let (status, made) = call(
        &app,
        "POST",
        &derive("kihon"),
        Some(&office),
        Some(&request),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["state"], "computed");
    assert_eq!(made["name"], "基本推計（純移動率×2）");
    assert_eq!(made["published"], false);
    assert_eq!(
        made["derived"],
        json!({"from": "kihon", "rule": "scaled_migration", "factor": 2.0})
    );
    assert!(made["rule"].as_str().unwrap().contains("2倍"), "{made}");
    // Not public until its definition says so.
    assert_eq!(app.get_json(PUBLIC).await["scenarios"], public["scenarios"]);

    // Refusals by path.
    for (body, want) in [
        (
            json!({"id": "ikou-bai", "rule": "zero_migration"}),
            vec!["$.id"],
        ),
        (json!({"id": "x", "rule": "foo"}), vec!["$.rule"]),
        (
            json!({"id": "x", "rule": "scaled_migration"}),
            vec!["$.factor"],
        ),
        (
            json!({"id": "x", "rule": "scaled_migration", "factor": -1}),
            vec!["$.factor"],
        ),
        (
            json!({"id": "x", "rule": "zero_migration", "factor": 1}),
            vec!["$.factor"],
        ),
        (
            json!({"id": "X!", "rule": "fertility"}),
            vec!["$.base_tfr", "$.id"],
        ),
        (
            json!({"id": "x", "rule": "fertility", "base_tfr": 1.45,
                   "points": [{"year": 2035, "tfr": 1.6}, {"year": 2030, "tfr": 1.8}]}),
            vec!["$.points[1].year"],
        ),
    ] {
        let (status, refused) =
            call(&app, "POST", &derive("kihon"), Some(&office), Some(&body)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {refused}"
        );
        assert_eq!(sorted(fields(&refused)), want, "{body}");
    }
    // From a derived scenario: the URL's, so the request as a whole.
    let body = json!({"id": "x", "rule": "zero_migration"});
    let (status, refused) = call(
        &app,
        "POST",
        &derive("ikou-kinkou"),
        Some(&office),
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$"]);
    let (status, _) = call(&app, "POST", &derive("nai"), Some(&office), Some(&body)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let unknown = json!({"id": "x", "rule": "zero_migration", "colour": 1});
    let (status, refused) = call(
        &app,
        "POST",
        &derive("kihon"),
        Some(&office),
        Some(&unknown),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(
        ids(&staff(&app, &office).await),
        ["kihon", "ikou-kinkou", "shussei-koujou", "ikou-bai"]
    );

    // kihon's net migration of men aged 20–24 set so low that twice it empties the cohort:
    // kihon still projects, ikou-bai cannot, and says so at its rule's factor.
    let doc = staff(&app, &office).await;
    let mut kihon = scenario(&doc, "kihon").clone();
    let survival = kihon["assumptions"]["survival"][0]["M"][4]
        .as_f64()
        .unwrap();
    kihon["assumptions"]["migration"][0]["M"][4] = json!(-0.6 * survival);
    let (status, body) = call(
        &app,
        "PUT",
        &format!("{STAFF}/scenarios/kihon"),
        Some(&office),
        Some(&kihon),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let doc = staff(&app, &office).await;
    let bai = scenario(&doc, "ikou-bai");
    assert_eq!(
        (&bai["state"], &bai["state_label"]),
        (&json!("cannot_compute"), &json!("計算できません"))
    );
    assert_eq!(
        sorted(fields(&json!({"error": {"problems": bai["problems"]}}))),
        ["$.scenarios[3].derived.factor"]
    );
    let run = format!("{STAFF}/scenarios/ikou-bai/run");
    let revision = json!({"revision": bai["revision"]});
    let (status, refused) = call(&app, "POST", &run, Some(&office), Some(&revision)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.derived.factor"]);
    // Running everything projects kihon and shussei-koujou, whose inputs changed (移動均衡
    // reads no migration rate: its result is still current), and leaves ikou-bai as it is.
    assert_eq!(scenario(&doc, "ikou-kinkou")["state"], "computed");
    let (status, outcome) = call(&app, "POST", &format!("{STAFF}/run"), Some(&office), None).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["projected"], 2);
    assert_eq!(
        states(&outcome["population"]),
        [
            ("kihon", "computed"),
            ("ikou-kinkou", "computed"),
            ("shussei-koujou", "computed"),
            ("ikou-bai", "cannot_compute")
        ]
    );
    assert_eq!(outcome["population"]["needs_run"], false);
}
