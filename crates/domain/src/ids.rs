//! Identifiers: the municipality code and the stable ids of plans and their elements.
//!
//! Ids are part of URLs, of the plan file and of links from opinions, programs and KPIs
//! (roadmap), so they are short ASCII slugs that never change once given.

use std::fmt;

/// Why an identifier was refused; the message is Japanese, for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdError(pub String);

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IdError {}

/// 市町村コード: the five-digit code of a municipality (e.g. 03209 for 一関市), stored
/// without the check digit. A six-digit code is accepted when its check digit is right.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    /// Parses a five-digit code, or a six-digit code whose last digit is the check digit.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim();
        if !s.chars().all(|c| c.is_ascii_digit()) || !(s.len() == 5 || s.len() == 6) {
            return Err(IdError(format!(
                "市町村コード「{input}」は5桁（または検査数字付きの6桁）の半角数字で指定してください。"
            )));
        }
        let code = &s[..5];
        if s.len() == 6 {
            let expected = check_digit(code);
            if s.as_bytes()[5] - b'0' != expected {
                return Err(IdError(format!(
                    "市町村コード「{input}」の検査数字が正しくありません（正しくは{code}{expected}）。"
                )));
            }
        }
        if &code[..2] == "00" || &code[..2] > "47" {
            return Err(IdError(format!(
                "市町村コード「{input}」の先頭2桁（都道府県コード）は01〜47です。"
            )));
        }
        Ok(Self(code.to_owned()))
    }

    /// The five-digit code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit code with its check digit (全国地方公共団体コード).
    pub fn with_check_digit(&self) -> String {
        format!("{}{}", self.0, check_digit(&self.0))
    }
}

/// The check digit of a five-digit local government code (modulus 11, weights 6..2).
fn check_digit(code: &str) -> u8 {
    let sum: u32 = code
        .bytes()
        .zip([6u32, 5, 4, 3, 2])
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let rem = sum % 11;
    let digit = if rem == 0 { 0 } else { (11 - rem) % 10 };
    // `digit` is below 10 by construction.
    u8::try_from(digit).unwrap_or(0)
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse_slug(input: &str, what: &str) -> Result<String, IdError> {
    let ok = !input.is_empty()
        && input.len() <= 64
        && input
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && input.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(input.to_owned())
    } else {
        Err(IdError(format!(
            "{what}「{input}」は使えません。半角英小文字・数字・「-」「_」の64文字以内で、英数字で始めてください。"
        )))
    }
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses a slug: lowercase ASCII letters, digits, `-` and `_`, at most 64 bytes.
            pub fn parse(input: &str) -> Result<Self, IdError> {
                parse_slug(input, $what).map(Self)
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// The id of a plan, unique within its municipality (e.g. `sogo-keikaku-2016`).
    PlanId,
    "計画ID"
);
slug_id!(
    /// The id of an element of a plan (goal, field, measure, KPI, …), unique within its plan and
    /// stable across versions, so that opinions, programs and KPIs can link to it.
    ElementId,
    "要素ID"
);

/// A reference to an element of a (possibly other) plan of the same municipality.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElementRef {
    /// The plan that holds the element.
    pub plan: PlanId,
    /// The element within that plan.
    pub element: ElementId,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ichinoseki_code_and_check_digit() {
        let code = MunicipalityCode::parse("03209").unwrap();
        assert_eq!(code.with_check_digit(), "032093");
        assert_eq!(MunicipalityCode::parse("032093").unwrap(), code);
        assert!(MunicipalityCode::parse("032094").is_err());
        // Other known codes: 札幌市 011002, 千代田区 131016, 那覇市 472018.
        for six in ["011002", "131016", "472018"] {
            assert_eq!(
                MunicipalityCode::parse(six).unwrap().with_check_digit(),
                six
            );
        }
    }

    #[test]
    fn bad_codes_are_refused_with_a_reason() {
        for bad in ["", "3209", "0320a", "48001", "00100", "0320933"] {
            let err = MunicipalityCode::parse(bad).unwrap_err();
            assert!(err.0.contains("市町村コード"), "{bad}: {err}");
        }
    }

    #[test]
    fn slugs() {
        assert!(PlanId::parse("sogo-keikaku-2016").is_ok());
        assert!(ElementId::parse("field_1-2").is_ok());
        for bad in ["", "-a", "A", "a b", "目標", &"a".repeat(65)] {
            assert!(ElementId::parse(bad).is_err(), "{bad}");
        }
    }
}
