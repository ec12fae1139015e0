//! The public site over the Ichinoseki example, through the whole router: every page reachable
//! from the home page, what the main pages show, 404s, the search page, headers and assets.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{StatusCode, header};
use common::{TestApp, content_type, count, escape, example_json, header, plan_mut, to_text};

const FUTURE_IMAGE: &str = "みつけよう育てよう 郷土の宝 いのち輝く一関";

const GOALS: [&str; 5] = [
    "地域資源をみがき生かせる 魅力あるまち",
    "みんなが交流して 地域が賑わう 活力あるまち",
    "自ら輝きながら 次代の担い手を応援するまち",
    "郷土の恵みを未来へ引き継ぐ 自然豊かなまち",
    "みんなが安心して暮らせる 笑顔あふれるまち",
];

const PRIORITY_PROJECTS: [&str; 5] = [
    "【中東北の拠点都市の形成】しごと：若者や女性が集うまち〈産業振興と雇用の創出〉",
    "【人材の育成】ひと：子育てしやすいまち〈子育て世代への支援〉",
    "【時代にあった地域づくり】まち：住みたい、住んでよかったまち〈人口減少社会への対応〉",
    "ILCの推進",
    "東日本大震災への対応",
];

const PLAN_PERIOD: &str = "平成28年度（2016年度）〜令和7年度（2025年度）";
const STRATEGY_PERIOD: &str = "平成27年度（2015年度）〜令和元年度（2019年度）";

const SAMPLE_NOTICE: &str = "notice--sample";

/// The structure every HTML page shares, checked on one page.
fn assert_page_shape(path: &str, html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{path}: no doctype");
    assert!(html.contains("<html lang=\"ja\">"), "{path}: not lang=ja");
    assert_eq!(
        count(html, "<h1>") + count(html, "<h1 "),
        1,
        "{path}: not exactly one <h1>"
    );
    assert!(
        html.contains("href=\"#main\""),
        "{path}: no skip link to #main"
    );
    assert!(
        html.contains("<main id=\"main\""),
        "{path}: no <main id=\"main\">"
    );
    assert!(html.contains("<title>"), "{path}: no <title>");
}

#[tokio::test]
async fn every_page_reachable_from_home_answers_200_with_the_site_layout() {
    let app = TestApp::new().await;
    let pages = app.crawl().await;
    let broken: Vec<String> = pages
        .iter()
        .filter(|(_, (status, _, _))| *status != StatusCode::OK)
        .map(|(path, (status, _, _))| format!("{path} → {status}"))
        .collect();
    assert!(
        broken.is_empty(),
        "pages that did not answer 200: {broken:?}"
    );
    assert!(
        pages.len() >= 35,
        "only {} pages reached: {:?}",
        pages.len(),
        pages.keys()
    );
    for (path, (_, headers, body)) in &pages {
        assert_eq!(content_type(headers), "text/html; charset=utf-8", "{path}");
        assert_page_shape(path, body);
    }
    // Every kind of page was reached, and every element of the example that has a page.
    let kinds = [
        "/plans/sogo-keikaku",
        "/plans/sogo-keikaku/vision",
        "/plans/sogo-keikaku/basic-plans/basic-plan-first",
        "/plans/sogo-keikaku/basic-plans/basic-plan-second",
        "/plans/sogo-keikaku/goals/goal-5",
        "/plans/sogo-keikaku/fields/field-4-12",
        "/plans/sogo-keikaku/measures/measure-5-7-1",
        "/plans/sogo-keikaku/priority-projects/priority-project-4",
        "/plans/sogo-senryaku",
        "/plans/sogo-senryaku/objectives/objective-4",
        "/plans/sogo-senryaku/strategy-measures/strategy-measure-4-1",
        "/search",
    ];
    for path in kinds {
        assert!(pages.contains_key(path), "{path} not reached");
    }
    let count_of = |prefix: &str| pages.keys().filter(|p| p.starts_with(prefix)).count();
    assert_eq!(count_of("/plans/sogo-keikaku/fields/"), 35);
    assert_eq!(count_of("/plans/sogo-keikaku/goals/"), 5);
    assert_eq!(count_of("/plans/sogo-keikaku/measures/"), 10);
    assert_eq!(count_of("/plans/sogo-keikaku/priority-projects/"), 5);
    assert_eq!(count_of("/plans/sogo-senryaku/objectives/"), 4);
    assert_eq!(count_of("/plans/sogo-senryaku/strategy-measures/"), 4);
}

#[tokio::test]
async fn home_shows_the_future_image_goals_projects_and_the_comparison() {
    let app = TestApp::new().await;
    let home = app.page("/").await;
    assert_page_shape("/", &home);
    assert!(
        home.contains("<h1>一関市の総合計画・総合戦略</h1>"),
        "{home}"
    );
    assert!(home.contains(FUTURE_IMAGE));
    for goal in GOALS {
        assert!(home.contains(&escape(goal)), "goal {goal} missing");
    }
    for project in PRIORITY_PROJECTS {
        assert!(
            home.contains(&escape(project)),
            "priority project {project} missing"
        );
    }
    // The comparison of the two plans: purpose, scope and period of each.
    let file = example_json();
    for plan in file["plans"].as_array().unwrap() {
        for key in ["title", "purpose", "scope"] {
            let text = plan[key].as_str().unwrap();
            assert!(
                home.contains(&escape(text)),
                "{key} of {} missing: {text}",
                plan["id"]
            );
        }
        let description = plan["period"]["description"].as_str().unwrap();
        assert!(
            home.contains(&escape(description)),
            "period description of {} missing",
            plan["id"]
        );
    }
    for row in [
        "<th scope=\"row\">目的</th>",
        "<th scope=\"row\">範囲</th>",
        "<th scope=\"row\">期間</th>",
    ] {
        assert!(home.contains(row), "{row} missing");
    }
    assert!(
        home.contains(PLAN_PERIOD),
        "comprehensive plan period missing"
    );
    assert!(home.contains(STRATEGY_PERIOD), "strategy period missing");
    // The strategy's basic objectives are sample data, so the page says so.
    assert!(home.contains(SAMPLE_NOTICE));
}

#[tokio::test]
async fn plan_pages_show_purpose_scope_and_the_japanese_period() {
    let app = TestApp::new().await;
    let plan = app.page("/plans/sogo-keikaku").await;
    assert!(plan.contains("<h1>一関市総合計画</h1>"));
    assert!(plan.contains(PLAN_PERIOD));
    assert!(plan.contains("目標年次を平成37年（2025年）とする10か年計画"));
    assert!(plan.contains("前期基本計画") && plan.contains("後期基本計画"));
    let strategy = app.page("/plans/sogo-senryaku").await;
    assert!(strategy.contains("<h1>一関市まち・ひと・しごと創生総合戦略</h1>"));
    assert!(strategy.contains(STRATEGY_PERIOD));
    assert!(strategy.contains("安定した雇用を創出する"));
}

#[tokio::test]
async fn the_goal_1_page_lists_its_five_fields() {
    let app = TestApp::new().await;
    let goal = app.page("/plans/sogo-keikaku/goals/goal-1").await;
    assert!(goal.contains(&format!("<h1>{}</h1>", GOALS[0])), "{goal}");
    for (id, title) in [
        ("field-1-1", "農林水産業"),
        ("field-1-2", "工業"),
        ("field-1-3", "商業・サービス業"),
        ("field-1-4", "雇用"),
        ("field-1-5", "観光"),
    ] {
        let link = format!("<a href=\"/plans/sogo-keikaku/fields/{id}\">{title}</a>");
        assert!(goal.contains(&link), "{link} missing");
    }
    assert_eq!(
        count(&goal, "href=\"/plans/sogo-keikaku/fields/"),
        5,
        "fields of other goals listed"
    );
    assert!(!goal.contains("field-2-1"));
}

/// The breadcrumbs of a page: the labels in order.
fn breadcrumbs(html: &str) -> Vec<String> {
    let start = html
        .find("<nav class=\"breadcrumbs\" aria-label=\"現在の位置\">")
        .expect("no breadcrumbs");
    let nav = &html[start..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("<li")
        .skip(1)
        .map(|li| {
            // The text between the tags.
            let mut text = String::new();
            let mut in_tag = true;
            for c in li.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn field_and_measure_pages_show_breadcrumbs_down_from_home() {
    let app = TestApp::new().await;
    let field = app.page("/plans/sogo-keikaku/fields/field-3-1").await;
    assert_eq!(
        breadcrumbs(&field),
        [
            "ホーム",
            "一関市総合計画",
            "前期基本計画",
            &format!("目標3　{}", GOALS[2]),
            "分野 3-1　子育て"
        ]
    );
    assert!(field.contains(
        "<li><a href=\"/plans/sogo-keikaku/basic-plans/basic-plan-first\">前期基本計画</a></li>"
    ));
    assert!(field.contains("<li aria-current=\"page\">分野 3-1　子育て</li>"));

    let measure = app.page("/plans/sogo-keikaku/measures/measure-3-1-1").await;
    let crumbs = breadcrumbs(&measure);
    assert_eq!(crumbs.len(), 6, "{crumbs:?}");
    assert_eq!(
        crumbs[..5],
        [
            "ホーム",
            "一関市総合計画",
            "前期基本計画",
            &format!("目標3　{}", GOALS[2]),
            "3-1　子育て"
        ]
    );
    assert!(crumbs[5].starts_with("施策 "), "{crumbs:?}");
    assert!(
        measure
            .contains("<li><a href=\"/plans/sogo-keikaku/fields/field-3-1\">3-1　子育て</a></li>")
    );

    // Strategy pages too.
    let sm = app
        .page("/plans/sogo-senryaku/strategy-measures/strategy-measure-3-1")
        .await;
    let crumbs = breadcrumbs(&sm);
    assert_eq!(
        crumbs[..2],
        ["ホーム", "一関市まち・ひと・しごと創生総合戦略"]
    );
    assert!(crumbs[2].starts_with("基本目標3　"), "{crumbs:?}");
}

#[tokio::test]
async fn sample_data_is_marked_and_pages_without_it_carry_no_notice() {
    let app = TestApp::new().await;
    // Pages that show sample data (measures, strategy objectives and measures) say so.
    for path in [
        "/",
        "/plans/sogo-keikaku/measures/measure-1-1-1",
        "/plans/sogo-keikaku/fields/field-1-1",
        "/plans/sogo-keikaku/goals/goal-1",
        "/plans/sogo-keikaku/basic-plans/basic-plan-first",
        "/plans/sogo-keikaku/priority-projects/priority-project-1",
        "/plans/sogo-senryaku",
        "/plans/sogo-senryaku/objectives/objective-1",
        "/plans/sogo-senryaku/strategy-measures/strategy-measure-1-1",
    ] {
        let html = app.page(path).await;
        assert!(html.contains(SAMPLE_NOTICE), "{path}: no sample notice");
        assert!(
            html.contains("<span class=\"badge badge--sample\">サンプル</span>"),
            "{path}: no sample badge"
        );
    }
    // Pages that show no sample data carry no notice.
    for path in [
        "/plans/sogo-keikaku/vision",
        "/plans/sogo-keikaku/fields/field-1-3",
        "/plans/sogo-keikaku/basic-plans/basic-plan-second",
        "/plans/sogo-keikaku/priority-projects/priority-project-4",
        "/search",
    ] {
        let html = app.page(path).await;
        assert!(
            !html.contains("サンプル"),
            "{path}: shows a sample notice without sample data"
        );
    }
}

/// Whether a page carries the sample notice.
fn has_notice(html: &str) -> bool {
    html.contains(SAMPLE_NOTICE)
}

/// The part of a page from an element with the given id attribute on.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    &html[at..]
}

const BADGE: &str = "<span class=\"badge badge--sample\">サンプル</span>";

#[tokio::test]
async fn sample_items_listed_from_other_plans_are_marked() {
    // Real (non-sample) elements that list sample elements of the other plan: every page that
    // shows a sample element must carry the notice and mark the element.
    let mut file = example_json();
    let plan = plan_mut(&mut file, "sogo-keikaku");
    for id in ["measure-1-2-1", "measure-3-1-1"] {
        common::element_mut(plan, id).unwrap()["sample"] = false.into();
    }
    common::element_mut(plan, "priority-project-2").unwrap()["sample"] = true.into();
    let strategy = plan_mut(&mut file, "sogo-senryaku");
    let sm = common::element_mut(strategy, "strategy-measure-1-1").unwrap();
    sm["sample"] = false.into();
    sm["kpis"][0]["sample"] = false.into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;

    // A measure that a sample strategy measure links to.
    let measure = app.page("/plans/sogo-keikaku/measures/measure-3-1-1").await;
    assert!(
        measure.contains("子育て世代への切れ目のない支援"),
        "the linking strategy measure is listed"
    );
    assert!(
        has_notice(&measure),
        "sample strategy measure shown without the notice"
    );
    assert!(section(&measure, "strategy-heading").contains(BADGE));
    // … and that lists a sample priority project.
    assert!(
        section(&measure, "projects-heading").contains(BADGE),
        "sample priority project unmarked"
    );

    // A field whose own measures are real, but lists a sample priority project.
    let field = app.page("/plans/sogo-keikaku/fields/field-3-1").await;
    assert!(has_notice(&field));
    assert!(section(&field, "projects-heading").contains(BADGE));

    // A priority project that sample strategy measures link to.
    let project = app
        .page("/plans/sogo-keikaku/priority-projects/priority-project-3")
        .await;
    assert!(has_notice(&project));
    assert!(
        section(&project, "strategy-heading").contains(BADGE),
        "sample strategy measure unmarked"
    );

    // A real strategy measure that links to sample measures (measure-1-4-1).
    let sm = app
        .page("/plans/sogo-senryaku/strategy-measures/strategy-measure-1-1")
        .await;
    assert!(has_notice(&sm), "sample measure listed without the notice");
    let links = section(&sm, "links-heading");
    assert!(links.contains(BADGE), "{links}");
    // The real one (measure-1-2-1) is not marked.
    let real = links.find("measures/measure-1-2-1").unwrap();
    let real_item = &links[real..links[real..].find("</li>").unwrap() + real];
    assert!(!real_item.contains("サンプル"), "{real_item}");

    // A real measure linked only by a real strategy measure and no sample project: no notice.
    let measure = app.page("/plans/sogo-keikaku/measures/measure-1-2-1").await;
    assert!(!measure.contains("サンプル"), "notice without sample data");
}

#[tokio::test]
async fn search_results_mark_sample_hits() {
    let app = TestApp::new().await;
    // 子育て finds the sample measures of field 3-1.
    let results = app.page("/search?q=%E5%AD%90%E8%82%B2%E3%81%A6").await;
    assert!(has_notice(&results), "sample hits without the notice");
    assert!(section(&results, "results-heading").contains(BADGE));
    // A query that finds only real elements: no notice.
    let results = app.page("/search?q=%E8%A6%B3%E5%85%89").await; // 観光
    let hits = section(&results, "results-heading");
    assert!(hits.contains("<mark>観光</mark>"));
    let real = app.page("/search?q=%E6%94%BE%E5%B0%84%E7%B7%9A").await; // 放射線
    assert!(real.contains("<mark>放射線</mark>"), "{real}");
    assert!(
        !real.contains("サンプル"),
        "notice on a search page without sample hits"
    );
}

#[tokio::test]
async fn unknown_urls_answer_the_japanese_404_page() {
    let app = TestApp::new().await;
    for path in [
        "/nope",
        "/plans",
        "/plans/nope",
        "/plans/nope/vision",
        "/plans/sogo-keikaku/goals/goal-9",
        "/plans/sogo-keikaku/fields/field-9-9",
        "/plans/sogo-keikaku/measures/field-1-1",
        "/plans/sogo-keikaku/priority-projects/nope",
        "/plans/sogo-keikaku/basic-plans/goal-1",
        "/plans/sogo-keikaku/objectives/objective-1",
        "/plans/sogo-senryaku/vision",
        "/plans/sogo-senryaku/objectives/objective-9",
        "/plans/sogo-senryaku/strategy-measures/nope",
        "/plans/sogo-keikaku/elements/nope",
        "/static/nope.css",
        // Ids that are not ids at all.
        "/plans/SOGO-KEIKAKU",
        "/plans/sogo%20keikaku",
        "/plans/sogo-keikaku/goals/GOAL-1",
        "/plans/sogo-keikaku/fields/field%201-1",
        "/plans/sogo-keikaku/fields/%E7%9B%AE%E6%A8%99",
        "/plans/-x/vision",
        "/plans/sogo-keikaku/measures/..",
        "/plans/%FF",
        "/plans/sogo-keikaku/goals/%FF%FE",
    ] {
        let (status, headers, body) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(content_type(&headers), "text/html; charset=utf-8", "{path}");
        assert!(body.contains("ページが見つかりません"), "{path}: {body}");
        assert!(body.contains("<html lang=\"ja\">"), "{path}");
        assert_page_shape(path, &body);
        assert_eq!(
            header(&headers, &header::CACHE_CONTROL),
            "no-store",
            "{path}"
        );
    }
    // A long id is refused the same way.
    let long = format!("/plans/sogo-keikaku/fields/{}", "a".repeat(5000));
    assert_eq!(app.get(&long).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn element_links_redirect_to_the_page_that_shows_the_element() {
    let app = TestApp::new().await;
    for (id, to) in [
        ("goal-2", "/plans/sogo-keikaku/goals/goal-2"),
        ("field-2-2", "/plans/sogo-keikaku/fields/field-2-2"),
        (
            "measure-3-1-2",
            "/plans/sogo-keikaku/measures/measure-3-1-2",
        ),
        (
            "priority-project-3",
            "/plans/sogo-keikaku/priority-projects/priority-project-3",
        ),
    ] {
        let (status, headers, _) = app.get(&format!("/plans/sogo-keikaku/elements/{id}")).await;
        assert!(status.is_redirection(), "{id}: {status}");
        assert_eq!(header(&headers, &header::LOCATION), to);
        app.page(to).await;
    }
}

#[tokio::test]
async fn the_search_page_marks_matches_and_survives_odd_queries() {
    let app = TestApp::new().await;
    let q = "%E5%AD%90%E8%82%B2%E3%81%A6"; // 子育て
    let results = app.page(&format!("/search?q={q}")).await;
    assert_page_shape("/search?q=子育て", &results);
    assert!(results.contains("「子育て」の検索結果"), "{results}");
    assert!(results.contains("<mark>子育て</mark>"), "{results}");
    assert!(results.contains("class=\"search-results\""));
    assert!(
        results.contains("href=\"/plans/sogo-keikaku/fields/field-3-1\""),
        "the 子育て field is a hit"
    );
    assert!(
        results.contains("value=\"子育て\""),
        "the query stays in the form"
    );

    // No query: the form only.
    for path in ["/search", "/search?q=", "/search?q=++"] {
        let empty = app.page(path).await;
        assert!(
            empty.contains("<form class=\"search-form search-form--page\""),
            "{path}"
        );
        assert!(
            !empty.contains("検索結果"),
            "{path}: results shown without a query"
        );
        assert!(!empty.contains("class=\"search-results\""), "{path}");
    }

    // Nothing found.
    let none = app.page("/search?q=zzzzqqqq").await;
    assert!(none.contains("該当する項目は見つかりませんでした"));

    // A 10,000-character query is cut, not a fault (in ASCII, and in kanji as long as a URL
    // may be).
    for long in [
        "a".repeat(10_000),
        "%E5%AD%90".repeat(7_000),
        format!("{}%20", "%E5%AD%90".repeat(3)).repeat(2_000),
    ] {
        let (status, headers, body) = app.get(&format!("/search?q={long}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(content_type(&headers), "text/html; charset=utf-8");
        assert!(
            body.len() < 60_000,
            "the whole query echoed back ({} bytes)",
            body.len()
        );
    }

    // Markup in the query is escaped.
    let hostile = app
        .page("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert!(!hostile.contains("<script>alert"), "{hostile}");
    common::assert_shows_escaped("search", &hostile, "value=\"<script>alert(1)</script>\"");

    // The same parameter twice, or an unknown one, is still a search page.
    for path in [
        "/search?q=a&q=b",
        "/search?x=1",
        "/search?q=%E5%AD%90&page=2",
    ] {
        let (status, _, body) = app.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
}

#[tokio::test]
async fn security_headers_are_on_pages_api_errors_and_assets() {
    let app = TestApp::new().await;
    for path in [
        "/",
        "/plans/sogo-keikaku/fields/field-1-1",
        "/search?q=a",
        "/nope",
        "/api/v1/plans",
        "/api/v1/plans/nope",
        "/api/v1/xyz",
        "/static/keikaku.css",
    ] {
        let (_, headers, _) = app.get(path).await;
        let csp = header(&headers, &header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("default-src 'self'"), "{path}: CSP {csp:?}");
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{path}: CSP {csp:?}"
        );
        assert_eq!(
            header(&headers, &header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(&headers, &header::X_FRAME_OPTIONS), "DENY", "{path}");
    }
}

#[tokio::test]
async fn static_assets_are_served_with_their_types() {
    let app = TestApp::new().await;
    let (status, headers, css) = app.get("/static/keikaku.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type(&headers).starts_with("text/css"),
        "{:?}",
        content_type(&headers)
    );
    assert!(!css.is_empty());
    assert!(!header(&headers, &header::ETAG).is_empty());
    assert!(header(&headers, &header::CACHE_CONTROL).contains("max-age"));
    // The page links the stylesheet with a version that the asset answers to.
    let home = app.page("/").await;
    assert!(
        home.contains("href=\"/static/keikaku.css?v="),
        "no stylesheet link"
    );
    let (status, headers, _) = app.get("/static/favicon.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "image/svg+xml");
    let (status, _, body) = app.get("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn the_health_check_asks_the_database() {
    let app = TestApp::new().await;
    let (status, _, _) = app.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    keikaku_storage::Store::close(app.store.as_ref()).await;
    let (status, headers, body) = app.get("/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn a_draft_strategy_is_not_shown() {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    let home = app.page("/").await;
    assert!(
        !home.contains("一関市まち・ひと・しごと創生総合戦略"),
        "the draft strategy is listed on the home page"
    );
    assert!(
        !home.contains("/plans/sogo-senryaku"),
        "the home page links to the draft strategy"
    );
    assert!(!home.contains(STRATEGY_PERIOD));
    assert!(
        home.contains(FUTURE_IMAGE),
        "the published plan is still shown"
    );
    for path in [
        "/plans/sogo-senryaku",
        "/plans/sogo-senryaku/objectives/objective-1",
        "/plans/sogo-senryaku/strategy-measures/strategy-measure-1-1",
        "/plans/sogo-senryaku/elements/objective-1",
    ] {
        let (status, _, body) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body.contains("ページが見つかりません"));
    }
    // Nor anywhere else: pages that would link to it, search, the API.
    let measure = app.page("/plans/sogo-keikaku/measures/measure-1-2-1").await;
    assert!(
        !measure.contains("sogo-senryaku"),
        "a page links to the draft strategy"
    );
    let search = app
        .page("/search?q=%E4%BC%81%E6%A5%AD%E8%AA%98%E8%87%B4")
        .await; // 企業誘致
    assert!(
        !search.contains("sogo-senryaku"),
        "search finds the draft strategy"
    );
    let pages = app.crawl().await;
    assert!(
        pages.keys().all(|p| !p.contains("sogo-senryaku")),
        "{:?}",
        pages.keys()
    );
    assert!(
        pages
            .values()
            .all(|(status, _, _)| *status == StatusCode::OK)
    );
    let (status, _, _) = app.get("/api/v1/plans/sogo-senryaku").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list = app.get_json("/api/v1/plans").await;
    assert_eq!(list["plans"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_sample_field_named_on_the_home_page_is_marked() {
    // Without the (sample) strategy, the home page shows sample data only through the field
    // names listed under each goal.
    let mut file = example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    let home = app.page("/").await;
    assert!(!home.contains("サンプル"), "notice without sample data");

    let plan = plan_mut(&mut file, "sogo-keikaku");
    common::element_mut(plan, "field-1-3").unwrap()["sample"] = true.into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    let home = app.page("/").await;
    assert!(
        has_notice(&home),
        "a sample field is named without the notice"
    );
    let goals = section(&home, "goals-heading");
    let goals = &goals[..goals.find("</section>").unwrap()];
    assert_eq!(count(goals, BADGE), 1, "{goals}");
}

#[tokio::test]
async fn the_public_is_not_shown_what_is_not_written_yet() {
    let app = TestApp::new().await;
    // The 後期基本計画 has no content in the example: not in the menu, its page says 策定中.
    let home = app.page("/").await;
    let menu = &home[home.find("global-nav").unwrap()..home.find("</nav>").unwrap()];
    assert!(
        menu.contains("前期基本計画") && !menu.contains("後期基本計画"),
        "{menu}"
    );
    let second = app
        .page("/plans/sogo-keikaku/basic-plans/basic-plan-second")
        .await;
    assert!(second.contains("この基本計画は策定中です。"), "{second}");
    // A measure whose 市民の参画 is empty has no such section; the written one stays.
    let mut file = example_json();
    let measure =
        common::element_mut(plan_mut(&mut file, "sogo-keikaku"), "measure-1-1-1").unwrap();
    measure["citizen_participation"] = "".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    let page = app.page("/plans/sogo-keikaku/measures/measure-1-1-1").await;
    assert!(
        page.contains("<h2 id=\"course-heading\">展開方法</h2>"),
        "{page}"
    );
    assert!(!page.contains("市民の参画"), "{page}");
    assert!(!page.contains("まだ登録されていません"), "{page}");
}

#[tokio::test]
async fn a_basic_objective_lists_its_measures_kpis_as_cards_on_a_phone() {
    let app = TestApp::new().await;
    let page = app
        .page("/plans/sogo-senryaku/objectives/objective-3")
        .await;
    let kpis = &page[page.find("id=\"kpis-heading\"").expect("a KPI section")..];
    assert!(kpis.contains("保育所待機児童数"), "{kpis}");
    // Each value cell carries its column's name, shown before it when the table is cards.
    assert!(
        kpis.contains("data-label=\"基準値\"") && kpis.contains("data-label=\"目標値\""),
        "{kpis}"
    );
    assert!(kpis.contains("cards-table"), "{kpis}");
}
