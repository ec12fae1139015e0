//! Reading one row of the program list into a [`Program`]: every cell read as people type it
//! (labels or codes, years in any form, amounts in 千円 with full-width digits, separators and
//! △), every problem kept at its cell, then the domain's own checks placed at the cell they
//! are about.

use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::{
    Account, Activity, Amount, ExpenseType, Funding, FundingPart, FundingProblem, Program,
    ProgramCategory, ProgramCode, ProgramProblem, ProgramYear, Yen,
};
use keikaku_domain::{ElementId, ElementRef, PlanId};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::column::{Column, YearField};
use super::{index, place};
use crate::error::SheetError;
use crate::grid::{Grid, Raw};
use crate::value::{fold_width, is_no_value};

/// A problem of a row with its column's index (for the order of the report).
pub(crate) struct Placed {
    /// The 0-based column; `u32::MAX` when the sheet has no such column.
    pub col: u32,
    pub error: SheetError,
}

/// A problem at a column of a 1-based row.
pub(crate) fn placed(
    grid: &Grid,
    row: u32,
    columns: &[(Column, u32)],
    column: Column,
    message: String,
) -> Placed {
    Placed {
        col: index(columns, column).unwrap_or(u32::MAX),
        error: place(&grid.name, row, columns, column, message),
    }
}

/// What a row gave: its code when that is a good one (a later row must not repeat it even
/// when this row has problems), its program when every cell could be read, and the problems.
pub(crate) struct RowRead {
    pub code: Option<ProgramCode>,
    pub program: Option<Program>,
    pub problems: Vec<Placed>,
}

/// Reads the program of 0-based row `r` and every problem of the row, the domain's checks
/// ([`Program::problems`]) included once its cells are read.
pub(crate) fn read(
    grid: &Grid,
    r: usize,
    columns: &[(Column, u32)],
    years: &[FiscalYear],
) -> RowRead {
    let mut cells = Cells {
        grid,
        r,
        columns,
        problems: Vec::new(),
    };
    let code = cells.code();
    let program = cells.program(code.clone(), years);
    for problem in program.iter().flat_map(|p| p.problems(years)) {
        let (column, message) = problem_place(&problem);
        cells.fail(column, message);
    }
    RowRead {
        code,
        program,
        problems: cells.problems,
    }
}

/// The cell a problem of the domain is about, and its message (the year is in the column's
/// header, so funding problems leave it out).
fn problem_place(problem: &ProgramProblem) -> (Column, String) {
    match problem {
        ProgramProblem::YearOutside(y)
        | ProgramProblem::YearTwice(y)
        | ProgramProblem::CostOutsidePeriod(y) => (Column::Cost(*y), problem.message()),
        ProgramProblem::EndsBeforeStart => (Column::EndYear, problem.message()),
        ProgramProblem::NegativeActivityTarget(y) => {
            (Column::ActivityTarget(*y), problem.message())
        }
        ProgramProblem::Funding(y, f) => {
            let column = match f {
                FundingProblem::NegativePart(p, _) => Column::Part(*y, *p),
                FundingProblem::TooLarge(label, _) => Amount::ALL
                    .into_iter()
                    .find(|a| a.label() == *label)
                    .map_or(Column::Cost(*y), |a| YearField::Amount(a).of(*y)),
                FundingProblem::NegativeCost(_) | FundingProblem::Mismatch { .. } => {
                    Column::Cost(*y)
                }
            };
            (column, f.message())
        }
    }
}

/// The cells of one row being read, and the problems found so far.
struct Cells<'a> {
    grid: &'a Grid,
    r: usize,
    columns: &'a [(Column, u32)],
    problems: Vec<Placed>,
}

impl Cells<'_> {
    fn raw(&self, column: Column) -> &Raw {
        match index(self.columns, column) {
            Some(c) => self.grid.get(self.r, c as usize),
            None => &Raw::Empty,
        }
    }

    fn fail(&mut self, column: Column, message: String) {
        let row = crate::error::to_u32(self.r) + 1;
        let p = placed(self.grid, row, self.columns, column, message);
        self.problems.push(p);
    }

    /// The program of the row with this code, or `None` when a cell has a problem (recorded).
    fn program(&mut self, code: Option<ProgramCode>, years: &[FiscalYear]) -> Option<Program> {
        let name = self.required(Column::Name);
        let department = self.required(Column::Department);
        let category = self.choice::<ProgramCategory>(Column::Category, None);
        let links = self.links();
        let purpose = self.exact(Column::Purpose);
        let target_group = self.exact(Column::TargetGroup);
        let means = self.exact(Column::Means);
        let start_year = self.start_year();
        let end_year = self.end_year();
        let account = self.choice(Column::Account, Some(Account::General));
        let expense_type = self.choice(Column::ExpenseType, Some(ExpenseType::Other));
        let activity = Activity {
            name: self.exact(Column::ActivityName),
            unit: self.line(Column::ActivityUnit).unwrap_or_default(),
        };
        let program_years = self.years(years);
        let sample = self.sample();
        if !self.problems.is_empty() {
            return None;
        }
        Some(Program {
            code: code?,
            name,
            department,
            links,
            purpose,
            target_group,
            means,
            start_year: start_year?,
            end_year,
            account: account?,
            expense_type: expense_type?,
            activity,
            category: category?,
            years: program_years,
            sample,
        })
    }

    /// A single-line text: surrounding spaces removed. `None`: a cell that holds no text (an
    /// error value, a date), recorded with its reason.
    fn line(&mut self, column: Column) -> Option<String> {
        if let Raw::Invalid(reason) = self.raw(column) {
            let reason = reason.clone();
            self.fail(column, reason);
            return None;
        }
        Some(self.raw(column).text())
    }

    /// A text kept exactly as written (目的, 対象, 手段, 活動指標).
    fn exact(&mut self, column: Column) -> String {
        match self.raw(column) {
            Raw::Text(t) => t.clone(),
            _ => self.line(column).unwrap_or_default(),
        }
    }

    /// A single-line text that must be given.
    fn required(&mut self, column: Column) -> String {
        let text = self.line(column);
        if text.as_deref() == Some("") {
            self.fail(column, format!("{}が入力されていません。", column.header()));
        }
        text.unwrap_or_default()
    }

    fn code(&mut self) -> Option<ProgramCode> {
        let text = self.line(Column::Code)?;
        if text.is_empty() {
            let message = "事業コードが入力されていません（この行にはほかの入力があります）。";
            self.fail(Column::Code, message.to_owned());
            return None;
        }
        ProgramCode::parse(&text)
            .map_err(|message| self.fail(Column::Code, message))
            .ok()
    }

    /// One of a vocabulary by its label (or code); blank is `default`, or a problem when
    /// there is none. `None`: a problem, recorded with the choices.
    fn choice<T: Labelled>(&mut self, column: Column, default: Option<T>) -> Option<T> {
        let text = self.line(column)?;
        if text.is_empty() && default.is_some() {
            return default;
        }
        if let Some(v) = T::from_label(&text) {
            return Some(v);
        }
        let header = column.header();
        let choices: String = T::ALL
            .iter()
            .map(|v| format!("「{}」", v.label()))
            .collect();
        let message = if text.is_empty() {
            format!("{header}が入力されていません。{choices}のいずれかを入力してください。")
        } else {
            format!("{header}「{text}」は使えません。{choices}のいずれかを入力してください。")
        };
        self.fail(column, message);
        None
    }

    /// The elements the program serves: `plan_id/element_id` separated by line breaks,
    /// spaces, 「、」 or 「,」. Each that is not one is a problem at the cell.
    fn links(&mut self) -> Vec<ElementRef> {
        let text = self.exact(Column::Links);
        let mut links = Vec::new();
        for item in text.split(|c: char| c.is_whitespace() || "、,，".contains(c)) {
            if item.is_empty() {
                continue;
            }
            let parsed = match item.split_once('/') {
                Some((plan, element)) => PlanId::parse(plan)
                    .and_then(|plan| {
                        Ok(ElementRef {
                            plan,
                            element: ElementId::parse(element)?,
                        })
                    })
                    .map_err(|e| e.0),
                None => Err(format!(
                    "「{item}」は「計画ID/要素ID」の形で書いてください（例: sogo-keikaku/measure-1-1）。"
                )),
            };
            match parsed {
                Ok(link) => links.push(link),
                Err(message) => self.fail(Column::Links, message),
            }
        }
        links
    }

    fn start_year(&mut self) -> Option<FiscalYear> {
        let text = self.line(Column::StartYear)?;
        if text.is_empty() {
            let message = "開始年度が入力されていません。".to_owned();
            self.fail(Column::StartYear, message);
            return None;
        }
        self.fiscal_year(Column::StartYear, &text)
    }

    /// 終了年度: blank, a dash or 「なし」 is open-ended.
    fn end_year(&mut self) -> Option<FiscalYear> {
        let text = self.line(Column::EndYear)?;
        if is_no_value(&text) || text == "ー" || text == "なし" {
            return None;
        }
        self.fiscal_year(Column::EndYear, &text)
    }

    fn fiscal_year(&mut self, column: Column, text: &str) -> Option<FiscalYear> {
        FiscalYear::parse(text)
            .map_err(|e| self.fail(column, e.message))
            .ok()
    }

    /// サンプル: 「○」 (or 〇, ◯, 1, TRUE, サンプル) is sample data; blank, 0 or FALSE is not.
    fn sample(&mut self) -> bool {
        if let Raw::Bool(b) = self.raw(Column::Sample) {
            return *b;
        }
        let Some(text) = self.line(Column::Sample) else {
            return false;
        };
        let text = fold_width(&text);
        if ["○", "〇", "◯", "1", "サンプル"].contains(&text.as_str())
            || text.eq_ignore_ascii_case("true")
        {
            return true;
        }
        if !(text.is_empty() || text == "0" || text.eq_ignore_ascii_case("false")) {
            let message = format!(
                "サンプル「{text}」は読めません。サンプルなら「○」、そうでなければ空欄にしてください。"
            );
            self.fail(Column::Sample, message);
        }
        false
    }

    /// The years of the edition that the row enters.
    fn years(&mut self, years: &[FiscalYear]) -> Vec<ProgramYear> {
        years.iter().filter_map(|&y| self.year(y)).collect()
    }

    /// A year with any of its six amounts filled in (its blanks are then 0); `None` for a
    /// year whose amounts are all blank (not entered) or that has a problem (recorded).
    fn year(&mut self, year: FiscalYear) -> Option<ProgramYear> {
        let before = self.problems.len();
        let cost = self.amount(Column::Cost(year));
        let parts = FundingPart::ALL.map(|p| self.amount(Column::Part(year, p)));
        let activity_target = self.number(Column::ActivityTarget(year));
        if self.problems.len() > before {
            return None;
        }
        if cost.is_none() && parts.iter().all(Option::is_none) {
            if activity_target.is_some() {
                let message = "活動指標の目標値がありますが、この年度の事業費と財源がすべて空欄です。事業費を入力してください（事業費がなければ0）。";
                self.fail(Column::ActivityTarget(year), message.to_owned());
            }
            return None;
        }
        let [national, prefectural, bonds, other, general] = parts.map(|p| p.unwrap_or(Yen::ZERO));
        let funding = Funding {
            cost: cost.unwrap_or(Yen::ZERO),
            national,
            prefectural,
            bonds,
            other,
            general,
        };
        Some(ProgramYear {
            fiscal_year: year,
            funding,
            activity_target,
        })
    }

    /// A number; `None` when blank or a dash, or a problem (recorded).
    fn number(&mut self, column: Column) -> Option<Decimal> {
        self.raw(column)
            .number()
            .map_err(|message| self.fail(column, message))
            .ok()
            .flatten()
    }

    /// An amount written in 千円 as whole yen: 1234.567 → 1,234,567円. A number cell whose
    /// yen miss a whole yen by a floating-point trace (a formula's 26400.000000000004) is that
    /// yen; typed text must be exact.
    fn amount(&mut self, column: Column) -> Option<Yen> {
        let from_formula = matches!(self.raw(column), Raw::Number(_));
        let thousands = self.number(column)?;
        let yen = thousands.checked_mul(Decimal::from(1_000)).map(|y| {
            let whole = y.round();
            if from_formula && (y - whole).abs() < Decimal::new(1, 6) {
                whole
            } else {
                y
            }
        });
        let message = match yen {
            Some(y) if !y.fract().is_zero() => "1円未満の端数があります。",
            Some(y) => match y.to_i64() {
                Some(y) => return Some(Yen::new(y)),
                None => TOO_LARGE,
            },
            None => TOO_LARGE,
        };
        self.fail(column, message.to_owned());
        None
    }
}

/// An amount beyond what a yen amount holds (far beyond [`Funding::LIMIT`]).
const TOO_LARGE: &str = "金額が大きすぎます（1事業・1年度あたり10兆円まで）。";

/// The vocabularies a cell names by label: 事業区分, 会計, 経費区分.
trait Labelled: Copy + 'static {
    const ALL: &'static [Self];
    fn label(self) -> &'static str;
    fn from_label(text: &str) -> Option<Self>;
}

macro_rules! labelled {
    ($($t:ty),*) => {$(
        impl Labelled for $t {
            const ALL: &'static [Self] = <$t>::ALL;
            fn label(self) -> &'static str {
                <$t>::label(self)
            }
            fn from_label(text: &str) -> Option<Self> {
                <$t>::from_label(text)
            }
        }
    )*};
}

labelled!(ProgramCategory, Account, ExpenseType);
