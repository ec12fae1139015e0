//! The yearly verification round (効果検証) of a plan and fiscal year: its state, the state of
//! each department's part (所管課の提出), the steps between them, the vocabulary a department
//! and the expert panel choose from (今後の方向性, 委員評価), and the checks of what they type.
//!
//! The flow: each department enters its analysis (要因分析) and future course (今後の方向性)
//! per indicator and submits its part; the planning office approves it or returns it with a
//! comment (the department corrects and submits again); the expert panel (委員) records its
//! assessment and remarks per indicator and an overall opinion; the planning office records
//! the city's response to each remark and publishes the round's report. A published round can
//! be re-opened (and published again); nothing of a department changes while it is published.

/// The state of a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundState {
    /// 検証中: departments enter and submit, the office reviews, the panel assesses.
    Open,
    /// 公表済み: the report is published; nothing changes until the round is re-opened.
    Published,
}

impl RoundState {
    /// Both states.
    pub const ALL: [Self; 2] = [Self::Open, Self::Published];

    /// The stable code used in the database.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Published => "published",
        }
    }

    /// Parses [`RoundState::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Open => "検証中",
            Self::Published => "公表済み",
        }
    }
}

/// The state of one department's part of a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubmissionState {
    /// 未提出: the department is still entering.
    Draft,
    /// 提出済み: waiting for the planning office.
    Submitted,
    /// 承認: accepted by the planning office.
    Approved,
    /// 差戻し: returned with a comment; the department corrects and submits again.
    Returned,
}

impl SubmissionState {
    /// Every state.
    pub const ALL: [Self; 4] = [Self::Draft, Self::Submitted, Self::Approved, Self::Returned];

    /// The stable code used in the database.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Returned => "returned",
        }
    }

    /// Parses [`SubmissionState::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Draft => "未提出",
            Self::Submitted => "提出済み",
            Self::Approved => "承認",
            Self::Returned => "差戻し",
        }
    }

    /// Whether the department may still change its analyses and courses.
    pub const fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

/// A step of the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundStep {
    /// The department submits its part (提出).
    Submit,
    /// The planning office accepts a submitted part (承認).
    Approve,
    /// The planning office returns a part with a comment (差戻し).
    Return,
    /// The planning office publishes the round's report (公表).
    Publish,
    /// The planning office re-opens a published round (公表の取消し・再検証).
    Reopen,
}

impl RoundStep {
    /// Every step.
    pub const ALL: [Self; 5] = [
        Self::Submit,
        Self::Approve,
        Self::Return,
        Self::Publish,
        Self::Reopen,
    ];

    /// Japanese label (the button).
    pub const fn label(self) -> &'static str {
        match self {
            Self::Submit => "提出",
            Self::Approve => "承認",
            Self::Return => "差戻し",
            Self::Publish => "公表",
            Self::Reopen => "再開",
        }
    }
}

/// The state a department's part moves to by a step, in a round of the given state, or why
/// the step is not possible now (Japanese).
pub fn submission_after(
    round: RoundState,
    from: SubmissionState,
    step: RoundStep,
) -> Result<SubmissionState, String> {
    use SubmissionState::{Approved, Draft, Returned, Submitted};
    if round == RoundState::Published {
        return Err(
            "この年度の効果検証は公表済みです。変更するには、企画担当が検証を再開してください。"
                .to_owned(),
        );
    }
    match (from, step) {
        (Draft | Returned, RoundStep::Submit) => Ok(Submitted),
        (Submitted, RoundStep::Approve) => Ok(Approved),
        (Submitted | Approved, RoundStep::Return) => Ok(Returned),
        (Submitted | Approved, RoundStep::Submit) => Err(format!("既に{}です。", from.label())),
        (Draft | Returned, RoundStep::Approve | RoundStep::Return) => {
            Err(format!("まだ提出されていません（{}）。", from.label()))
        }
        (Approved, RoundStep::Approve) => Err("既に承認しています。".to_owned()),
        (_, RoundStep::Publish | RoundStep::Reopen) => {
            Err(format!("「{}」は課の提出には使えません。", step.label()))
        }
    }
}

/// The state a round moves to by a step, or why not (Japanese).
pub fn round_after(from: RoundState, step: RoundStep) -> Result<RoundState, String> {
    match (from, step) {
        (RoundState::Open, RoundStep::Publish) => Ok(RoundState::Published),
        (RoundState::Published, RoundStep::Reopen) => Ok(RoundState::Open),
        (RoundState::Published, RoundStep::Publish) => Err("既に公表しています。".to_owned()),
        (RoundState::Open, RoundStep::Reopen) => {
            Err("公表されていないので、再開できません。".to_owned())
        }
        (_, step) => Err(format!(
            "「{}」は検証全体の操作ではありません。",
            step.label()
        )),
    }
}

/// 今後の方向性: what the department intends for the measure behind an indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FutureCourse {
    /// 拡充.
    Expand,
    /// 継続.
    Continue,
    /// 改善.
    Improve,
    /// 縮小.
    Reduce,
    /// 廃止.
    Abolish,
    /// 完了.
    Complete,
}

impl FutureCourse {
    /// Every course, in the order forms offer them.
    pub const ALL: [Self; 6] = [
        Self::Expand,
        Self::Continue,
        Self::Improve,
        Self::Reduce,
        Self::Abolish,
        Self::Complete,
    ];

    /// The stable code used in the database and forms.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Expand => "expand",
            Self::Continue => "continue",
            Self::Improve => "improve",
            Self::Reduce => "reduce",
            Self::Abolish => "abolish",
            Self::Complete => "complete",
        }
    }

    /// Parses [`FutureCourse::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Expand => "拡充",
            Self::Continue => "継続",
            Self::Improve => "改善",
            Self::Reduce => "縮小",
            Self::Abolish => "廃止",
            Self::Complete => "完了",
        }
    }
}

/// 委員評価: the expert panel's assessment of an indicator's result and the department's
/// analysis, one of a short list (the remark, 指摘事項, is free text beside it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PanelRating {
    /// 妥当である.
    Appropriate,
    /// おおむね妥当である.
    MostlyAppropriate,
    /// 改善が必要である.
    NeedsImprovement,
}

impl PanelRating {
    /// Every rating, best first.
    pub const ALL: [Self; 3] = [
        Self::Appropriate,
        Self::MostlyAppropriate,
        Self::NeedsImprovement,
    ];

    /// The stable code used in the database and forms.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Appropriate => "appropriate",
            Self::MostlyAppropriate => "mostly_appropriate",
            Self::NeedsImprovement => "needs_improvement",
        }
    }

    /// Parses [`PanelRating::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Appropriate => "妥当である",
            Self::MostlyAppropriate => "おおむね妥当である",
            Self::NeedsImprovement => "改善が必要である",
        }
    }
}

/// Longest analysis, remark, response or opinion accepted (characters).
pub const TEXT_MAX: usize = 4_000;

/// Checks a typed text (要因分析, 指摘事項, 対応方針, 総合意見, a comment): line breaks made
/// `\n`, trailing blanks removed, at most [`TEXT_MAX`] characters, no control characters but
/// line breaks and tabs. The message names the field by `label`.
pub fn check_text(label: &str, text: &str) -> Result<String, String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim_end().to_owned();
    if text.chars().count() > TEXT_MAX {
        return Err(format!("{label}は{TEXT_MAX}文字以内で入力してください。"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(format!("{label}に使えない制御文字が含まれています。"));
    }
    Ok(text)
}
