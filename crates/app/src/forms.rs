//! The forms of the staff workspace and the edit API, in one place: which fields an element
//! kind (or the plan's own texts) has, how each is entered and checked, and how a checked value
//! is read from and written into the stored element. The fields, their labels and value types
//! come from the domain's vocabulary ([`keikaku_domain::plan::kinds`]); every match over them
//! here is exhaustive, so a new field cannot be silently ignored.

use std::str::FromStr;

use keikaku_domain::era::FiscalYear;
use keikaku_domain::plan::validate::{Path, Segment};
use keikaku_domain::plan::year_lines;
use keikaku_domain::{ElementField, ElementKind, FieldDef, HeaderField, PlanKind, ValueType};
use keikaku_planfile::FileProblem;
use keikaku_storage::rows::{ElementRow, PlanRow};
use rust_decimal::Decimal;

/// How a field is entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Line,
    /// Several lines of text.
    Text,
    /// A fiscal year (2025, 令和7年度, R7 …), stored as the Western year.
    Year,
    /// A decimal number (full-width digits and thousands separators accepted).
    Decimal,
    /// One of fixed codes, with their labels.
    Choice(&'static [(&'static str, &'static str)]),
    /// One of the plan's まちづくりの目標 (goals).
    Goal,
    /// A whole number ≥ 0 (全角 digits accepted), or empty.
    Count,
    /// Values by fiscal year, one line each (「令和3年度 105」), stored in canonical text.
    YearValues,
    /// Notes by fiscal year, one line each (「令和3年度 調査方法を変更」).
    YearNotes,
    /// Yes or no: a checkbox, stored as [`FLAG_YES`] or empty.
    Flag,
}

/// The text of a set flag, as forms send it and the API and audit log show it.
pub const FLAG_YES: &str = "yes";

impl From<ValueType> for Input {
    fn from(t: ValueType) -> Self {
        match t {
            ValueType::Line => Self::Line,
            ValueType::Text => Self::Text,
            ValueType::FiscalYear => Self::Year,
            ValueType::Decimal => Self::Decimal,
            ValueType::Choice(c) => Self::Choice(c),
            ValueType::Goal => Self::Goal,
            ValueType::Count => Self::Count,
            ValueType::YearValues => Self::YearValues,
            ValueType::YearNotes => Self::YearNotes,
            ValueType::Flag => Self::Flag,
        }
    }
}

/// Which field a form field writes: one of an element's, or one of the plan's own texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormField {
    /// A field of an element.
    Element(ElementField),
    /// A field of the plan's own texts.
    Header(HeaderField),
}

/// One field of a form: what it writes, its name (form field, JSON key), its Japanese label,
/// how it is entered, and whether it must not be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field it writes.
    pub field: FormField,
    /// The form field (and JSON) name.
    pub name: &'static str,
    /// Japanese label.
    pub label: &'static str,
    /// How it is entered.
    pub input: Input,
    /// Whether it must not be empty.
    pub required: bool,
    /// How to fill it in, shown under the label; empty when the label says enough.
    pub hint: &'static str,
}

impl FieldSpec {
    fn element(def: &FieldDef<ElementField>) -> Self {
        Self {
            field: FormField::Element(def.field),
            name: def.field.name(),
            label: def.label,
            input: def.field.value_type().into(),
            required: def.required,
            hint: def.field.hint().unwrap_or(""),
        }
    }

    fn header(def: &FieldDef<HeaderField>) -> Self {
        Self {
            field: FormField::Header(def.field),
            name: def.field.name(),
            label: def.label,
            input: def.field.value_type().into(),
            required: def.required,
            hint: "",
        }
    }

    /// Whether a department editor leaves it as it is (所管課, the goal of a field).
    pub fn decided_by_planning_office(&self) -> bool {
        matches!(self.field, FormField::Element(f) if f.decided_by_planning_office())
    }
}

/// The fields of an element kind's form, in order.
pub fn fields(kind: ElementKind) -> Vec<FieldSpec> {
    kind.fields().iter().map(FieldSpec::element).collect()
}

/// The fields of a plan's own texts, in order.
pub fn header_fields(plan: PlanKind) -> Vec<FieldSpec> {
    plan.header_fields().iter().map(FieldSpec::header).collect()
}

/// The label of a form field by its name, whatever the kind (the name itself when unknown);
/// for messages about a field named by the API.
pub fn label_of(name: &str) -> &str {
    ElementKind::ALL
        .iter()
        .flat_map(|k| k.fields())
        .map(|d| (d.field.name(), d.label))
        .chain(
            PlanKind::Comprehensive
                .header_fields()
                .iter()
                .map(|d| (d.field.name(), d.label)),
        )
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, l)| l)
}

/// Longest accepted texts (characters): a line, and several lines.
const LINE_MAX: usize = 500;
const TEXT_MAX: usize = 20_000;

/// A problem with a field of a form, by the field's name.
pub(crate) fn problem(name: &str, message: String) -> FileProblem {
    FileProblem {
        path: name.to_owned(),
        message,
    }
}

/// Reads the version (or revision) number a form or request carries, the one rule for all of
/// them: blank is `None` (the writer saw nothing stored), a whole number ≥ 0 is itself, and
/// anything else is `Err` (a tampered or broken form: the caller says where).
pub fn parse_revision(text: &str) -> Result<Option<i64>, BadRevision> {
    match text.trim() {
        "" => Ok(None),
        t if t.bytes().all(|b| b.is_ascii_digit()) => {
            t.parse::<i64>().map(Some).map_err(|_| BadRevision)
        }
        _ => Err(BadRevision),
    }
}

/// A version number that is not one (see [`parse_revision`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadRevision;

/// Reads a decimal the way people type it: full-width digits, `，` or `,` separators.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    year_lines::parse_decimal(text)
}

/// Reads a whole number ≥ 0 the way people type it (full-width digits).
fn parse_count(text: &str) -> Option<u32> {
    let d = parse_decimal(text)?;
    if d.fract().is_zero() && !d.is_sign_negative() {
        u32::from_str(&d.trunc().to_string()).ok()
    } else {
        None
    }
}

/// The checked, normalised value of one field.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Text(String),
    Year(Option<i32>),
}

impl Value {
    fn text(self) -> String {
        match self {
            Self::Text(t) => t,
            Self::Year(y) => y.map(|y| y.to_string()).unwrap_or_default(),
        }
    }

    fn year(self) -> Option<i32> {
        match self {
            Self::Year(y) => y,
            Self::Text(t) => t.trim().parse().ok(),
        }
    }
}

/// Checks what was typed into one field; the message names the field.
pub(crate) fn check_field(
    spec: &FieldSpec,
    raw: &str,
    goals: &[(String, String)],
) -> Result<Value, String> {
    // Browsers send CRLF; stored text uses LF.
    let text = raw.replace("\r\n", "\n");
    let empty = text.trim().is_empty();
    if spec.required && empty {
        return Err(format!("{}を入力してください。", spec.label));
    }
    let chars = text.chars().count();
    if text
        .chars()
        .any(|c| c.is_control() && !(c == '\n' || c == '\t'))
    {
        return Err(format!(
            "{}に制御文字（改行とタブのほかの、表示されない文字）が含まれています。",
            spec.label
        ));
    }
    match spec.input {
        Input::Line if text.contains('\n') => {
            Err(format!("{}は1行で入力してください。", spec.label))
        }
        Input::Line if chars > LINE_MAX => Err(format!(
            "{}は{LINE_MAX}文字以内で入力してください（{chars}文字あります）。",
            spec.label
        )),
        Input::Text if chars > TEXT_MAX => Err(format!(
            "{}は{TEXT_MAX}文字以内で入力してください（{chars}文字あります）。",
            spec.label
        )),
        Input::Line | Input::Text => Ok(Value::Text(text)),
        Input::Year if empty => Ok(Value::Year(None)),
        Input::Year => FiscalYear::parse(text.trim())
            .map(|y| Value::Year(Some(y.year())))
            .map_err(|e| format!("{}: {e}（例: 2025、令和7年度）", spec.label)),
        Input::Decimal if empty => Ok(Value::Text(String::new())),
        Input::Decimal => parse_decimal(&text)
            .map(|d| Value::Text(d.to_string()))
            .ok_or_else(|| format!("{}は数値で入力してください（例: 1234.5）。", spec.label)),
        Input::Count if empty => Ok(Value::Text(String::new())),
        Input::Count => parse_count(&text)
            .map(|n| Value::Text(n.to_string()))
            .ok_or_else(|| format!("{}は0以上の整数で入力してください（例: 2）。", spec.label)),
        Input::YearValues => year_lines::parse_year_values(&text)
            .map(|v| Value::Text(year_lines::year_values_text(&v)))
            .map_err(|e| format!("{}の{e}", spec.label)),
        Input::YearNotes => year_lines::parse_definition_changes(&text)
            .map(|v| Value::Text(year_lines::definition_changes_text(&v)))
            .map_err(|e| format!("{}の{e}", spec.label)),
        Input::Flag => match text.trim() {
            "" | "no" | "false" | "0" => Ok(Value::Text(String::new())),
            "yes" | "true" | "1" | "on" => Ok(Value::Text(FLAG_YES.to_owned())),
            _ => Err(format!(
                "{}は「yes」（はい）か空欄（いいえ）で指定してください。",
                spec.label
            )),
        },
        Input::Choice(_) if empty && !spec.required => Ok(Value::Text(String::new())),
        Input::Choice(choices) => {
            if choices.iter().any(|(code, _)| *code == text) {
                Ok(Value::Text(text))
            } else {
                Err(format!("{}を選んでください。", spec.label))
            }
        }
        Input::Goal => {
            if goals.iter().any(|(id, _)| *id == text) {
                Ok(Value::Text(text))
            } else {
                Err(format!("{}を選んでください。", spec.label))
            }
        }
    }
}

/// An element field's stored value as a form shows it.
pub(crate) fn element_value(row: &ElementRow, field: ElementField) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let year = |v: Option<i32>| v.map(|y| y.to_string()).unwrap_or_default();
    let count = year;
    use ElementField as F;
    match field {
        F::Number => row.number.clone(),
        F::Title => row.title.clone(),
        F::Description => row.description.clone(),
        F::Goal => text(&row.goal_id),
        F::CurrentState => text(&row.current_state),
        F::CourseOfAction => text(&row.course_of_action),
        F::CitizenParticipation => text(&row.citizen_participation),
        F::Department => text(&row.department),
        F::StartYear => year(row.start_year),
        F::EndYear => year(row.end_year),
        F::Unit => text(&row.unit),
        F::Direction => text(&row.direction),
        F::IndicatorType => text(&row.indicator_type),
        F::BaselineValue => text(&row.baseline_value),
        F::BaselineYear => year(row.baseline_year),
        F::TargetValue => text(&row.target_value),
        F::TargetYear => year(row.target_year),
        F::CalculationMethod => text(&row.calculation_method),
        F::DataSource => text(&row.data_source),
        F::Code => text(&row.code),
        F::Decimals => count(row.decimals),
        F::InterimTargets => text(&row.interim_targets),
        F::Tolerance => text(&row.tolerance),
        F::CumulativeEntry => text(&row.cumulative_entry),
        F::Acquisition => text(&row.acquisition),
        F::LagYears => count(row.lag_years),
        F::DefinitionChanges => text(&row.definition_changes),
        F::Sample => if row.sample { FLAG_YES } else { "" }.to_owned(),
    }
}

/// Writes a checked value into an element field.
pub(crate) fn set_element(row: &mut ElementRow, field: ElementField, value: Value) {
    use ElementField as F;
    let some = |v: Value| Some(v.text());
    let non_empty = |v: Value| Some(v.text()).filter(|t| !t.is_empty());
    match field {
        F::Number => row.number = value.text(),
        F::Title => row.title = value.text(),
        F::Description => row.description = value.text(),
        F::Goal => row.goal_id = some(value),
        F::CurrentState => row.current_state = some(value),
        F::CourseOfAction => row.course_of_action = some(value),
        F::CitizenParticipation => row.citizen_participation = some(value),
        F::Department => row.department = some(value),
        F::StartYear => row.start_year = value.year(),
        F::EndYear => row.end_year = value.year(),
        F::Unit => row.unit = some(value),
        F::Direction => row.direction = some(value),
        F::IndicatorType => row.indicator_type = some(value),
        F::BaselineValue => row.baseline_value = non_empty(value),
        F::BaselineYear => row.baseline_year = value.year(),
        F::TargetValue => row.target_value = non_empty(value),
        F::TargetYear => row.target_year = value.year(),
        F::CalculationMethod => row.calculation_method = some(value),
        F::DataSource => row.data_source = some(value),
        F::Code => row.code = some(value),
        F::Decimals => row.decimals = value.year(),
        F::InterimTargets => row.interim_targets = some(value),
        F::Tolerance => row.tolerance = non_empty(value),
        F::CumulativeEntry => row.cumulative_entry = non_empty(value),
        F::Acquisition => row.acquisition = some(value),
        F::LagYears => row.lag_years = value.year(),
        F::DefinitionChanges => row.definition_changes = some(value),
        F::Sample => row.sample = value.text() == FLAG_YES,
    }
}

/// A field of the plan's own texts as stored.
pub(crate) fn header_value(row: &PlanRow, field: HeaderField) -> String {
    match field {
        HeaderField::Title => row.title.clone(),
        HeaderField::Purpose => row.purpose.clone(),
        HeaderField::Scope => row.scope.clone(),
        HeaderField::PeriodDescription => row.period_description.clone(),
        HeaderField::FutureImage => row.future_image.clone().unwrap_or_default(),
        HeaderField::FutureImageNote => row.future_image_note.clone().unwrap_or_default(),
    }
}

/// Writes a checked value into a field of the plan's own texts.
pub(crate) fn set_header(row: &mut PlanRow, field: HeaderField, value: Value) {
    let text = value.text();
    match field {
        HeaderField::Title => row.title = text,
        HeaderField::Purpose => row.purpose = text,
        HeaderField::Scope => row.scope = text,
        HeaderField::PeriodDescription => row.period_description = text,
        HeaderField::FutureImage => row.future_image = Some(text),
        HeaderField::FutureImageNote => row.future_image_note = Some(text),
    }
}

/// Pairs of a value and its year must come together.
pub(crate) fn pair_problems(row: &ElementRow) -> Vec<FileProblem> {
    use ElementField as F;
    let mut out = Vec::new();
    for (value, year, vfield, yfield, label) in [
        (
            &row.baseline_value,
            row.baseline_year,
            F::BaselineValue,
            F::BaselineYear,
            "基準値",
        ),
        (
            &row.target_value,
            row.target_year,
            F::TargetValue,
            F::TargetYear,
            "目標値",
        ),
    ] {
        match (value.is_some(), year.is_some()) {
            (true, false) => out.push(problem(
                yfield.name(),
                format!("{label}を入力したときは、その年度も入力してください。"),
            )),
            (false, true) => out.push(problem(
                vfield.name(),
                format!("{label}の年度を入力したときは、{label}も入力してください。"),
            )),
            _ => {}
        }
    }
    out
}

/// The form field a validation problem concerns: the plan file's member names mapped to the
/// fields that edit them (`links` for the link choices).
pub(crate) fn field_of(path: &Path) -> String {
    let last = path.0.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(*k),
        Segment::Index(_) => None,
    });
    match last.unwrap_or("") {
        "goal" => ElementField::Goal.name().to_owned(),
        "start" => ElementField::StartYear.name().to_owned(),
        "end" => ElementField::EndYear.name().to_owned(),
        "baseline" => ElementField::BaselineValue.name().to_owned(),
        "target" => ElementField::TargetValue.name().to_owned(),
        "period" => HeaderField::PeriodDescription.name().to_owned(),
        "measures" | "linked_measures" | "linked_priority_projects" => "links".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keikaku_domain::plan::kinds::DIRECTIONS;

    #[test]
    fn revisions_are_blank_or_whole_numbers() {
        for (text, read) in [
            ("", Ok(None)),
            ("  ", Ok(None)),
            ("0", Ok(Some(0))),
            (" 12 ", Ok(Some(12))),
            ("-1", Err(BadRevision)),
            ("+3", Err(BadRevision)),
            ("１２", Err(BadRevision)),
            ("1.0", Err(BadRevision)),
            ("99999999999999999999", Err(BadRevision)),
            ("abc", Err(BadRevision)),
        ] {
            assert_eq!(parse_revision(text), read, "{text:?}");
        }
    }

    fn spec(input: Input, required: bool) -> FieldSpec {
        FieldSpec {
            field: FormField::Element(ElementField::Title),
            name: "x",
            label: "値",
            input,
            required,
            hint: "",
        }
    }

    #[test]
    fn decimals_are_read_as_typed() {
        assert_eq!(
            parse_decimal("１，２３４．５"),
            Decimal::from_str("1234.5").ok()
        );
        assert_eq!(parse_decimal(" 12,000 "), Decimal::from_str("12000").ok());
        assert_eq!(parse_decimal("－3"), Decimal::from_str("-3").ok());
        assert_eq!(parse_decimal("abc"), None);
    }

    #[test]
    fn fields_are_checked_with_japanese_messages() {
        let e = |input, required, raw: &str| match check_field(&spec(input, required), raw, &[]) {
            Ok(_) => String::new(),
            Err(m) => m,
        };
        assert_eq!(e(Input::Line, true, " "), "値を入力してください。");
        assert_eq!(e(Input::Line, false, "a\nb"), "値は1行で入力してください。");
        assert!(e(Input::Line, false, &"あ".repeat(501)).contains("500文字以内"));
        assert_eq!(e(Input::Text, false, "a\r\nb"), "");
        assert_eq!(e(Input::Text, false, "a\tb"), "");
        assert!(e(Input::Line, false, "a\u{0}b").contains("制御文字"));
        assert!(e(Input::Text, false, "a\rb").contains("制御文字"));
        assert_eq!(e(Input::Year, false, "令和7年度"), "");
        assert!(e(Input::Year, false, "来年").starts_with("値: "));
        assert_eq!(e(Input::Decimal, false, "1.5"), "");
        assert!(e(Input::Decimal, false, "多い").contains("数値"));
        assert!(e(Input::Choice(DIRECTIONS), true, "up").contains("選んで"));
        assert_eq!(e(Input::Choice(DIRECTIONS), true, "higher"), "");
        assert_eq!(
            check_field(&spec(Input::Year, false), "R7", &[]),
            Ok(Value::Year(Some(2025)))
        );
        assert_eq!(e(Input::Count, false, "２"), "");
        assert!(e(Input::Count, false, "1.5").contains("0以上の整数"));
        assert!(e(Input::Count, false, "-1").contains("0以上の整数"));
        assert_eq!(e(Input::Choice(DIRECTIONS), false, ""), "");
        assert_eq!(
            e(Input::YearValues, false, "令和3年度 105\n令和4年度"),
            "値の2行目「令和4年度」: 年度と値を空白で区切ってください（例: 令和3年度 105）。"
        );
        assert!(e(Input::YearNotes, false, "R3").starts_with("値の1行目「R3」"));
    }

    #[test]
    fn lists_by_year_are_stored_canonically() {
        assert_eq!(
            check_field(
                &spec(Input::YearValues, false),
                "令和3年度\t１，０５０\r\n\r\nR5 1100",
                &[]
            ),
            Ok(Value::Text("2021 1050\n2023 1100".to_owned()))
        );
        assert_eq!(
            check_field(
                &spec(Input::YearNotes, false),
                "平成30年度　対象を拡大",
                &[]
            ),
            Ok(Value::Text("2018 対象を拡大".to_owned()))
        );
    }

    #[test]
    fn every_field_is_read_back_as_written() {
        for kind in ElementKind::ALL {
            for spec in fields(kind) {
                let FormField::Element(field) = spec.field else {
                    panic!("{kind:?}: an element form writes element fields");
                };
                let mut row = ElementRow::default();
                let typed = match spec.input {
                    Input::Year => "2025",
                    Input::Decimal => "12.5",
                    Input::Choice(c) => c[0].0,
                    Input::Count => "2",
                    Input::YearValues => "2021 105\n2023 107.5",
                    Input::YearNotes => "2021 調査方法を変更",
                    Input::Flag => FLAG_YES,
                    _ => "あいう",
                };
                let value = check_field(&spec, typed, &[(typed.to_owned(), String::new())])
                    .unwrap_or_else(|m| panic!("{kind:?} {}: {m}", spec.name));
                set_element(&mut row, field, value);
                assert_eq!(element_value(&row, field), typed, "{kind:?} {}", spec.name);
            }
        }
        for plan in [PlanKind::Comprehensive, PlanKind::Strategy] {
            for spec in header_fields(plan) {
                let FormField::Header(field) = spec.field else {
                    panic!("a header form writes header fields");
                };
                let mut row = PlanRow::default();
                set_header(&mut row, field, Value::Text("計画".into()));
                assert_eq!(header_value(&row, field), "計画");
            }
        }
    }

    #[test]
    fn labels_come_from_the_vocabulary() {
        assert_eq!(label_of("target_year"), "目標値の年度");
        assert_eq!(label_of("future_image"), "将来像");
        assert_eq!(label_of("unknown"), "unknown");
        let kpi = fields(ElementKind::Kpi);
        assert_eq!(kpi[0].label, "指標名");
        assert!(
            kpi.iter()
                .any(|s| s.name == "department" && s.decided_by_planning_office())
        );
    }
}
