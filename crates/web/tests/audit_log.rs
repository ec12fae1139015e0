//! The audit log page and restoring from a version, through the router: names instead of ids,
//! before → after, links to the element or its last version, the GET filter with its
//! problems, and the restore's confirmation, success, refusals and audit entry.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, example_json, form_encode, plan_mut, to_text};
use keikaku_app::edit;
use keikaku_domain::PlanId;
use keikaku_domain::account::Role;

const PASSWORD: &str = "correct horse battery";

struct Signed {
    app: TestApp,
    token: String,
    csrf: String,
}

impl Signed {
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let (status, _, body) = self
            .app
            .get_with_cookies(path, &[("keikaku_session", &self.token)])
            .await;
        (status, body)
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let (status, headers, body) = self
            .app
            .post_form(path, &all, &[("keikaku_session", &self.token)])
            .await;
        let location = headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, body)
    }
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).unwrap() + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// The example with the comprehensive plan under deliberation, an administrator signed in.
async fn signed_in() -> Signed {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-keikaku")["status"] = "under_deliberation".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    app.add_user_with("kanri", "管理 花子", Role::Administrator, PASSWORD)
        .await;
    let token = app.sign_in("kanri", PASSWORD).await;
    let (_, _, page) = app
        .get_with_cookies("/staff", &[("keikaku_session", &token)])
        .await;
    let csrf = hidden(&page, "csrf");
    Signed { app, token, csrf }
}

fn plan() -> PlanId {
    PlanId::parse("sogo-keikaku").unwrap()
}

async fn draft(s: &Signed) -> edit::Draft {
    edit::draft(&s.app.catalog.context(), &plan())
        .await
        .unwrap()
}

/// Deletes, through the form, the first leaf that nothing refers to: its id and title.
async fn delete_a_leaf(s: &Signed) -> (String, String) {
    let d = draft(s).await;
    for e in d.elements.iter().rev() {
        if d.elements
            .iter()
            .any(|c| c.parent_id.as_deref() == Some(&e.id))
        {
            continue;
        }
        let version = d.version(&e.id).to_string();
        let (status, _, _) = s
            .post(
                &format!("/staff/plans/sogo-keikaku/elements/{}/delete", e.id),
                &[("version", &version), ("confirm", "yes")],
            )
            .await;
        if status == StatusCode::SEE_OTHER {
            return (e.id.clone(), e.title.clone());
        }
    }
    panic!("no deletable leaf");
}

#[tokio::test]
async fn the_log_names_things_and_links_a_deleted_element_to_its_version() {
    let s = signed_in().await;
    let (id, title) = delete_a_leaf(&s).await;
    let (status, page) = s.get("/staff/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("要素の削除"));
    assert!(page.contains("管理 花子"), "the actor by name");
    assert!(page.contains(&format!("「{}」（削除済み）", common::escape(&title))));
    assert!(page.contains(&format!(
        "href=\"/staff/plans/sogo-keikaku/versions/1/elements/{id}\""
    )));
    // No raw target (plan/element ids) shown as text.
    assert!(!page.contains(&format!(">sogo-keikaku/{id}<")));
    assert!(!page.contains(">sogo-keikaku<"));
    // The import is named by the plan's title.
    let title = draft(&s).await.plan.header().title.clone();
    assert!(page.contains(&format!("計画「{}」", common::escape(&title))));
}

#[tokio::test]
async fn an_edit_shows_its_fields_before_and_after() {
    let s = signed_in().await;
    let d = draft(&s).await;
    let measure = d
        .elements
        .iter()
        .find(|e| e.kind == keikaku_domain::ElementKind::Measure)
        .unwrap();
    let mut fields: Vec<(String, String)> = d.values(&measure.id).into_iter().collect();
    for (k, v) in &mut fields {
        if k == "title" {
            *v = "監査で見る新しい名称".to_owned();
        }
    }
    let version = d.version(&measure.id).to_string();
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("version", &version));
    let (status, _, body) = s
        .post(
            &format!("/staff/plans/sogo-keikaku/elements/{}", measure.id),
            &form,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = s.get("/staff/audit?action=element.update").await;
    assert!(page.contains("変更前 → 変更後"));
    assert!(page.contains(&common::escape(&measure.title)));
    assert!(page.contains("監査で見る新しい名称"));
    assert!(page.contains(&format!(
        "href=\"/staff/plans/sogo-keikaku/elements/{}\"",
        measure.id
    )));
    assert!(page.contains("条件に合う記録は1件です。"), "{page}");
}

#[tokio::test]
async fn the_filter_narrows_by_who_what_plan_and_dates() {
    let s = signed_in().await;
    delete_a_leaf(&s).await;
    let (_, page) = s.get("/staff/audit?actor=kanri").await;
    assert!(page.contains("条件に合う記録は1件です。"), "{page}");
    let (_, page) = s.get("/staff/audit?actor=cli&action=element.delete").await;
    assert!(page.contains("条件に合う記録は0件です。"));
    let (_, page) = s
        .get("/staff/audit?plan=sogo-senryaku&action=element.delete")
        .await;
    assert!(page.contains("条件に合う記録はありません。"));
    // The import and the user were written at the test's fixed time (令和7年11月25日 in
    // Japan); the deletion through the page, today.
    let from = form_encode("令和7年11月25日");
    let (_, page) = s
        .get(&format!("/staff/audit?from={from}&to=2025-11-25"))
        .await;
    assert!(page.contains("計画の取り込み"), "{page}");
    assert!(!page.contains("要素の削除："));
    let (_, page) = s.get("/staff/audit?to=2025-11-24").await;
    assert!(page.contains("条件に合う記録は0件です。"));
    // The chosen values stay chosen.
    let (_, page) = s.get("/staff/audit?actor=kanri").await;
    assert!(page.contains("<option value=\"kanri\" selected>管理 花子</option>"));
}

#[tokio::test]
async fn a_bad_filter_says_where_and_why() {
    let s = signed_in().await;
    let from = form_encode("令和7年2月30日");
    let (status, page) = s
        .get(&format!(
            "/staff/audit?from={from}&to=きのう&page=0&action=nothing"
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("絞り込みの条件に4件の問題があります"),
        "{page}"
    );
    assert!(page.contains("期間の開始日: "));
    assert!(page.contains("期間の終了日: "));
    assert!(page.contains("href=\"#filter-from\""));
    assert!(page.contains("aria-invalid=\"true\""));
    // What was typed stays in the fields.
    assert!(page.contains("value=\"令和7年2月30日\""));
    let (status, _) = s.get("/staff/audit?from=2025-05-01&to=2025-04-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_deleted_element_is_restored_from_its_version_after_confirmation() {
    let s = signed_in().await;
    let (id, title) = delete_a_leaf(&s).await;
    let base = format!("/staff/plans/sogo-keikaku/versions/1/elements/{id}");
    // The comparison with the working copy leads there.
    let (_, page) = s
        .get("/staff/plans/sogo-keikaku/compare?from=1&to=current")
        .await;
    assert!(page.contains(&format!("href=\"{base}\"")), "{page}");
    let (status, page) = s.get(&base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("この版から復元する"));
    assert!(page.contains(&common::escape(&title)));
    let (status, page) = s.get(&format!("{base}/restore")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("を復元しますか"));
    assert!(page.contains(&format!("action=\"{base}/restore\"")));
    // Without the session's token nothing happens.
    let (status, _, _) = {
        let (st, h, b) = s
            .app
            .post_form(
                &format!("{base}/restore"),
                &[("csrf", "wrong")],
                &[("keikaku_session", &s.token)],
            )
            .await;
        (st, h, b)
    };
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(draft(&s).await.element(&id).is_none());
    let (status, location, _) = s.post(&format!("{base}/restore"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/staff/plans/sogo-keikaku/elements/{id}?done=restored")
    );
    let (_, page) = s.get(&location).await;
    assert!(page.contains("版から復元しました。"));
    assert!(draft(&s).await.element(&id).is_some());
    let (_, page) = s.get("/staff/audit?action=element.restore").await;
    assert!(page.contains("要素の復元（版から）"));
    assert!(page.contains("条件に合う記録は1件です。"));
    // Again: explained, with the way back.
    let (status, _, page) = s.post(&format!("{base}/restore"), &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("現在の計画にあります"));
    assert!(page.contains("版の一覧に戻る"));
}

#[tokio::test]
async fn a_child_whose_parent_is_gone_is_refused_with_the_reason() {
    let s = signed_in().await;
    let d = draft(&s).await;
    let mut pair = None;
    for p in &d.elements {
        let kids: Vec<_> = d
            .elements
            .iter()
            .filter(|c| c.parent_id.as_deref() == Some(&p.id))
            .collect();
        if kids.len() != 1
            || d.elements
                .iter()
                .any(|g| g.parent_id.as_deref() == Some(&kids[0].id))
        {
            continue;
        }
        let child = kids[0].id.clone();
        let version = d.version(&child).to_string();
        let (st, _, _) = s
            .post(
                &format!("/staff/plans/sogo-keikaku/elements/{child}/delete"),
                &[("version", &version), ("confirm", "yes")],
            )
            .await;
        if st != StatusCode::SEE_OTHER {
            continue;
        }
        let version = d.version(&p.id).to_string();
        let (st, _, _) = s
            .post(
                &format!("/staff/plans/sogo-keikaku/elements/{}/delete", p.id),
                &[("version", &version), ("confirm", "yes")],
            )
            .await;
        if st == StatusCode::SEE_OTHER {
            pair = Some((p.id.clone(), child));
            break;
        }
        let (st, _, _) = s
            .post(
                &format!("/staff/plans/sogo-keikaku/versions/1/elements/{child}/restore"),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
    }
    let (parent, child) = pair.expect("a deletable parent with one child");
    let (status, page) = s
        .get(&format!(
            "/staff/plans/sogo-keikaku/versions/1/elements/{child}/restore"
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("上位の"), "{page}");
    assert!(page.contains("復元できません"));
    let (status, _, _) = s
        .post(
            &format!("/staff/plans/sogo-keikaku/versions/1/elements/{child}/restore"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The parent with its child, as the confirmation offers.
    let (_, page) = s
        .get(&format!(
            "/staff/plans/sogo-keikaku/versions/1/elements/{parent}/restore"
        ))
        .await;
    assert!(page.contains("下位の要素も一緒に復元する"));
    let (status, _, _) = s
        .post(
            &format!("/staff/plans/sogo-keikaku/versions/1/elements/{parent}/restore"),
            &[("children", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let now = draft(&s).await;
    assert!(now.element(&parent).is_some() && now.element(&child).is_some());
}

#[tokio::test]
async fn an_element_missing_from_the_version_is_not_found() {
    let s = signed_in().await;
    let (status, _) = s
        .get("/staff/plans/sogo-keikaku/versions/1/elements/measure-none")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .get("/staff/plans/sogo-keikaku/versions/0/elements/measure-none")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Named by the plan's title, not its id.
    let (status, page) = s
        .get("/staff/plans/sogo-keikaku/versions/99/elements/measure-1-1-1")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        page.contains("計画「一関市総合計画」に第99版はありません。"),
        "{page}"
    );
}
