//! The yearly cycle of an edition: its state (作成中 → 確定 → 公表), each department's part
//! (未提出 → 提出済み → 承認 | 差戻し, the same states as a verification round's), and the
//! steps between them with the Japanese reason when a step is not possible.
//!
//! The flow: the planning office opens the edition (by rolling the last one); each department
//! enters its programs and submits; the planning office approves each part or returns it with
//! a comment; once every department is approved it fixes the edition (確定: read-only), and
//! may then publish it (公表: the public site shows it). A fixed edition can be re-opened
//! (確定の取消し) until it is published; a published edition never changes.

pub use crate::kpi::SubmissionState;

/// The state of an edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EditionState {
    /// 作成中: departments enter and submit, the planning office reviews.
    Draft,
    /// 確定: read-only; may be published.
    Fixed,
    /// 公表: read-only and on the public site.
    Published,
}

impl EditionState {
    /// Every state, in the order of the cycle.
    pub const ALL: [Self; 3] = [Self::Draft, Self::Fixed, Self::Published];

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Fixed => "fixed",
            Self::Published => "published",
        }
    }

    /// The state of a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Draft => "作成中",
            Self::Fixed => "確定",
            Self::Published => "公表",
        }
    }

    /// Whether programs may be changed.
    pub const fn editable(self) -> bool {
        matches!(self, Self::Draft)
    }
}

/// A step of the cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EditionStep {
    /// A department submits its programs (提出).
    Submit,
    /// The planning office accepts a submitted part (承認).
    Approve,
    /// The planning office returns a part with a comment (差戻し).
    Return,
    /// The planning office fixes the edition (確定).
    Fix,
    /// The planning office re-opens a fixed edition (確定の取消し).
    Unfix,
    /// The planning office publishes a fixed edition (公表).
    Publish,
}

impl EditionStep {
    /// Every step.
    pub const ALL: [Self; 6] = [
        Self::Submit,
        Self::Approve,
        Self::Return,
        Self::Fix,
        Self::Unfix,
        Self::Publish,
    ];

    /// The code in URLs and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Return => "return",
            Self::Fix => "fix",
            Self::Unfix => "unfix",
            Self::Publish => "publish",
        }
    }

    /// The step of a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Japanese label (the button).
    pub const fn label(self) -> &'static str {
        match self {
            Self::Submit => "提出",
            Self::Approve => "承認",
            Self::Return => "差戻し",
            Self::Fix => "確定",
            Self::Unfix => "確定の取消し",
            Self::Publish => "公表",
        }
    }

    /// Whether the step moves a department's part (提出, 承認, 差戻し) rather than the edition.
    pub const fn of_department(self) -> bool {
        matches!(self, Self::Submit | Self::Approve | Self::Return)
    }
}

/// The state a department's part moves to by a step, in an edition of the given state, or why
/// the step is not possible now.
pub fn part_after(
    edition: EditionState,
    from: SubmissionState,
    step: EditionStep,
) -> Result<SubmissionState, String> {
    use SubmissionState::{Approved, Draft, Returned, Submitted};
    if !edition.editable() {
        return Err(format!(
            "この版は「{}」のため、提出・承認・差戻しはできません。",
            edition.label()
        ));
    }
    match (step, from) {
        (EditionStep::Submit, Draft | Returned) => Ok(Submitted),
        (EditionStep::Approve, Submitted) => Ok(Approved),
        (EditionStep::Return, Submitted | Approved) => Ok(Returned),
        (EditionStep::Submit, _) => Err(format!(
            "この課の事業は「{}」のため、提出できません。",
            from.label()
        )),
        (EditionStep::Approve | EditionStep::Return, _) => Err(format!(
            "この課の事業は「{}」のため、{}はできません。",
            from.label(),
            step.label()
        )),
        (EditionStep::Fix | EditionStep::Unfix | EditionStep::Publish, _) => Err(format!(
            "「{}」は版全体の操作です。課の提出には使えません。",
            step.label()
        )),
    }
}

/// The state an edition moves to by a step, given the state of every department's part and
/// how many programs it has, or why the step is not possible now.
pub fn edition_after(
    state: EditionState,
    step: EditionStep,
    parts: &[(String, SubmissionState)],
    programs: usize,
) -> Result<EditionState, String> {
    match (step, state) {
        (EditionStep::Fix, EditionState::Draft) => {
            if programs == 0 {
                return Err("事業が1件もないため、確定できません。".to_owned());
            }
            let waiting: Vec<&str> = parts
                .iter()
                .filter(|(_, s)| *s != SubmissionState::Approved)
                .map(|(d, _)| d.as_str())
                .collect();
            if waiting.is_empty() {
                Ok(EditionState::Fixed)
            } else {
                Err(format!(
                    "承認されていない課があるため、確定できません（{}）。",
                    waiting.join("、")
                ))
            }
        }
        (EditionStep::Unfix, EditionState::Fixed) => Ok(EditionState::Draft),
        (EditionStep::Publish, EditionState::Fixed) => Ok(EditionState::Published),
        (EditionStep::Fix | EditionStep::Unfix | EditionStep::Publish, _) => Err(format!(
            "この版は「{}」のため、{}はできません。",
            state.label(),
            step.label()
        )),
        (EditionStep::Submit | EditionStep::Approve | EditionStep::Return, _) => Err(format!(
            "「{}」は課の操作です。版全体には使えません。",
            step.label()
        )),
    }
}
