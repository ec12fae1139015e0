//! The 実施計画's staff API through the router, one yearly flow by token: the published
//! edition rolled (201, then 409), programs written whole (new 201, change 200, stale 409 with
//! `current`, every problem by JSON path of the request), a department editor kept to its own
//! department (403 / 422), deletion, 提出・承認・差戻し (a return needs a comment), 確定
//! refused until every department is approved, the fiscal frames in yen, the settings, 確定の
//! 取消し and 公表 — after which the public reads show the new edition, its programs' history and
//! the diff of the two editions.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use common::programs::{
    NOSEI, PUBLIC, STAFF, call, department_step, fields, new_program, part, program, staff_edition,
    token,
};
use keikaku_domain::account::Role;
use serde_json::{Value, json};

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: an edition rolled, entered, reviewed, published
async fn an_edition_is_rolled_entered_reviewed_fixed_and_published() {
    let app = TestApp::new().await;
    let office = token(&app, "kikaku", Role::PlanningOffice, "企画調整課").await;
    let nosei = token(&app, "nosei", Role::DepartmentEditor, NOSEI).await;
    let program_url = |code: &str| format!("{STAFF}/2026/programs/{code}");

    // Rolling 2025 into 2026: once.
    let roll = format!("{STAFF}/2025/roll");
    let (status, rolled) = call(&app, "POST", &roll, Some(&office), None).await;
    assert_eq!(status, StatusCode::CREATED, "{rolled}");
    assert_eq!(
        (&rolled["from"], &rolled["edition"], &rolled["covers"]),
        (&json!(2025), &json!(2026), &json!([2027, 2028, 2029]))
    );
    let outcomes = rolled["programs"].as_array().unwrap();
    assert_eq!(outcomes.len(), 21);
    let outcome = |code: &str| {
        outcomes
            .iter()
            .find(|o| o["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {rolled}"))
    };
    assert_eq!(outcome("01-01-001")["outcome"], "carried");
    assert_eq!(outcome("07-02-001")["outcome"], "discontinued");
    assert!(
        outcome("07-02-001")["message"]
            .as_str()
            .unwrap()
            .contains("廃止"),
        "{rolled}"
    );
    assert_eq!(outcome("03-01-003")["outcome"], "discontinued");
    let (status, again) = call(&app, "POST", &roll, Some(&office), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["current"]["edition"], 2026);
    let (status, _) = call(
        &app,
        "POST",
        &format!("{STAFF}/2019/roll"),
        Some(&office),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Being made: staff see it, the public does not.
    let (status, _) = call(&app, "GET", &format!("{PUBLIC}/2026"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_json(PUBLIC).await["editions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let edition = staff_edition(&app, &nosei, 2026).await;
    assert_eq!(edition["state"], "draft");
    assert_eq!(program(&edition, "01-01-002")["category"], "continued");
    assert!(program(&edition, "01-01-001")["revision"].as_i64().unwrap() >= 1);
    assert_eq!(part(&edition, NOSEI)["state"], "draft");
    assert_eq!(part(&edition, NOSEI)["programs"], 3);
    assert_eq!(edition["frames"], json!([]));
    assert_eq!(edition["budget"]["city"][0]["frame"], Value::Null);

    // A new program (no revision): 201 with its revision.
    let (status, created) = call(
        &app,
        "PUT",
        &program_url("01-01-009"),
        Some(&nosei),
        Some(&new_program()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["code"], "01-01-009");
    assert_eq!(created["revision"], 1);
    assert_eq!(created["measures"], json!(["measure-1-1-1"]));
    assert_eq!(created["years"][1]["general"], 600_500);
    assert_eq!(created["updated_by"], "nosei");
    // Sent again as new: its code is taken.
    let (status, refused) = call(
        &app,
        "PUT",
        &program_url("01-01-009"),
        Some(&nosei),
        Some(&new_program()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.code"]);
    // A change from the revision read (the program as read, sent back changed): 200.
    let mut change = created.clone();
    change["name"] = json!("スマート農業推進事業");
    let (status, changed) = call(
        &app,
        "PUT",
        &program_url("01-01-009"),
        Some(&nosei),
        Some(&change),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["name"], &changed["revision"]),
        (&json!("スマート農業推進事業"), &json!(2))
    );
    // The same revision again is stale: 409 with the program now.
    let (status, stale) = call(
        &app,
        "PUT",
        &program_url("01-01-009"),
        Some(&nosei),
        Some(&change),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["code"], "conflict");
    assert_eq!(stale["error"]["current"]["code"], "01-01-009");
    assert_eq!(stale["error"]["current"]["revision"], 2);
    assert_eq!(stale["error"]["current"]["name"], "スマート農業推進事業");

    // Every problem by JSON path of the request: the funding identity at the year's cost, an
    // unknown link; the shape's own problems; a code that is not the URL's.
    let mut bad = new_program();
    bad["years"][0]["general"] = json!(400_000);
    bad["links"] = json!([
        {"plan": "sogo-keikaku", "element": "measure-1-1-1"},
        {"plan": "sogo-keikaku", "element": "measure-9-9-9"}
    ]);
    let (status, refused) = call(
        &app,
        "PUT",
        &program_url("01-01-010"),
        Some(&nosei),
        Some(&bad),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.years[0].cost", "$.links"]);
    assert!(
        refused["error"]["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("事業費"),
        "{refused}"
    );
    let years = bad["years"].as_array().unwrap().clone();
    bad["years"] = json!([years[1], years[0]]);
    let (_, refused) = call(
        &app,
        "PUT",
        &program_url("01-01-010"),
        Some(&nosei),
        Some(&bad),
    )
    .await;
    assert_eq!(fields(&refused), ["$.years[1].cost", "$.links"]);
    let mut shape = new_program();
    shape["category"] = json!("廃止予定");
    shape["years"][1]["cost"] = json!("1,000千円");
    shape["colour"] = json!("red");
    shape["code"] = json!("01-01-011");
    shape["revision"] = json!(-1);
    let (status, refused) = call(
        &app,
        "PUT",
        &program_url("01-01-010"),
        Some(&nosei),
        Some(&shape),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let mut got = fields(&refused);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            "$.category",
            "$.code",
            "$.colour",
            "$.revision",
            "$.years[1].cost"
        ]
    );
    let (status, refused) = call(
        &app,
        "PUT",
        &program_url("01-01-010"),
        Some(&nosei),
        Some(&json!([1])),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = app
        .call_json(
            "PUT",
            &program_url("01-01-010"),
            Some(&nosei),
            Some("{not json".to_owned()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A department editor reads only their own department's programs; another department's
    // stored program is forbidden, a program of another department is refused at its
    // department.
    let own = staff_edition(&app, &nosei, 2026).await;
    assert!(
        own["programs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["department"] == NOSEI),
        "{own}"
    );
    let edition = staff_edition(&app, &office, 2026).await;
    let theirs = program(&edition, "02-01-001").clone();
    let (status, refused) = call(
        &app,
        "PUT",
        &program_url("02-01-001"),
        Some(&nosei),
        Some(&theirs),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let mut other = new_program();
    other["department"] = json!("商工労働課");
    let (status, refused) = call(
        &app,
        "PUT",
        &program_url("02-09-001"),
        Some(&nosei),
        Some(&other),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.department"]);
    let (status, _) = call(
        &app,
        "DELETE",
        &format!(
            "{}?revision={}",
            program_url("02-01-001"),
            theirs["revision"]
        ),
        Some(&nosei),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Deletion, from the revision read.
    let url = program_url("01-01-009");
    for (query, want) in [
        ("", StatusCode::BAD_REQUEST),
        ("?revision=x", StatusCode::BAD_REQUEST),
        ("?revision=1", StatusCode::CONFLICT),
        ("?revision=2", StatusCode::NO_CONTENT),
        ("?revision=2", StatusCode::NOT_FOUND),
    ] {
        let (status, body) =
            call(&app, "DELETE", &format!("{url}{query}"), Some(&nosei), None).await;
        assert_eq!(status, want, "DELETE {query}: {body}");
        if want == StatusCode::CONFLICT {
            assert_eq!(body["error"]["current"]["revision"], 2, "{body}");
        }
    }
    // A new program stays for the diff below.
    let (status, _) = call(
        &app,
        "PUT",
        &program_url("01-01-010"),
        Some(&nosei),
        Some(&new_program()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // 提出: the department's programs are locked until returned.
    let (status, submitted) = call(
        &app,
        "POST",
        &department_step(2026, NOSEI, "submit"),
        Some(&nosei),
        Some(&json!({"revision": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["state"], "submitted");
    assert_eq!(submitted["department"], NOSEI);
    let revision = submitted["revision"].as_i64().unwrap();
    let (status, refused) = call(
        &app,
        "POST",
        &department_step(2026, "商工労働課", "submit"),
        Some(&nosei),
        Some(&json!({"revision": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let mut locked = new_program();
    locked["revision"] = json!(1);
    let (status, refused) = call(
        &app,
        "PUT",
        &program_url("01-01-010"),
        Some(&nosei),
        Some(&locked),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("提出済み"),
        "{refused}"
    );
    // 差戻し needs a comment.
    let back = department_step(2026, NOSEI, "return");
    let (status, refused) = call(
        &app,
        "POST",
        &back,
        Some(&office),
        Some(&json!({"revision": revision, "comment": " "})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.comment"]);
    let (status, returned) = call(
        &app,
        "POST",
        &back,
        Some(&office),
        Some(&json!({"revision": revision, "comment": "財源を確認してください"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{returned}");
    assert_eq!(returned["state"], "returned");
    assert_eq!(returned["comment"], "財源を確認してください");
    let (status, stale) = call(
        &app,
        "POST",
        &back,
        Some(&office),
        Some(&json!({"revision": revision, "comment": "もう一度"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["current"]["edition"], 2026);

    // Returned, the department changes an amount of a carried program.
    let edition = staff_edition(&app, &nosei, 2026).await;
    let mut carried = program(&edition, "01-01-001").clone();
    carried["years"][0]["cost"] = json!(25_000_000);
    carried["years"][0]["general"] =
        json!(carried["years"][0]["general"].as_i64().unwrap() + 1_000_000);
    let (status, saved) = call(
        &app,
        "PUT",
        &program_url("01-01-001"),
        Some(&nosei),
        Some(&carried),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    // 確定 is refused until every department is approved.
    let edition = staff_edition(&app, &office, 2026).await;
    let (status, refused) = call(
        &app,
        "POST",
        &format!("{STAFF}/2026/fix"),
        Some(&office),
        Some(&json!({"revision": edition["revision"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("承認されていない課"),
        "{refused}"
    );
    assert_eq!(refused["error"]["current"]["state"], "draft");
    for p in edition["parts"].as_array().unwrap() {
        let department = p["department"].as_str().unwrap();
        let (status, submitted) = call(
            &app,
            "POST",
            &department_step(2026, department, "submit"),
            Some(&office),
            Some(&json!({"revision": p["revision"]})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{department}: {submitted}");
        let (status, approved) = call(
            &app,
            "POST",
            &department_step(2026, department, "approve"),
            Some(&office),
            Some(&json!({"revision": submitted["revision"]})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{department}: {approved}");
        assert_eq!(approved["state"], "approved");
    }

    // The fiscal frames, in yen: every problem by JSON path, then stored.
    let frames = format!("{STAFF}/2026/frames");
    let revision = staff_edition(&app, &office, 2026).await["revision"].clone();
    let (status, refused) = call(
        &app,
        "PUT",
        &frames,
        Some(&office),
        Some(&json!({"revision": revision, "frames": [
            {"fiscal_year": 2030, "general": 1},
            {"fiscal_year": 2027, "department": NOSEI, "general": -5},
            {"fiscal_year": 2027, "general": 1_000_000_000},
            {"fiscal_year": 2027, "general": 2_000_000_000}
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        fields(&refused),
        [
            "$.frames[0].fiscal_year",
            "$.frames[1].general",
            "$.frames[3]"
        ]
    );
    let (status, framed) = call(
        &app,
        "PUT",
        &frames,
        Some(&office),
        Some(&json!({"revision": revision, "frames": [
            {"fiscal_year": 2027, "general": 1_000_000_000},
            {"fiscal_year": 2027, "department": NOSEI, "general": 1_000}
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{framed}");
    assert_eq!(
        framed["frames"],
        json!([
            {"fiscal_year": 2027, "department": "", "general": 1_000_000_000},
            {"fiscal_year": 2027, "department": NOSEI, "general": 1_000}
        ])
    );
    let city = &framed["budget"]["city"][0];
    assert_eq!(city["fiscal_year"], 2027);
    assert_eq!(city["frame"], 1_000_000_000);
    assert_eq!(
        city["overrun"].as_i64().unwrap(),
        city["needed"].as_i64().unwrap() - 1_000_000_000
    );
    let nosei_budget = framed["budget"]["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == NOSEI)
        .unwrap();
    assert_eq!(nosei_budget["years"][0]["over"], true);
    let (status, stale) = call(
        &app,
        "PUT",
        &frames,
        Some(&office),
        Some(&json!({"revision": revision, "frames": []})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["current"]["frames"], framed["frames"]);

    // The settings.
    let settings = format!("{STAFF}/2026/settings");
    let revision = framed["revision"].clone();
    let (status, refused) = call(
        &app,
        "PUT",
        &settings,
        Some(&office),
        Some(&json!({"revision": revision, "plan": "sogo-senryaku", "rounding": "down"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.plan"]);
    let (status, refused) = call(
        &app,
        "PUT",
        &settings,
        Some(&office),
        Some(&json!({"revision": revision, "plan": "sogo-keikaku", "rounding": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.rounding"]);
    let (status, set) = call(
        &app,
        "PUT",
        &settings,
        Some(&office),
        Some(&json!({"revision": revision, "plan": "sogo-keikaku", "rounding": "down"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["rounding"], "down");

    // 確定, 確定の取消し, 確定 again, 公表.
    let mut revision = set["revision"].clone();
    for (step, state) in [
        ("fix", "fixed"),
        ("unfix", "draft"),
        ("fix", "fixed"),
        ("publish", "published"),
    ] {
        let (status, moved) = call(
            &app,
            "POST",
            &format!("{STAFF}/2026/{step}"),
            Some(&office),
            Some(&json!({"revision": revision})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{step}: {moved}");
        assert_eq!(moved["state"], state, "{step}");
        revision = moved["revision"].clone();
    }
    let (status, refused) = call(
        &app,
        "POST",
        &format!("{STAFF}/2026/unfix"),
        Some(&office),
        Some(&json!({"revision": revision})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a published edition never changes: {refused}"
    );

    // The public reads show it at once.
    let list = app.get_json(PUBLIC).await;
    let years: Vec<i64> = list["editions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["edition"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2026, 2025]);
    let published = app.get_json(&format!("{PUBLIC}/2026")).await;
    assert_eq!(published["state"], "published");
    assert_eq!(published["rounding"], "down");
    assert!(published.get("revision").is_none());
    assert_eq!(
        program(&published, "01-01-010")["years"][0]["cost"],
        1_300_000
    );
    let history = app
        .get_json(&format!("{PUBLIC}/2026/programs/01-01-001"))
        .await;
    let editions: Vec<i64> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["edition"].as_i64().unwrap())
        .collect();
    assert_eq!(editions, [2025, 2026]);
    assert_eq!(history["program"]["years"][0]["cost"], 25_000_000);

    let diff = app.get_json(&format!("{PUBLIC}/2026/diff?from=2025")).await;
    assert_eq!((&diff["from"], &diff["to"]), (&json!(2025), &json!(2026)));
    assert_eq!(diff["compared_years"], json!([2027, 2028]));
    assert_eq!(diff["added"], json!(["01-01-010"]));
    assert_eq!(diff["ended"], json!(["03-01-003", "07-02-001"]));
    let changed = |code: &str| {
        diff["changed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {diff}"))
            .clone()
    };
    assert_eq!(
        changed("01-01-002")["category"],
        json!({"old": "expanded", "new": "continued"})
    );
    let amounts = changed("01-01-001")["amounts"].clone();
    assert_eq!(
        amounts,
        json!([
            {"fiscal_year": 2027, "amount": "cost", "old": 24_000_000, "new": 25_000_000},
            {"fiscal_year": 2027, "amount": "general",
             "old": amounts[1]["old"], "new": amounts[1]["old"].as_i64().unwrap() + 1_000_000}
        ])
    );
    assert_eq!(changed("01-01-001")["category"], Value::Null);
    // Asked the other way round, it is the same comparison, the older to the newer.
    let back = app.get_json(&format!("{PUBLIC}/2025/diff?from=2026")).await;
    assert_eq!(back["ended"], json!(["03-01-003", "07-02-001"]));
}
