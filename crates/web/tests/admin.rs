//! Administrators' pages: the audit log with its chain check, and the list of users.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use keikaku_domain::account::Role;

const PASSWORD: &str = "correct horse battery";

async fn admin_session(app: &TestApp) -> String {
    app.add_user_with("admin", "管理 花子", Role::Administrator, PASSWORD)
        .await;
    app.sign_in("admin", PASSWORD).await
}

#[tokio::test]
async fn an_administrator_browses_the_audit_log_and_the_users() {
    let app = TestApp::new().await;
    app.add_user("kikaku", "<script>alert(1)</script>", PASSWORD)
        .await;
    let token = admin_session(&app).await;
    let cookies = [("keikaku_session", token.as_str())];
    let (_, _, staff) = app.get_with_cookies("/staff", &cookies).await;
    assert!(staff.contains("href=\"/staff/audit\"") && staff.contains("href=\"/staff/users\""));

    let (status, headers, audit) = app.get_with_cookies("/staff/audit", &cookies).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    assert_eq!(
        common::header(&headers, &axum::http::header::CACHE_CONTROL),
        "no-store"
    );
    // Two plans imported, the example's sample values and verification rounds (FY2017:
    // three saves of assessments, six departments, the opinion, the publication; FY2018: one
    // save, one department), the sample 実施計画 (created, its programs saved, seven
    // departments submitted and approved, fixed, published), the sample 人口ビジョン (its
    // census, its figures, three scenarios and their runs), the department list, the theme
    // list and the themes of its eighteen tagged elements, two users.
    assert!(audit.contains("64件の記録を検証しました"), "{audit}");
    assert!(audit.contains("改ざんは見つかりませんでした"), "{audit}");
    for text in [
        "計画の取り込み",
        "指標の値の入力",
        "実施計画の事業の入力",
        "実施計画の確定・公表",
        "人口ビジョンの推計の計算",
        "利用者の登録",
        // Names, not ids: the plan by its title, the user by name (escaped).
        "計画「一関市まち・ひと・しごと創生総合戦略」",
        "利用者「&#60;script&#62;alert(1)&#60;/script&#62;」",
    ] {
        assert!(audit.contains(text), "{text} missing:\n{audit}");
    }
    assert_eq!(common::count(&audit, "<h1>"), 1);

    let (status, _, users) = app.get_with_cookies("/staff/users", &cookies).await;
    assert_eq!(status, StatusCode::OK, "{users}");
    assert!(
        users.contains("管理 花子") && users.contains("管理者") && users.contains("企画担当"),
        "{users}"
    );
    assert!(!users.contains("<script>alert(1)"), "{users}");
}

#[tokio::test]
async fn other_staff_do_not_see_the_admin_links() {
    let app = TestApp::new().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let (_, _, staff) = app
        .get_with_cookies("/staff", &[("keikaku_session", &token)])
        .await;
    assert!(!staff.contains("/staff/audit"), "{staff}");
    let (status, _, page) = app
        .get_with_cookies("/staff/audit", &[("keikaku_session", &token)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("権限がありません"), "{page}");
}
