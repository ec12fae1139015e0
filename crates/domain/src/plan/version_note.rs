//! The name and reason of a frozen version (版の名称と理由): what a council member reads beside
//! 「第3版」 — パブコメ案, 答申反映, 議決 — and why it was made. Given when the version is frozen or
//! afterwards; both may stay empty.

/// Longest name of a version, in characters: a short label for lists and headings.
pub const LABEL_MAX: usize = 40;
/// Longest reason, in characters.
pub const REASON_MAX: usize = 1000;

/// A version's name and reason, trimmed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionNote {
    /// The short name, e.g. パブコメ案; empty when none was given.
    pub label: String,
    /// Why the version was made, e.g. 審議会の答申を反映; empty when none was given.
    pub reason: String,
}

/// Which part of a note a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteField {
    /// 名称 (`label`).
    Label,
    /// 理由 (`reason`).
    Reason,
}

impl NoteField {
    /// The form and API field name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Label => "label",
            Self::Reason => "reason",
        }
    }

    /// The Japanese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Label => "版の名称",
            Self::Reason => "版の理由",
        }
    }
}

impl VersionNote {
    /// Checks what was typed: the name on one line of at most [`LABEL_MAX`] characters, the
    /// reason of at most [`REASON_MAX`], neither with control characters (the reason may have
    /// line breaks). Returns every problem with its field and a Japanese message.
    pub fn check(label: &str, reason: &str) -> Result<Self, Vec<(NoteField, String)>> {
        let label = label.trim();
        let reason = reason.trim().replace("\r\n", "\n");
        let mut problems = Vec::new();
        let len = label.chars().count();
        if len > LABEL_MAX {
            problems.push((
                NoteField::Label,
                format!("版の名称は{LABEL_MAX}文字以内で入力してください（{len}文字あります）。"),
            ));
        }
        if label.chars().any(char::is_control) {
            problems.push((
                NoteField::Label,
                "版の名称には改行や制御文字を含められません。".to_owned(),
            ));
        }
        let len = reason.chars().count();
        if len > REASON_MAX {
            problems.push((
                NoteField::Reason,
                format!("版の理由は{REASON_MAX}文字以内で入力してください（{len}文字あります）。"),
            ));
        }
        if reason.chars().any(|c| c.is_control() && c != '\n') {
            problems.push((
                NoteField::Reason,
                "版の理由には制御文字を含められません。".to_owned(),
            ));
        }
        if problems.is_empty() {
            Ok(Self {
                label: label.to_owned(),
                reason,
            })
        } else {
            Err(problems)
        }
    }

    /// Whether neither a name nor a reason was given.
    pub fn is_empty(&self) -> bool {
        self.label.is_empty() && self.reason.is_empty()
    }

    /// The note as the audit log keeps it: 「名称: …」 and 「理由: …」 on two lines.
    pub fn audit_text(&self) -> String {
        format!("名称: {}\n理由: {}", self.label, self.reason)
    }

    /// How a version is named for people: 「第3版（パブコメ案）」, or 「第3版」 without a name.
    pub fn title(&self, number: u32) -> String {
        if self.label.is_empty() {
            format!("第{number}版")
        } else {
            format!("第{number}版（{}）", self.label)
        }
    }
}

/// How many versions stand between a listed version and the one listed before it (the
/// versions that are not listed, e.g. drafts on the public list): `numbers` in ascending order,
/// the result one count per number. The first counts the versions before it.
pub fn unlisted_before(numbers: &[u32]) -> Vec<u32> {
    let mut previous = 0;
    numbers
        .iter()
        .map(|&n| {
            let gap = n.saturating_sub(previous).saturating_sub(1);
            previous = n;
            gap
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_trimmed_and_checked_by_field() {
        let note = VersionNote::check("  パブコメ案 ", "パブリックコメントの\r\nため").unwrap();
        assert_eq!(note.label, "パブコメ案");
        assert_eq!(note.reason, "パブリックコメントの\nため");
        assert_eq!(note.title(4), "第4版（パブコメ案）");
        assert_eq!(VersionNote::default().title(4), "第4版");
        assert!(VersionNote::check("", "").unwrap().is_empty());
        let long = "あ".repeat(LABEL_MAX + 1);
        let problems = VersionNote::check(&format!("{long}\nい"), "\u{7}").unwrap_err();
        let fields: Vec<NoteField> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [NoteField::Label, NoteField::Label, NoteField::Reason]
        );
        assert!(problems[0].1.contains("43文字"));
        assert!(VersionNote::check(&"あ".repeat(LABEL_MAX), &"い".repeat(REASON_MAX)).is_ok());
        assert!(VersionNote::check("", &"い".repeat(REASON_MAX + 1)).is_err());
    }

    #[test]
    fn unlisted_versions_are_counted_between_listed_ones() {
        assert_eq!(unlisted_before(&[1, 4, 5]), [0, 2, 0]);
        assert_eq!(unlisted_before(&[3]), [2]);
        assert!(unlisted_before(&[]).is_empty());
    }
}
