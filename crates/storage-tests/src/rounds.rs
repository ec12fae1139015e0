//! The conformance story of verification rounds: a department's assessments and submission,
//! the planning office's return, the panel's part and the city's response, each write checked
//! against the revision the writer saw and audited; publication freezes a report, nothing of
//! the departments changes while published, a re-opened round keeps its published report
//! until the next publication; rounds survive a plan's replacement. The panel's remarks and
//! overall opinion are one write, all or nothing.

use keikaku_domain::Plan;
use keikaku_domain::audit::verify_chain;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{FutureCourse, PanelRating, RoundState, SubmissionState};
use keikaku_storage::{
    AssessmentPart, AssessmentWrite, ExistingPlan, OpinionWrite, RoundChange, Store, StoreError,
};

use crate::{author, example, put};

/// The whole round of one year, as the story above says.
#[allow(clippy::too_many_lines)] // one story: a round from the first analysis to re-opening
pub async fn a_round_is_versioned_audited_and_published(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let strategy: &Plan = file
        .plans
        .iter()
        .find(|p| !p.indicators().is_empty())
        .unwrap();
    let plan = &strategy.header().id;
    let places = strategy.indicators();
    let (a, b) = (&places[0].indicator.id, &places[1].indicator.id);
    let year = FiscalYear::new(2017).unwrap();
    let fresh = store.round(code, plan, year).await.unwrap();
    assert_eq!(fresh.round.state, RoundState::Open);
    assert_eq!(fresh.round.revision, 0);
    assert!(fresh.submissions.is_empty() && fresh.assessments.is_empty());

    // The department's analysis, exact text; a second writer from revision 0 is stale.
    let dept = |analysis: &str, expected| AssessmentWrite {
        indicator: a.clone(),
        part: AssessmentPart::Department {
            analysis: analysis.to_owned(),
            course: Some(FutureCourse::Improve),
            department: "企画調整課".to_owned(),
        },
        expected,
    };
    let saved = store
        .save_assessments(
            code,
            plan,
            year,
            &[dept("要因は\n「雇用」", 0)],
            None,
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(saved[0].revision, 1);
    assert_eq!(saved[0].analysis, "要因は\n「雇用」");
    let stale = store
        .save_assessments(code, plan, year, &[dept("別の分析", 0)], None, &author())
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(ref s)) if s == a.as_str()));
    // All or nothing: a good write beside a stale one writes nothing.
    let other = AssessmentWrite {
        indicator: b.clone(),
        part: AssessmentPart::Department {
            analysis: "b".to_owned(),
            course: None,
            department: "企画調整課".to_owned(),
        },
        expected: 0,
    };
    let stale = store
        .save_assessments(
            code,
            plan,
            year,
            &[other.clone(), dept("x", 0)],
            None,
            &author(),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))));
    assert_eq!(
        store
            .round(code, plan, year)
            .await
            .unwrap()
            .assessments
            .len(),
        1
    );
    // An unchanged write is skipped (no new revision, no audit entry).
    let entries = store.audit_entries(code, 0, 10_000).await.unwrap().len();
    let same = store
        .save_assessments(
            code,
            plan,
            year,
            &[dept("要因は\n「雇用」", 1)],
            None,
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(same[0].revision, 1);
    assert_eq!(
        store.audit_entries(code, 0, 10_000).await.unwrap().len(),
        entries
    );

    // Submission, return with a comment, resubmission.
    let r = store
        .save_submission(
            code,
            plan,
            year,
            "企画調整課",
            SubmissionState::Submitted,
            "",
            0,
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(r, 1);
    // While the part is submitted, the department's analysis is refused inside the write.
    let refused = store
        .save_assessments(
            code,
            plan,
            year,
            &[dept("提出後の分析", 99)],
            None,
            &author(),
        )
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Stale(d)) if d == "企画調整課"),
        "{refused:?}"
    );
    let stale = store
        .save_submission(
            code,
            plan,
            year,
            "企画調整課",
            SubmissionState::Approved,
            "",
            0,
            &author(),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))));
    let r = store
        .save_submission(
            code,
            plan,
            year,
            "企画調整課",
            SubmissionState::Returned,
            "根拠を追記",
            r,
            &author(),
        )
        .await
        .unwrap();
    let data = store.round(code, plan, year).await.unwrap();
    assert_eq!(data.submissions[0].state, SubmissionState::Returned);
    assert_eq!(data.submissions[0].comment, "根拠を追記");
    assert_eq!(data.submissions[0].revision, r);

    // The panel's part and the response keep the department's part.
    let panel = AssessmentWrite {
        indicator: a.clone(),
        part: AssessmentPart::Panel {
            rating: Some(PanelRating::MostlyAppropriate),
            remark: "周知を".to_owned(),
        },
        expected: 1,
    };
    store
        .save_assessments(code, plan, year, &[panel], None, &author())
        .await
        .unwrap();
    let response = AssessmentWrite {
        indicator: a.clone(),
        part: AssessmentPart::Response {
            response: "広報で周知する".to_owned(),
        },
        expected: 2,
    };
    store
        .save_assessments(code, plan, year, &[response], None, &author())
        .await
        .unwrap();
    let stored = &store.round(code, plan, year).await.unwrap().assessments[0];
    assert_eq!(stored.analysis, "要因は\n「雇用」");
    assert_eq!(stored.course, Some(FutureCourse::Improve));
    assert_eq!(stored.rating, Some(PanelRating::MostlyAppropriate));
    assert_eq!(stored.remark, "周知を");
    assert_eq!(stored.response, "広報で周知する");
    assert_eq!(stored.revision, 3);

    // The opinion, then publication.
    let rev = store
        .save_round(
            code,
            plan,
            year,
            &RoundChange::Opinion("総合的に妥当".to_owned()),
            0,
            &author(),
        )
        .await
        .unwrap();
    assert!(
        store
            .published_reports(code, plan)
            .await
            .unwrap()
            .is_empty()
    );
    let stale = store
        .save_round(
            code,
            plan,
            year,
            &RoundChange::Publish {
                report: "x".to_owned(),
                made_at: None,
            },
            0,
            &author(),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))));
    // A report made before another write (here the opinion of another year) is refused: what
    // is frozen must be what is stored.
    let made_at = store.data_version(code).await.unwrap();
    store
        .save_round(
            code,
            plan,
            FiscalYear::new(2019).unwrap(),
            &RoundChange::Opinion("別の年度".to_owned()),
            0,
            &author(),
        )
        .await
        .unwrap();
    let refused = store
        .save_round(
            code,
            plan,
            year,
            &RoundChange::Publish {
                report: "古い".to_owned(),
                made_at: Some(made_at),
            },
            rev,
            &author(),
        )
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Stale(w)) if w == "report"),
        "{refused:?}"
    );
    let rev = store
        .save_round(
            code,
            plan,
            year,
            &RoundChange::Publish {
                report: "第1版".to_owned(),
                made_at: Some(store.data_version(code).await.unwrap()),
            },
            rev,
            &author(),
        )
        .await
        .unwrap();
    let round = store.round(code, plan, year).await.unwrap().round;
    assert_eq!(
        (round.state, round.publications, round.opinion.as_str()),
        (RoundState::Published, 1, "総合的に妥当")
    );
    // Nothing of the departments or the opinion changes while published.
    let refused = store
        .save_assessments(code, plan, year, &[dept("後から", 3)], None, &author())
        .await;
    assert!(matches!(refused, Err(StoreError::Stale(ref s)) if s == "round"));
    let refused = store
        .save_submission(
            code,
            plan,
            year,
            "企画調整課",
            SubmissionState::Submitted,
            "",
            r,
            &author(),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Stale(ref s)) if s == "round"));
    let refused = store
        .save_round(
            code,
            plan,
            year,
            &RoundChange::Opinion("y".to_owned()),
            rev,
            &author(),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Stale(_))));

    // Re-opened: the published report stays until the next publication.
    let rev = store
        .save_round(code, plan, year, &RoundChange::Reopen, rev, &author())
        .await
        .unwrap();
    let reports = store.published_reports(code, plan).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        (reports[0].number, reports[0].report.as_str()),
        (1, "第1版")
    );
    assert_eq!(reports[0].fiscal_year, year);
    store
        .save_round(
            code,
            plan,
            year,
            &RoundChange::Publish {
                report: "第2版".to_owned(),
                made_at: None,
            },
            rev,
            &author(),
        )
        .await
        .unwrap();
    let reports = store.published_reports(code, plan).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        (reports[0].number, reports[0].report.as_str()),
        (2, "第2版")
    );

    // Every write audited in an intact chain; the round survives the plan's replacement.
    let log = store.audit_entries(code, 0, 10_000).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "kpi.round.assessments",
        "kpi.round.submission",
        "kpi.round.opinion",
        "kpi.round.publish",
        "kpi.round.reopen",
    ] {
        assert!(actions.contains(&action), "{action}");
    }
    assert_eq!(verify_chain(log.iter()), Ok(log.len() as u64));
    put(
        store,
        &file.municipality,
        &file.plans,
        ExistingPlan::Replace,
    )
    .await
    .unwrap();
    let data = store.round(code, plan, year).await.unwrap();
    assert_eq!(data.assessments.len(), 1);
    assert_eq!(data.submissions.len(), 1);
    assert_eq!(store.published_reports(code, plan).await.unwrap().len(), 1);
    // Another year is another round.
    let next = store
        .round(code, plan, FiscalYear::new(2018).unwrap())
        .await
        .unwrap();
    assert_eq!(next.round.revision, 0);
}

/// The panel's remarks and its overall opinion are one write: a stale opinion leaves the
/// remarks beside it unwritten, a stale remark the opinion; a good write stores both with an
/// audit entry for each; an opinion equal to the stored one changes nothing and is not checked.
#[allow(clippy::too_many_lines)] // one story: every way the two parts meet
pub async fn the_panel_writes_its_remarks_and_opinion_at_once(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let strategy: &Plan = file
        .plans
        .iter()
        .find(|p| !p.indicators().is_empty())
        .unwrap();
    let plan = &strategy.header().id;
    let a = &strategy.indicators()[0].indicator.id;
    let year = FiscalYear::new(2017).unwrap();
    let remark = |text: &str, expected| AssessmentWrite {
        indicator: a.clone(),
        part: AssessmentPart::Panel {
            rating: Some(PanelRating::Appropriate),
            remark: text.to_owned(),
        },
        expected,
    };
    let opinion = |text: &str, expected| OpinionWrite {
        text: text.to_owned(),
        expected,
    };
    let entries = || async { store.audit_entries(code, 0, 10_000).await.unwrap() };

    // Both written, each audited.
    let before = entries().await.len();
    let saved = store
        .save_assessments(
            code,
            plan,
            year,
            &[remark("周知を", 0)],
            Some(&opinion("おおむね妥当", 0)),
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(saved[0].revision, 1);
    let data = store.round(code, plan, year).await.unwrap();
    assert_eq!(
        (data.round.opinion.as_str(), data.round.revision),
        ("おおむね妥当", 1)
    );
    let log = entries().await;
    let actions: Vec<&str> = log[before..].iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["kpi.round.assessments", "kpi.round.opinion"]);
    assert_eq!(log.last().unwrap().after.as_deref(), Some("おおむね妥当"));
    assert_eq!(verify_chain(log.iter()), Ok(log.len() as u64));

    // A stale opinion: the fresh remark beside it is not written.
    let stale = store
        .save_assessments(
            code,
            plan,
            year,
            &[remark("後からの指摘", 1)],
            Some(&opinion("別の意見", 0)),
            &author(),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(ref s)) if s == "opinion"));
    // A stale remark: the fresh opinion beside it is not written.
    let stale = store
        .save_assessments(
            code,
            plan,
            year,
            &[remark("後からの指摘", 0)],
            Some(&opinion("別の意見", 1)),
            &author(),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(ref s)) if s == a.as_str()));
    let data = store.round(code, plan, year).await.unwrap();
    assert_eq!(data.round.opinion, "おおむね妥当");
    assert_eq!(data.round.revision, 1);
    assert_eq!(
        (
            data.assessments[0].remark.as_str(),
            data.assessments[0].revision
        ),
        ("周知を", 1)
    );
    assert_eq!(entries().await.len(), log.len(), "nothing audited");

    // The opinion alone, from the round's revision; then one left as it is, even from an older
    // revision, writes only the remark.
    store
        .save_assessments(code, plan, year, &[], Some(&opinion("妥当", 1)), &author())
        .await
        .unwrap();
    let saved = store
        .save_assessments(
            code,
            plan,
            year,
            &[remark("周知を強化", 1)],
            Some(&opinion("妥当", 0)),
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(saved[0].revision, 2);
    let data = store.round(code, plan, year).await.unwrap();
    assert_eq!(
        (data.round.opinion.as_str(), data.round.revision),
        ("妥当", 2)
    );
    let log = entries().await;
    assert_eq!(log.last().unwrap().action, "kpi.round.assessments");

    // Published: neither part is written.
    store
        .save_round(
            code,
            plan,
            year,
            &RoundChange::Publish {
                report: "第1版".to_owned(),
                made_at: None,
            },
            2,
            &author(),
        )
        .await
        .unwrap();
    let refused = store
        .save_assessments(
            code,
            plan,
            year,
            &[remark("公表後", 2)],
            Some(&opinion("公表後", 3)),
            &author(),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Stale(ref s)) if s == "round"));
    let data = store.round(code, plan, year).await.unwrap();
    assert_eq!(data.round.opinion, "妥当");
    assert_eq!(data.assessments[0].remark, "周知を強化");
}
