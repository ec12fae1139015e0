//! The verification round's steps as a table: every (round state, submission state, step)
//! with its outcome, the round's own steps, the codes of the vocabularies and the text checks.
#![allow(clippy::unwrap_used)]

use keikaku_domain::kpi::{
    FutureCourse, PanelRating, RoundState, RoundStep, SubmissionState, check_text, round_after,
    submission_after,
};

#[test]
fn department_steps() {
    use RoundStep::{Approve, Publish, Reopen, Return, Submit};
    use SubmissionState::{Approved, Draft, Returned, Submitted};
    let table: &[(SubmissionState, RoundStep, Option<SubmissionState>)] = &[
        (Draft, Submit, Some(Submitted)),
        (Draft, Approve, None),
        (Draft, Return, None),
        (Submitted, Submit, None),
        (Submitted, Approve, Some(Approved)),
        (Submitted, Return, Some(Returned)),
        (Approved, Submit, None),
        (Approved, Approve, None),
        (Approved, Return, Some(Returned)),
        (Returned, Submit, Some(Submitted)),
        (Returned, Approve, None),
        (Returned, Return, None),
        (Draft, Publish, None),
        (Submitted, Reopen, None),
    ];
    for (from, step, to) in table {
        let got = submission_after(RoundState::Open, *from, *step);
        assert_eq!(got.as_ref().ok(), to.as_ref(), "{from:?} {step:?}");
        if let Err(why) = got {
            assert!(!why.is_empty());
        }
        // nothing moves while the round is published
        let published = submission_after(RoundState::Published, *from, *step);
        assert!(published.unwrap_err().contains("公表済み"));
    }
}

#[test]
fn round_steps() {
    let table: &[(RoundState, RoundStep, Option<RoundState>)] = &[
        (
            RoundState::Open,
            RoundStep::Publish,
            Some(RoundState::Published),
        ),
        (RoundState::Open, RoundStep::Reopen, None),
        (
            RoundState::Published,
            RoundStep::Reopen,
            Some(RoundState::Open),
        ),
        (RoundState::Published, RoundStep::Publish, None),
        (RoundState::Open, RoundStep::Submit, None),
        (RoundState::Published, RoundStep::Approve, None),
    ];
    for (from, step, to) in table {
        assert_eq!(round_after(*from, *step).ok(), *to, "{from:?} {step:?}");
    }
}

#[test]
fn editable_only_before_submission_or_after_return() {
    let editable: Vec<_> = SubmissionState::ALL
        .into_iter()
        .filter(|s| s.editable())
        .collect();
    assert_eq!(
        editable,
        [SubmissionState::Draft, SubmissionState::Returned]
    );
}

#[test]
fn codes_round_trip_and_labels() {
    for c in FutureCourse::ALL {
        assert_eq!(FutureCourse::from_code(c.code()), Some(c));
    }
    let labels: Vec<_> = FutureCourse::ALL.iter().map(|c| c.label()).collect();
    assert_eq!(labels, ["拡充", "継続", "改善", "縮小", "廃止", "完了"]);
    for r in PanelRating::ALL {
        assert_eq!(PanelRating::from_code(r.code()), Some(r));
    }
    for s in SubmissionState::ALL {
        assert_eq!(SubmissionState::from_code(s.code()), Some(s));
    }
    for s in RoundState::ALL {
        assert_eq!(RoundState::from_code(s.code()), Some(s));
    }
    assert_eq!(FutureCourse::from_code("拡充"), None);
    assert_eq!(RoundState::Published.label(), "公表済み");
}

#[test]
fn texts_are_checked() {
    assert_eq!(check_text("要因分析", "a\r\nb  \n").unwrap(), "a\nb");
    assert_eq!(check_text("要因分析", "").unwrap(), "");
    let long = "あ".repeat(4_001);
    assert_eq!(
        check_text("要因分析", &long).unwrap_err(),
        "要因分析は4000文字以内で入力してください。"
    );
    assert!(check_text("指摘事項", &"あ".repeat(4_000)).is_ok());
    assert!(
        check_text("指摘事項", "a\u{7}b")
            .unwrap_err()
            .starts_with("指摘事項")
    );
    assert_eq!(check_text("総合意見", "a\tb").unwrap(), "a\tb");
}
