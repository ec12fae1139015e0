//! Consistency rules of a plan, checked all at once: every problem is returned with its place,
//! so that an import can list all of them and write nothing.

use crate::format::fiscal_year_inline as inline;
use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::ids::{ElementId, ElementRef};
use crate::plan::comprehensive::ComprehensivePlan;
use crate::plan::strategy::{Direction, Indicator, Strategy};
use crate::plan::{Plan, PlanHeader};

/// One step of a [`Path`]: a named member or an index in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A named member, e.g. `fields`.
    Key(&'static str),
    /// A position in a list, from 0.
    Index(usize),
}

/// Where in a plan a problem is. The member names are those of the plan file format, so the
/// path reads as a JSON path, e.g. `basic_plans[0].fields[3].goal`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Segment>);

impl Path {
    /// A path extended by a member name.
    pub fn key(&self, key: &'static str) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Key(key));
        p
    }

    /// A path extended by a list index.
    pub fn index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for seg in &self.0 {
            match seg {
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// A problem in a plan: where, and why (in Japanese, for the user).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is.
    pub path: Path,
    /// Why it is a problem.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// What a link from a strategy may point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// A measure (施策) of a comprehensive plan.
    Measure,
    /// A priority project of a comprehensive plan.
    PriorityProject,
}

/// Checks a plan. `others` are the other plans of the same municipality that links may point
/// to (those already stored and those imported together with this one).
pub fn validate_plan(plan: &Plan, others: &[&Plan]) -> Vec<Problem> {
    let mut v = Validator::default();
    let root = Path::default();
    v.header(plan.header(), &root);
    match plan {
        Plan::Comprehensive(p) => v.comprehensive(p, &root),
        Plan::Strategy(s) => v.strategy(s, others, &root),
    }
    v.problems
}

#[derive(Default)]
struct Validator {
    problems: Vec<Problem>,
    ids: HashMap<ElementId, Path>,
    /// Each indicator code with the place and title of its first use.
    codes: HashMap<String, (Path, String)>,
}

/// Longest 指標コード.
const CODE_MAX: usize = 32;
/// Most display decimals.
const DECIMALS_MAX: u32 = 6;

/// Whether an indicator code is a plain identifier: ASCII letters, digits, 「-」「_」「.」,
/// starting with a letter or digit, at most [`CODE_MAX`] characters.
fn plain_code(code: &str) -> bool {
    code.len() <= CODE_MAX
        && code
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Validator {
    fn push(&mut self, path: Path, message: String) {
        self.problems.push(Problem { path, message });
    }

    fn required(&mut self, text: &str, path: Path, what: &str) {
        if text.trim().is_empty() {
            self.push(path, format!("{what}を入力してください。"));
        }
    }

    fn id(&mut self, id: &ElementId, path: Path) {
        if let Some(first) = self.ids.get(id) {
            let message = format!("要素ID「{id}」が重複しています（最初の使用: {first}）。");
            self.push(path, message);
        } else {
            self.ids.insert(id.clone(), path);
        }
    }

    fn header(&mut self, h: &PlanHeader, path: &Path) {
        self.required(&h.title, path.key("title"), "計画の名称");
        if h.period.start > h.period.end {
            self.push(
                path.key("period"),
                format!(
                    "期間の開始（{}）が終了（{}）より後になっています。",
                    h.period.start, h.period.end
                ),
            );
        }
    }

    fn comprehensive(&mut self, p: &ComprehensivePlan, root: &Path) {
        let vision = root.key("vision");
        self.required(&p.vision.future_image, vision.key("future_image"), "将来像");
        for (i, a) in p.vision.principles.iter().enumerate() {
            let path = vision.key("principles").index(i);
            self.id(&a.id, path.key("id"));
            self.required(&a.title, path.key("title"), "まちづくりの考え方");
        }
        for (i, a) in p.vision.approaches.iter().enumerate() {
            let path = vision.key("approaches").index(i);
            self.id(&a.id, path.key("id"));
            self.required(&a.title, path.key("title"), "まちづくりの進め方");
        }
        for (i, g) in p.vision.goals.iter().enumerate() {
            let path = vision.key("goals").index(i);
            self.id(&g.id, path.key("id"));
            self.required(&g.title, path.key("title"), "まちづくりの目標");
        }
        let goals: HashSet<&ElementId> = p.vision.goals.iter().map(|g| &g.id).collect();
        for (b, bp) in p.basic_plans.iter().enumerate() {
            let path = root.key("basic_plans").index(b);
            self.id(&bp.id, path.key("id"));
            self.required(&bp.title, path.key("title"), "基本計画の名称");
            if bp.start > bp.end {
                self.push(path.key("end"), "終了年度が開始年度より前です。".into());
            }
            let period = &p.header.period;
            if !period.contains(bp.start) || !period.contains(bp.end) {
                self.push(
                    path.key("start"),
                    format!(
                        "基本計画の期間（{}〜{}）が総合計画の期間（{}〜{}）の外にあります。",
                        bp.start, bp.end, period.start, period.end
                    ),
                );
            }
            let mut measures = HashSet::new();
            for (f, field) in bp.fields.iter().enumerate() {
                let fpath = path.key("fields").index(f);
                self.id(&field.id, fpath.key("id"));
                self.required(&field.title, fpath.key("title"), "分野の名称");
                if !goals.contains(&field.goal) {
                    self.push(
                        fpath.key("goal"),
                        format!("まちづくりの目標「{}」が見つかりません。", field.goal),
                    );
                }
                for (m, measure) in field.measures.iter().enumerate() {
                    let mpath = fpath.key("measures").index(m);
                    self.id(&measure.id, mpath.key("id"));
                    self.required(&measure.title, mpath.key("title"), "施策の名称");
                    measures.insert(&measure.id);
                    for (k, ind) in measure.indicators.iter().enumerate() {
                        self.indicator(ind, mpath.key("indicators").index(k), "成果指標");
                    }
                }
                for (k, ind) in field.indicators.iter().enumerate() {
                    self.indicator(ind, fpath.key("indicators").index(k), "成果指標");
                }
            }
            for (k, pp) in bp.priority_projects.iter().enumerate() {
                let ppath = path.key("priority_projects").index(k);
                self.id(&pp.id, ppath.key("id"));
                self.required(&pp.title, ppath.key("title"), "重点プロジェクトの名称");
                for (j, m) in pp.measures.iter().enumerate() {
                    if !measures.contains(m) {
                        self.push(
                            ppath.key("measures").index(j),
                            format!("施策「{m}」がこの基本計画にありません。"),
                        );
                    }
                }
            }
            for (k, a) in bp.approaches.iter().enumerate() {
                let apath = path.key("approaches").index(k);
                self.id(&a.id, apath.key("id"));
                self.required(&a.title, apath.key("title"), "まちづくりの進め方");
            }
        }
    }

    fn strategy(&mut self, s: &Strategy, others: &[&Plan], root: &Path) {
        for (o, obj) in s.basic_objectives.iter().enumerate() {
            let opath = root.key("basic_objectives").index(o);
            self.id(&obj.id, opath.key("id"));
            self.required(&obj.title, opath.key("title"), "基本目標の名称");
            for (t, target) in obj.numerical_targets.iter().enumerate() {
                self.indicator(target, opath.key("numerical_targets").index(t), "数値目標");
            }
            for (m, measure) in obj.measures.iter().enumerate() {
                let mpath = opath.key("measures").index(m);
                self.id(&measure.id, mpath.key("id"));
                self.required(&measure.title, mpath.key("title"), "施策の名称");
                for (k, kpi) in measure.kpis.iter().enumerate() {
                    self.indicator(kpi, mpath.key("kpis").index(k), "KPI");
                }
                let links = [
                    (
                        "linked_measures",
                        &measure.linked_measures,
                        LinkTarget::Measure,
                    ),
                    (
                        "linked_priority_projects",
                        &measure.linked_priority_projects,
                        LinkTarget::PriorityProject,
                    ),
                ];
                for (key, refs, want) in links {
                    for (j, r) in refs.iter().enumerate() {
                        if let Err(message) = resolve(r, want, others) {
                            self.push(mpath.key(key).index(j), message);
                        }
                    }
                }
            }
        }
    }

    fn indicator(&mut self, ind: &Indicator, path: Path, what: &str) {
        self.id(&ind.id, path.key("id"));
        self.required(&ind.title, path.key("title"), &format!("{what}の名称"));
        if let (Some(b), Some(t)) = (ind.baseline, ind.target)
            && b.year > t.year
        {
            self.push(
                path.key("target"),
                format!(
                    "目標値の年度（{}）が基準値の年度（{}）より前です。",
                    inline(t.year),
                    inline(b.year)
                ),
            );
        }
        self.indicator_definition(ind, &path, what);
    }

    /// The rules of the fields that say how an indicator is evaluated and read.
    fn indicator_definition(&mut self, ind: &Indicator, path: &Path, what: &str) {
        let code = ind.code.trim();
        if !code.is_empty() {
            if !plain_code(code) {
                self.push(
                    path.key("code"),
                    format!(
                        "{what}「{}」の指標コード「{code}」は使えません。半角英数字と「-」「_」「.」の{CODE_MAX}文字以内で、英数字で始めてください。",
                        ind.title
                    ),
                );
            } else if let Some((first, title)) = self.codes.get(code) {
                let message = format!(
                    "指標コード「{code}」が重複しています（「{title}」で使用済み: {first}）。計画の中で一つにしてください。"
                );
                self.push(path.key("code"), message);
            } else {
                self.codes
                    .insert(code.to_owned(), (path.key("code"), ind.title.clone()));
            }
        }
        if let Some(d) = ind.decimals
            && d > DECIMALS_MAX
        {
            self.push(
                path.key("decimals"),
                format!("表示する小数点以下の桁数は0〜{DECIMALS_MAX}です（{d}でした）。"),
            );
        }
        let (from, to) = (ind.baseline.map(|b| b.year), ind.target.map(|t| t.year));
        let mut seen = HashSet::new();
        for (i, t) in ind.interim_targets.iter().enumerate() {
            let at = path.key("interim_targets").index(i);
            if !seen.insert(t.year) {
                self.push(at, format!("中間目標値の{}が2回あります。", t.year));
            } else if from.is_some_and(|b| t.year <= b) || to.is_some_and(|e| t.year >= e) {
                let range = match (from, to) {
                    (Some(b), Some(e)) => {
                        format!(
                            "基準値の年度（{}）より後で、目標値の年度（{}）より前",
                            inline(b),
                            inline(e)
                        )
                    }
                    (Some(b), None) => format!("基準値の年度（{}）より後", inline(b)),
                    (None, Some(e)) => format!("目標値の年度（{}）より前", inline(e)),
                    (None, None) => String::new(),
                };
                self.push(
                    at,
                    format!(
                        "中間目標値の年度（{}）は{range}にしてください。",
                        inline(t.year)
                    ),
                );
            }
        }
        if let Some(tol) = ind.tolerance {
            if tol.is_sign_negative() {
                self.push(
                    path.key("tolerance"),
                    format!("許容幅は0以上にしてください（{tol}でした）。"),
                );
            } else if ind.direction != Direction::Maintain {
                self.push(
                    path.key("tolerance"),
                    "許容幅は「維持を目指す」指標にだけ指定できます。目指す方向を「維持を目指す」にするか、許容幅を空欄にしてください。".to_owned(),
                );
            }
        }
        let mut years = HashSet::new();
        for (i, c) in ind.definition_changes.iter().enumerate() {
            let at = path.key("definition_changes").index(i);
            if !years.insert(c.year) {
                self.push(
                    at,
                    format!(
                        "定義の変更の{}が2回あります。1行にまとめてください。",
                        c.year
                    ),
                );
            } else if c.note.trim().is_empty() {
                self.push(
                    at,
                    format!("定義の変更（{}）の内容を入力してください。", inline(c.year)),
                );
            } else if c.note.contains(['\n', '\r']) {
                self.push(
                    at,
                    format!(
                        "定義の変更（{}）の内容は1行で書いてください。",
                        inline(c.year)
                    ),
                );
            }
        }
    }
}

/// Checks that a link from a strategy points at an element of the expected kind.
fn resolve(r: &ElementRef, want: LinkTarget, others: &[&Plan]) -> Result<(), String> {
    let Some(plan) = others.iter().find(|p| p.id() == &r.plan) else {
        return Err(format!("リンク先の計画「{}」が見つかりません。", r.plan));
    };
    let Plan::Comprehensive(cp) = plan else {
        return Err(format!(
            "リンク先の計画「{}」は総合計画ではありません。",
            r.plan
        ));
    };
    let found = match want {
        LinkTarget::Measure => cp.measure(&r.element).is_some(),
        LinkTarget::PriorityProject => cp.priority_project(&r.element).is_some(),
    };
    if found {
        Ok(())
    } else {
        let what = match want {
            LinkTarget::Measure => "施策",
            LinkTarget::PriorityProject => "重点プロジェクト",
        };
        Err(format!(
            "計画「{}」に{what}「{}」が見つかりません。",
            r.plan, r.element
        ))
    }
}
