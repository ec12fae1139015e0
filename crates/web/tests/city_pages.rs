//! What a citizen meets on every plan page besides the plan: where the plan stands (計画期間中,
//! 計画期間終了 with its successor, 改定中 with the published text), when the shown version was
//! published, the 所管課 with its contact from the department list the planning office keeps,
//! and the city's own website and emblem.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, example_json, plan_mut, to_text};
use keikaku_domain::account::Role;
use keikaku_web::identity::{CityIdentity, Emblem};

const PASSWORD: &str = "correct horse battery";

fn set_period(file: &mut serde_json::Value, plan: &str, start: i64, end: i64) {
    let p = plan_mut(file, plan);
    p["period"]["start"] = start.into();
    p["period"]["end"] = end.into();
}

/// The text of the standing notice of a page.
fn standing(page: &str) -> &str {
    let at = page
        .find("class=\"standing")
        .unwrap_or_else(|| panic!("no standing notice: {page}"));
    let end = page[at..].find("</div>").unwrap() + at;
    &page[at..end]
}

#[tokio::test]
async fn every_plan_page_says_where_the_plan_stands() {
    // Periods far from any day the test runs on: one long over, one running for a century,
    // one not begun.
    let mut file = example_json();
    set_period(&mut file, "sogo-senryaku", 2001, 2005);
    set_period(&mut file, "sogo-keikaku", 2001, 2099);
    let app = TestApp::with_plan_file(&to_text(&file)).await;

    let s = app.page("/plans/sogo-senryaku").await;
    let notice = standing(&s);
    assert!(notice.contains("計画期間終了"), "{notice}");
    assert!(notice.contains("終了しました"), "{notice}");
    assert!(!brackets_nest(notice), "{notice}");
    // Pages under the strategy say so too.
    let o = app
        .page("/plans/sogo-senryaku/objectives/objective-1")
        .await;
    assert!(standing(&o).contains("計画期間終了"));

    let c = app.page("/plans/sogo-keikaku").await;
    assert!(standing(&c).contains("計画期間中"), "{}", standing(&c));
    assert!(
        app.page("/plans/sogo-keikaku/vision")
            .await
            .contains("計画期間中")
    );
    // A basic plan's pages speak of the basic plan's own period: the example's 前期 ended in
    // FY2020; its 後期 is empty, so it is not offered as the successor.
    let first = app
        .page("/plans/sogo-keikaku/basic-plans/basic-plan-first")
        .await;
    let notice = standing(&first);
    assert!(notice.contains("「前期基本計画」の計画期間"), "{notice}");
    assert!(notice.contains("計画期間終了"), "{notice}");
    assert!(!notice.contains("後継の計画"), "{notice}");
    let m = app.page("/plans/sogo-keikaku/measures/measure-1-1-1").await;
    assert!(standing(&m).contains("前期基本計画"), "{}", standing(&m));
    // The date the shown version was published.
    assert!(s.contains("最終更新日："), "{}", standing(&s));
    assert!(s.contains("（第1版）"), "{}", standing(&s));
}

#[tokio::test]
async fn an_ended_plan_links_to_its_successor() {
    let mut file = example_json();
    set_period(&mut file, "sogo-senryaku", 2001, 2005);
    let mut second = plan_mut(&mut file, "sogo-senryaku").clone();
    second["id"] = "sogo-senryaku-2".into();
    second["title"] = "第2期一関市まち・ひと・しごと創生総合戦略".into();
    second["period"]["start"] = 2006.into();
    second["period"]["end"] = 2099.into();
    file["plans"].as_array_mut().unwrap().push(second);
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    let page = app.page("/plans/sogo-senryaku").await;
    let notice = standing(&page);
    assert!(notice.contains("計画期間終了"), "{notice}");
    assert!(
        notice.contains("後継の計画：<a href=\"/plans/sogo-senryaku-2\">第2期一関市まち・ひと・しごと創生総合戦略</a>"),
        "{notice}"
    );
    let page = app.page("/plans/sogo-senryaku-2").await;
    assert!(standing(&page).contains("計画期間中"));
}

#[tokio::test]
async fn a_plan_not_begun_says_when_it_begins() {
    let mut file = example_json();
    set_period(&mut file, "sogo-senryaku", 2090, 2094);
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    let notice_page = app.page("/plans/sogo-senryaku").await;
    let notice = standing(&notice_page);
    assert!(notice.contains("計画期間前"), "{notice}");
    assert!(notice.contains("2090年度"), "{notice}");
}

#[tokio::test]
async fn a_plan_under_revision_says_so_and_shows_the_published_text() {
    let app = TestApp::new().await;
    app.add_staff("kikaku", "企画 太郎", Role::PlanningOffice, "", PASSWORD)
        .await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let before = app.page("/plans/sogo-senryaku").await;
    assert!(!standing(&before).contains("改定中"));
    let (_, _, staff) = app
        .get_with_cookies("/staff", &[("keikaku_session", &token)])
        .await;
    let at = staff.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = staff[at..].split('"').next().unwrap().to_owned();
    let (status, _, body) = app
        .post_form(
            "/staff/plans/sogo-senryaku/status",
            &[
                ("csrf", &csrf),
                ("from", "published"),
                ("to", "under_deliberation"),
                ("confirm", "yes"),
            ],
            &[("keikaku_session", &token)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after = app.page("/plans/sogo-senryaku").await;
    let notice = standing(&after);
    assert!(notice.contains("改定中"), "{notice}");
    assert!(notice.contains("公表中の内容（第1版"), "{notice}");
    // The published text is still what the page shows.
    assert!(after.contains("一関市まち・ひと・しごと創生総合戦略"));
}

#[tokio::test]
async fn element_pages_show_their_departments_contact_from_the_list() {
    let app = TestApp::new().await;
    // The example's list: the 所管課 of the example with the city hall's switchboard.
    let m = app.page("/plans/sogo-keikaku/measures/measure-1-1-1").await;
    assert!(m.contains("<dt>所管課</dt>"), "{m}");
    assert!(m.contains("href=\"tel:0191212111\""), "{m}");

    app.add_staff("kikaku", "企画 太郎", Role::PlanningOffice, "", PASSWORD)
        .await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, _, page) = app.get_with_cookies("/staff/departments", &cookies).await;
    assert_eq!(status, StatusCode::OK);
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[at..].split('"').next().unwrap().to_owned();
    let at = page.find("name=\"revision\" value=\"").unwrap() + "name=\"revision\" value=\"".len();
    let revision = page[at..].split('"').next().unwrap().to_owned();
    assert!(page.contains("value=\"農政課\""), "{page}");

    // Every bad cell is named by its row and column; nothing is written.
    let (status, _, page) = app
        .post_form(
            "/staff/departments",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("name-0", "農政課"),
                ("phone-0", "でんわ"),
                ("name-1", ""),
                ("email-1", "nosei@"),
                ("name-2", "農政課"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("1行目の電話番号"), "{page}");
    assert!(page.contains("2行目の課の名前"), "{page}");
    assert!(page.contains("2行目のメールアドレス"), "{page}");
    assert!(page.contains("3行目の課の名前"), "{page}");
    assert!(page.contains("href=\"#dept-0-phone\""), "{page}");
    // What was typed is kept.
    assert!(page.contains("value=\"でんわ\""), "{page}");
    assert!(
        app.page("/plans/sogo-keikaku/measures/measure-1-1-1")
            .await
            .contains("tel:0191212111")
    );

    // A good list, typed in full-width digits: saved, and the public pages follow at once.
    let (status, headers, body) = app
        .post_form(
            "/staff/departments",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("name-0", "農政課"),
                ("phone-0", "０１９１－２１－８２３１"),
                ("email-0", "nosei@city.example.jp"),
                ("website-0", "https://www.city.example.jp/nosei/"),
                ("name-1", "まちづくり推進課"),
                ("phone-1", "0191-21-8111"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        headers.get("location").unwrap(),
        "/staff/departments?done=saved"
    );
    let (_, _, page) = app.get_with_cookies("/staff/departments", &cookies).await;
    assert!(page.contains("value=\"0191-21-8231\""), "{page}");
    // The names in use that the list lacks are pointed out.
    assert!(page.contains("この一覧にないもの"), "{page}");
    assert!(page.contains("こども家庭課"), "{page}");

    // A save from the revision read before is refused as a conflict; the list stays.
    let (status, _, page) = app
        .post_form(
            "/staff/departments",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("name-0", "企画調整課"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(
        page.contains("ほかの人が所管課の一覧を変更しています"),
        "{page}"
    );
    assert!(page.contains("value=\"企画調整課\""), "{page}");

    // Removing a row by its checkbox.
    let (_, _, page) = app.get_with_cookies("/staff/departments", &cookies).await;
    let at = page.find("name=\"revision\" value=\"").unwrap() + "name=\"revision\" value=\"".len();
    let revision = page[at..].split('"').next().unwrap().to_owned();
    let (status, _, _) = app
        .post_form(
            "/staff/departments",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("name-0", "農政課"),
                ("phone-0", "0191-21-8231"),
                ("email-0", "nosei@city.example.jp"),
                ("website-0", "https://www.city.example.jp/nosei/"),
                ("name-1", "まちづくり推進課"),
                ("remove-1", "yes"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = app.get_with_cookies("/staff/departments", &cookies).await;
    assert!(!page.contains("value=\"まちづくり推進課\""), "{page}");

    // The measure of 農政課 shows its own contact now.
    let nosei = common::example_json();
    let id = find_measure_of(&nosei, "農政課");
    let m = app
        .page(&format!("/plans/sogo-keikaku/measures/{id}"))
        .await;
    assert!(m.contains("href=\"tel:0191218231\""), "{m}");
    assert!(m.contains("mailto:nosei@city.example.jp"), "{m}");
    assert!(m.contains("農政課のページ"), "{m}");
}

/// The id of a measure of the comprehensive plan whose 所管課 is `department`.
fn find_measure_of(file: &serde_json::Value, department: &str) -> String {
    fn walk(v: &serde_json::Value, department: &str) -> Option<String> {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("department").and_then(|d| d.as_str()) == Some(department)
                    && map.contains_key("course_of_action")
                {
                    return map.get("id").and_then(|i| i.as_str()).map(str::to_owned);
                }
                map.values().find_map(|v| walk(v, department))
            }
            serde_json::Value::Array(items) => items.iter().find_map(|v| walk(v, department)),
            _ => None,
        }
    }
    walk(file, department).unwrap()
}

#[tokio::test]
async fn department_editors_and_members_cannot_keep_the_list() {
    let app = TestApp::new().await;
    app.add_staff(
        "nosei",
        "農政 花子",
        Role::DepartmentEditor,
        "農政課",
        PASSWORD,
    )
    .await;
    let token = app.sign_in("nosei", PASSWORD).await;
    let (status, _, _) = app
        .get_with_cookies("/staff/departments", &[("keikaku_session", &token)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Their 所管課 is read-only on their forms: no choices offered there.
    let (_, _, page) = app
        .get_with_cookies(
            "/staff/plans/sogo-keikaku/elements/measure-1-1-1",
            &[("keikaku_session", &token)],
        )
        .await;
    assert!(!page.contains("<datalist"), "{page}");
    // The planning office's form offers the list's names.
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let planner = app.sign_in("kikaku", PASSWORD).await;
    let (_, _, page) = app
        .get_with_cookies(
            "/staff/plans/sogo-keikaku/elements/measure-1-1-1",
            &[("keikaku_session", &planner)],
        )
        .await;
    assert!(
        page.contains("<datalist id=\"department-names\">"),
        "{page}"
    );
    assert!(page.contains("<option value=\"政策企画課\">"), "{page}");
}

#[tokio::test]
async fn the_citys_website_and_emblem_are_on_every_page() {
    let plain = TestApp::new().await;
    let (status, _, _) = plain.get("/emblem").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!plain.page("/").await.contains("ホームページへ"));

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\"/></svg>".to_vec();
    let app = TestApp::new().await.with_identity(CityIdentity {
        website: Some("https://www.city.ichinoseki.iwate.jp/".to_owned()),
        emblem: Some(Emblem::from_file("emblem.svg", svg.clone()).unwrap()),
    });
    for path in [
        "/",
        "/plans/sogo-keikaku",
        "/search?q=%E5%AD%90%E8%82%B2%E3%81%A6",
        "/no-such-page",
    ] {
        let (_, _, page) = app.get(path).await;
        assert!(
            page.contains("<a class=\"city-link\" href=\"https://www.city.ichinoseki.iwate.jp/\">一関市ホームページへ</a>"),
            "{path}: {page}"
        );
        assert!(page.contains("src=\"/emblem\""), "{path}");
    }
    let (status, headers, body) = app.get("/emblem").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "image/svg+xml");
    assert_eq!(body.as_bytes(), svg.as_slice());
}

/// Whether a full-width bracket opens inside another (「1.45（平成26年度（2014年度））」).
fn brackets_nest(text: &str) -> bool {
    let mut depth = 0_i32;
    for c in text.chars() {
        match c {
            '（' => {
                depth += 1;
                if depth > 1 {
                    return true;
                }
            }
            '）' => depth -= 1,
            _ => {}
        }
    }
    false
}
