//! The conformance story of the theme list and its tags: the list saved whole against its
//! revision, read back in order and exactly; an element's tags saved against the tags its
//! editor saw; the tags of a theme that leaves the list gone with it; all audited.

use keikaku_domain::theme::Theme;
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};
use keikaku_storage::{ExistingPlan, Store, StoreError, ThemeTag};

use crate::{author, code_of, example, put};

/// Fills the list and one tag (for the backup story: every table has rows).
pub(crate) async fn fill(
    store: &dyn Store,
    code: &MunicipalityCode,
    plan: &PlanId,
    element: &ElementId,
) {
    store
        .save_themes(
            code,
            &[theme("kosodate", "子育て", &["こそだて"])],
            0,
            &author(),
        )
        .await
        .unwrap();
    store
        .save_element_themes(
            code,
            plan,
            element,
            &[],
            &["kosodate".to_owned()],
            &author(),
        )
        .await
        .unwrap();
}

fn theme(code: &str, name: &str, words: &[&str]) -> Theme {
    Theme {
        code: code.to_owned(),
        name: name.to_owned(),
        description: format!("{name}に関する施策と指標。"),
        words: words.iter().map(|w| (*w).to_owned()).collect(),
    }
}

fn codes(v: &[&str]) -> Vec<String> {
    v.iter().map(|c| (*c).to_owned()).collect()
}

/// The list: empty at revision 0; saved against the revision read, in the order given, text
/// exact (words included); a stale save writes nothing; audited; another municipality's list
/// is its own.
pub async fn the_theme_list_is_saved_whole_against_its_revision(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(
        store,
        &file.municipality,
        &file.plans[..1],
        ExistingPlan::Refuse,
    )
    .await
    .unwrap();
    let empty = store.themes(code).await.unwrap();
    assert_eq!(
        (empty.themes.len(), empty.tags.len(), empty.revision),
        (0, 0, 0)
    );
    let first = vec![
        theme("kosodate", "子育て", &["こそだて", "育児", "子ども"]),
        theme("bosai", "防災", &[]),
        theme("koreisha", "高齢者", &["こうれいしゃ", "シニア"]),
    ];
    assert_eq!(
        store.save_themes(code, &first, 0, &author()).await.unwrap(),
        1
    );
    let read = store.themes(code).await.unwrap();
    assert_eq!((read.themes, read.revision), (first.clone(), 1));

    let stale = store
        .save_themes(code, &[theme("shigoto", "仕事", &[])], 0, &author())
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))), "{stale:?}");
    assert_eq!(store.themes(code).await.unwrap().themes, first);

    let second = vec![first[2].clone(), first[0].clone()];
    assert_eq!(
        store
            .save_themes(code, &second, 1, &author())
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.themes(code).await.unwrap().themes, second);

    let log = store.audit_entries(code, 0, 100_000).await.unwrap();
    let ours: Vec<_> = log.iter().filter(|e| e.action == "themes").collect();
    assert_eq!(ours.len(), 2);
    assert!(ours[1].before.as_deref().unwrap().contains("防災"));
    assert!(!ours[1].after.as_deref().unwrap().contains("防災"));

    let other = store.themes(&code_of("03201")).await.unwrap();
    assert!(other.themes.is_empty() && other.revision == 0);
}

/// Tags: set against the tags the editor saw (stale otherwise, nothing written), only themes
/// of the list, only existing elements; audited; a theme removed from the list takes its tags.
pub async fn an_elements_themes_are_saved_against_what_its_editor_saw(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(
        store,
        &file.municipality,
        &file.plans[..1],
        ExistingPlan::Refuse,
    )
    .await
    .unwrap();
    let plan = file.plans[0].header().id.clone();
    let elements: Vec<ElementId> = file.plans[0]
        .indicators()
        .iter()
        .map(|i| i.indicator.id.clone())
        .take(2)
        .collect();
    let (a, b) = (&elements[0], &elements[1]);
    let list = vec![
        theme("kosodate", "子育て", &["こそだて"]),
        theme("bosai", "防災", &[]),
    ];
    store.save_themes(code, &list, 0, &author()).await.unwrap();

    store
        .save_element_themes(
            code,
            &plan,
            a,
            &[],
            &codes(&["kosodate", "bosai"]),
            &author(),
        )
        .await
        .unwrap();
    store
        .save_element_themes(code, &plan, b, &[], &codes(&["bosai"]), &author())
        .await
        .unwrap();
    let tag = |e: &ElementId, t: &str| ThemeTag {
        plan: plan.clone(),
        element: e.clone(),
        theme: t.to_owned(),
    };
    let mut want = vec![tag(a, "bosai"), tag(a, "kosodate"), tag(b, "bosai")];
    want.sort();
    assert_eq!(store.themes(code).await.unwrap().tags, want);

    // The editor of b saw no tags: stale, nothing written.
    let stale = store
        .save_element_themes(code, &plan, b, &[], &codes(&["kosodate"]), &author())
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))), "{stale:?}");
    // A theme not in the list is refused.
    let unknown = store
        .save_element_themes(
            code,
            &plan,
            b,
            &codes(&["bosai"]),
            &codes(&["nai"]),
            &author(),
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::Referenced(_))),
        "{unknown:?}"
    );
    // An element that does not exist is refused.
    let missing = store
        .save_element_themes(
            code,
            &plan,
            &ElementId::parse("no-such-element").unwrap(),
            &[],
            &codes(&["bosai"]),
            &author(),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::Stale(_))), "{missing:?}");
    assert_eq!(store.themes(code).await.unwrap().tags, want);

    let log = store.audit_entries(code, 0, 100_000).await.unwrap();
    let ours: Vec<_> = log
        .iter()
        .filter(|e| e.action == "element.themes")
        .collect();
    assert_eq!(ours.len(), 2);
    assert_eq!(ours[0].after.as_deref(), Some("bosai\nkosodate"));
    assert_eq!(ours[0].target, format!("{}/{}", plan.as_str(), a.as_str()));

    // 防災 leaves the list: its tags go with it.
    store
        .save_themes(code, &list[..1], 1, &author())
        .await
        .unwrap();
    assert_eq!(
        store.themes(code).await.unwrap().tags,
        vec![tag(a, "kosodate")]
    );
}
