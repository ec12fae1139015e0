//! Finding things: the city's themes (the list the planning office keeps, the tags on
//! elements, `/themes` and a page per theme) and search that folds katakana to hiragana,
//! reads the themes' readings and synonyms, groups its results by kind and brings the
//! indicators and programs of a matched measure.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use keikaku_domain::account::Role;

const PASSWORD: &str = "correct horse battery";

fn value_of(page: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&key)
        .unwrap_or_else(|| panic!("no {name}: {page}"))
        + key.len();
    page[at..].split('"').next().unwrap().to_owned()
}

fn search_url(q: &str) -> String {
    format!("/search?q={}", common::form_encode(q))
}

#[tokio::test]
async fn a_reading_in_hiragana_or_katakana_finds_the_kanji_of_a_theme() {
    let app = TestApp::new().await;
    for q in ["こそだて", "コソダテ", "子育て", "育児"] {
        let page = app.page(&search_url(q)).await;
        assert!(
            page.contains("<mark>子育て</mark>世代への切れ目のない支援"),
            "{q}: {page}"
        );
        assert!(page.contains("<mark>子育て</mark>"), "{q}: {page}");
    }
    // The page says what else the reading was searched as.
    let page = app.page(&search_url("こそだて")).await;
    assert!(
        page.contains("<p class=\"search-also\">「こそだて」は「子育て」"),
        "{page}"
    );
    // A word the list does not have finds nothing, and says how else to look.
    let page = app.page(&search_url("すくすく")).await;
    assert!(!page.contains("search-also"), "{page}");
    assert!(page.contains("見つかりませんでした"), "{page}");
    assert!(page.contains("href=\"/themes\""), "{page}");
}

#[tokio::test]
async fn a_matched_measure_brings_its_kpis_and_results_are_grouped_by_kind() {
    let app = TestApp::new().await;
    let page = app.page(&search_url("子育て")).await;
    // The strategy measure 子育て世代への切れ目のない支援 carries the 待機児童 KPI: the hit
    // names it with its link, although the KPI's own text does not contain 子育て.
    assert!(page.contains("保育所待機児童数"), "{page}");
    assert!(
        page.contains("href=\"/plans/sogo-senryaku/kpi/indicators/kpi-3-1-1\""),
        "{page}"
    );
    // The measure 子育て世代への切れ目のない支援 of the comprehensive plan brings the programs of
    // the published 実施計画 that serve it.
    assert!(page.contains("事業：<a href=\"/implementation-plans/2025/programs/05-01-001\">子育て世代包括支援事業</a>"), "{page}");
    // Grouped: one section per kind, each with its count, and a line of counts on top.
    assert!(
        common::count(&page, "class=\"search-group\"") >= 2,
        "{page}"
    );
    assert!(page.contains("種類ごとの件数"), "{page}");
    for kind in ["施策（", "分野（"] {
        assert!(page.contains(kind), "{kind}: {page}");
    }
    // The JSON API searches the same way.
    let json = app
        .get_json("/api/v1/search?q=%E3%81%93%E3%81%9D%E3%81%A0%E3%81%A6")
        .await;
    let titles: Vec<&str> = json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"子育て世代への切れ目のない支援"),
        "{titles:?}"
    );
}

#[tokio::test]
async fn every_theme_has_a_page_linked_from_home_and_from_its_elements() {
    let app = TestApp::new().await;
    let list = app.page("/themes").await;
    for name in ["子育て", "高齢者", "仕事", "防災"] {
        assert!(list.contains(name), "{name}: {list}");
    }
    assert!(list.contains("href=\"/themes/kosodate\""), "{list}");
    let home = app.page("/").await;
    assert!(home.contains("href=\"/themes/kosodate\""), "{home}");

    let page = app.page("/themes/kosodate").await;
    assert!(page.contains("テーマ「子育て」"), "{page}");
    // Grouped by plan, then by kind, with each element's indicators.
    assert!(page.contains("<h3>施策（"), "{page}");
    assert!(page.contains("<h3>分野（"), "{page}");
    assert!(
        page.contains("href=\"/plans/sogo-keikaku/measures/measure-3-1-1\""),
        "{page}"
    );
    assert!(page.contains("保育所待機児童数"), "{page}");
    assert!(page.contains("「こそだて」"), "{page}");
    // One section per plan, in the site's order.
    let keikaku = page
        .find("-heading\"><a href=\"/plans/sogo-keikaku\">")
        .unwrap();
    let senryaku = page
        .find("-heading\"><a href=\"/plans/sogo-senryaku\">")
        .unwrap();
    assert!(keikaku < senryaku, "{page}");

    let measure = app.page("/plans/sogo-keikaku/measures/measure-3-1-1").await;
    assert!(measure.contains("href=\"/themes/kosodate\""), "{measure}");

    let (status, _, body) = app.get("/themes/nai").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("テーマ「nai」は見つかりません"), "{body}");
}

#[tokio::test]
async fn the_planning_office_keeps_the_list_and_its_words_reach_search() {
    let app = TestApp::new().await;
    app.add_staff("kikaku", "企画 太郎", Role::PlanningOffice, "", PASSWORD)
        .await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, _, page) = app.get_with_cookies("/staff/themes", &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"kosodate\""), "{page}");
    assert!(page.contains("value=\"こそだて、育児"), "{page}");
    let csrf = value_of(&page, "csrf");
    let revision = value_of(&page, "revision");

    // Every bad cell is named by its row and column; nothing is written.
    let (status, _, page) = app
        .post_form(
            "/staff/themes",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("code-0", "子育て"),
                ("name-0", "子育て"),
                ("code-1", "bosai"),
                ("name-1", ""),
                ("words-1", "ぼうさい"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("1行目の記号"), "{page}");
    assert!(page.contains("2行目のテーマの名前"), "{page}");
    assert!(page.contains("href=\"#theme-0-code\""), "{page}");
    assert!(page.contains("value=\"ぼうさい\""), "{page}");
    assert!(app.page("/themes").await.contains("高齢者"));

    // A good list: saved; the new word finds the theme's elements at once; 高齢者 is gone
    // with its tags.
    let (status, headers, body) = app
        .post_form(
            "/staff/themes",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("code-0", "ＫＯＳＯＤＡＴＥ"),
                ("name-0", "子育て"),
                ("description-0", "子育て世代の支援。"),
                ("words-0", "こそだて、すくすく"),
                ("code-1", "koreisha"),
                ("name-1", "高齢者"),
                ("remove-1", "yes"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers.get("location").unwrap(), "/staff/themes?done=saved");
    let found = app.page(&search_url("スクスク")).await;
    assert!(
        found.contains("<mark>子育て</mark>世代への切れ目のない支援"),
        "{found}"
    );
    assert!(!app.page("/themes").await.contains("高齢者"));
    assert!(
        !app.page("/search?q=%E8%82%B2%E5%85%90")
            .await
            .contains("<mark>子育て</mark>")
    );

    // A save from the revision read before is a conflict; what was typed stays.
    let (status, _, page) = app
        .post_form(
            "/staff/themes",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("code-0", "bosai"),
                ("name-0", "防災"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(
        page.contains("ほかの人がテーマの一覧を変更しています"),
        "{page}"
    );
    assert!(page.contains("value=\"防災\""), "{page}");

    // Without the CSRF token nothing is saved.
    let (status, _, _) = app
        .post_form(
            "/staff/themes",
            &[("revision", "2"), ("code-0", "x"), ("name-0", "x")],
            &cookies,
        )
        .await;
    assert!(status.is_client_error(), "{status}");
}

#[tokio::test]
async fn an_element_is_put_under_themes_from_its_edit_page() {
    let app = TestApp::new().await;
    app.add_staff("kikaku", "企画 太郎", Role::PlanningOffice, "", PASSWORD)
        .await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let cookies = [("keikaku_session", token.as_str())];
    let edit = "/staff/plans/sogo-keikaku/elements/measure-1-1-1";
    let (status, _, page) = app.get_with_cookies(edit, &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"theme-bosai\""), "{page}");
    assert!(page.contains("name=\"seen\" value=\"\""), "{page}");
    let csrf = value_of(&page, "csrf");
    let target = format!("{edit}/themes");

    let (status, headers, body) = app
        .post_form(
            &target,
            &[
                ("csrf", &csrf),
                ("seen", ""),
                ("theme", "bosai"),
                ("theme", "shigoto"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        headers.get("location").unwrap(),
        &format!("{edit}?done=saved#themes")
    );
    let (_, _, page) = app.get_with_cookies(edit, &cookies).await;
    assert!(
        page.contains("name=\"seen\" value=\"shigoto,bosai\""),
        "{page}"
    );
    let bosai = app.page("/themes/bosai").await;
    assert!(
        bosai.contains("href=\"/plans/sogo-keikaku/measures/measure-1-1-1\""),
        "{bosai}"
    );
    let measure = app.page("/plans/sogo-keikaku/measures/measure-1-1-1").await;
    assert!(measure.contains("href=\"/themes/bosai\""), "{measure}");

    // A form that saw no themes is stale now: refused, nothing changed.
    let (status, _, body) = app
        .post_form(&target, &[("csrf", &csrf), ("seen", "")], &cookies)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("ほかの人がこの要素のテーマを変更しています"),
        "{body}"
    );
    // A theme not in the list is refused with the reason.
    let (status, _, body) = app
        .post_form(
            &target,
            &[("csrf", &csrf), ("seen", "bosai,shigoto"), ("theme", "nai")],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("テーマ「nai」は一覧にありません"), "{body}");
    assert!(
        app.page("/themes/bosai")
            .await
            .contains("href=\"/plans/sogo-keikaku/measures/measure-1-1-1\"")
    );

    // A department editor sees the themes but has no form for them.
    app.add_staff(
        "nosei",
        "農政 花子",
        Role::DepartmentEditor,
        "農政課",
        PASSWORD,
    )
    .await;
    let token = app.sign_in("nosei", PASSWORD).await;
    let (_, _, page) = app
        .get_with_cookies(edit, &[("keikaku_session", token.as_str())])
        .await;
    assert!(
        page.contains("テーマは企画（計画担当）が選びます"),
        "{page}"
    );
    assert!(!page.contains("name=\"seen\""), "{page}");
}

#[tokio::test]
async fn the_api_lists_the_themes_and_sets_an_elements_themes() {
    let app = TestApp::new().await;
    let list = app.get_json("/api/v1/themes").await;
    let kosodate = &list["themes"][0];
    assert_eq!(kosodate["code"], "kosodate");
    assert_eq!(kosodate["words"][0], "こそだて");
    assert!(
        kosodate["elements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["element"] == "strategy-measure-3-1"),
        "{kosodate}"
    );

    app.add_staff("kikaku", "企画 太郎", Role::PlanningOffice, "", PASSWORD)
        .await;
    let token = app.token_for("kikaku").await;
    let path = "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1/themes";
    let (status, body) = app
        .call_json(
            "PUT",
            path,
            Some(&token),
            Some(r#"{"seen": [], "themes": ["bosai"]}"#.to_owned()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(
        app.page("/themes/bosai")
            .await
            .contains("href=\"/plans/sogo-keikaku/measures/measure-1-1-1\"")
    );
    // Stale: the writer saw no themes.
    let (status, body) = app
        .call_json(
            "PUT",
            path,
            Some(&token),
            Some(r#"{"seen": [], "themes": []}"#.to_owned()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Unknown theme: 422 with its place.
    let (status, body) = app
        .call_json(
            "PUT",
            path,
            Some(&token),
            Some(r#"{"seen": ["bosai"], "themes": ["nai"]}"#.to_owned()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("テーマ「nai」は一覧にありません"),
        "{body}"
    );
    // A department editor may not.
    app.add_staff(
        "nosei",
        "農政 花子",
        Role::DepartmentEditor,
        "農政課",
        PASSWORD,
    )
    .await;
    let other = app.token_for("nosei").await;
    let (status, _) = app
        .call_json(
            "PUT",
            path,
            Some(&other),
            Some(r#"{"seen": ["bosai"], "themes": []}"#.to_owned()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
