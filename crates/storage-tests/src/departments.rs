//! The conformance story of the department list: saved whole against its revision, read back
//! in order and exactly, audited with the list before and after, scoped by municipality.

use keikaku_domain::department::Department;
use keikaku_storage::{ExistingPlan, Store, StoreError};

use crate::{author, code_of, example, put};

/// Fills the list of a municipality (for the backup story: every table has rows).
pub(crate) async fn fill(store: &dyn Store, code: &keikaku_domain::MunicipalityCode) {
    store
        .save_departments(code, &[dept("こども家庭課", "0191-21-2111")], 0, &author())
        .await
        .unwrap();
}

fn dept(name: &str, phone: &str) -> Department {
    Department {
        name: name.to_owned(),
        phone: phone.to_owned(),
        email: format!("{}@city.example.jp", name.len()),
        website: "https://www.city.example.jp/課/".to_owned(),
    }
}

/// The list: empty at revision 0; saved against the revision read, in the order given, text
/// exact; a stale save writes nothing; each save one audit entry with before and after; another
/// municipality's list is its own.
pub async fn the_department_list_is_saved_whole_against_its_revision(store: &dyn Store) {
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
    assert_eq!(store.departments(code).await.unwrap(), (Vec::new(), 0));
    let first = vec![
        dept("農政課", "0191-21-2111 内線8231"),
        dept("こども家庭課", "0191-21-2112"),
        dept("いきいき長寿課", ""),
    ];
    let audit_before = store.audit_entries(code, 0, 100_000).await.unwrap().len();
    assert_eq!(
        store
            .save_departments(code, &first, 0, &author())
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.departments(code).await.unwrap(), (first.clone(), 1));

    // A save from revision 0 again is stale: nothing is written.
    let stale = store
        .save_departments(code, &[dept("企画調整課", "")], 0, &author())
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))), "{stale:?}");
    assert_eq!(store.departments(code).await.unwrap(), (first.clone(), 1));

    // Reordered and shortened: the order is the one given.
    let second = vec![first[2].clone(), first[0].clone()];
    assert_eq!(
        store
            .save_departments(code, &second, 1, &author())
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.departments(code).await.unwrap(), (second.clone(), 2));

    let log = store.audit_entries(code, 0, 100_000).await.unwrap();
    let ours: Vec<_> = log[audit_before..]
        .iter()
        .filter(|e| e.action == "departments")
        .collect();
    assert_eq!(ours.len(), 2);
    assert!(ours[1].before.as_deref().unwrap().contains("こども家庭課"));
    assert!(!ours[1].after.as_deref().unwrap().contains("こども家庭課"));

    // Another municipality has no list of its own.
    assert!(matches!(
        store.departments(&code_of("03201")).await,
        Ok((list, 0)) if list.is_empty()
    ));
}
