//! View models shared by the pages: the layout (title, navigation, breadcrumbs), links to
//! plan elements, and the Japanese formatting of years and values.

use keikaku_app::Site;
use keikaku_domain::account::Role;
use keikaku_domain::{ElementId, ElementKind, Indicator, Plan, PlanId};

// Years, values and digits are formatted by the domain (`keikaku_domain::format`), so that
// pages, and later sheets and reports, write them the same way.
pub use keikaku_domain::format::{period, span, year_value_in};

/// Roles as pages show them: 「管理者、企画担当」, or 「なし」.
pub fn roles_label(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "なし".to_owned();
    }
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// The URL of a plan.
pub fn plan_href(plan: &PlanId) -> String {
    format!("/plans/{plan}")
}

/// The URL of an element's own page (or of the page that shows it, with an anchor).
pub fn element_href(plan: &Plan, kind: ElementKind, id: &ElementId) -> String {
    let p = plan.id();
    match (kind, plan) {
        (ElementKind::Principle, _) => format!("/plans/{p}/vision#e-{id}"),
        (ElementKind::Goal, _) => format!("/plans/{p}/goals/{id}"),
        (ElementKind::VisionApproach | ElementKind::PlanApproach, Plan::Comprehensive(c)) => c
            .basic_plans
            .iter()
            .find(|bp| bp.approaches.iter().any(|a| &a.id == id))
            .map_or_else(
                || format!("/plans/{p}/vision#e-{id}"),
                |bp| format!("/plans/{p}/basic-plans/{}#e-{id}", bp.id),
            ),
        (ElementKind::BasicPlan, _) => format!("/plans/{p}/basic-plans/{id}"),
        (ElementKind::PriorityProject, _) => format!("/plans/{p}/priority-projects/{id}"),
        (ElementKind::Field, _) => format!("/plans/{p}/fields/{id}"),
        (ElementKind::Measure, _) => format!("/plans/{p}/measures/{id}"),
        (ElementKind::BasicObjective, _) => format!("/plans/{p}/objectives/{id}"),
        (ElementKind::NumericalTarget, Plan::Strategy(s)) => s
            .basic_objectives
            .iter()
            .find(|o| o.numerical_targets.iter().any(|t| &t.id == id))
            .map_or_else(
                || plan_href(p),
                |o| format!("/plans/{p}/objectives/{}#e-{id}", o.id),
            ),
        (ElementKind::StrategyMeasure, _) => format!("/plans/{p}/strategy-measures/{id}"),
        (ElementKind::Kpi, Plan::Strategy(s)) => s
            .basic_objectives
            .iter()
            .flat_map(|o| &o.measures)
            .find(|m| m.kpis.iter().any(|k| &k.id == id))
            .map_or_else(
                || plan_href(p),
                |m| format!("/plans/{p}/strategy-measures/{}#e-{id}", m.id),
            ),
        (ElementKind::OutcomeIndicator, Plan::Comprehensive(c)) => {
            c.outcome_indicator(id).map_or_else(
                || plan_href(p),
                |(f, m, _)| match m {
                    Some(m) => format!("/plans/{p}/measures/{}#e-{id}", m.id),
                    None => format!("/plans/{p}/fields/{}#e-{id}", f.id),
                },
            )
        }
        _ => plan_href(p),
    }
}

/// A link in the global navigation.
#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// One step of the breadcrumbs; the last one has no link.
#[derive(Clone, Debug)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// What the base template needs.
#[derive(Clone, Debug)]
pub struct Layout {
    pub title: String,
    pub site_name: String,
    pub municipality_name: String,
    pub municipality_code: String,
    pub prefecture: String,
    pub nav: Vec<NavItem>,
    pub breadcrumbs: Vec<Crumb>,
    pub query: String,
    pub has_sample: bool,
    pub asset_version: &'static str,
    /// On staff pages, who is signed in (shown in the header with the sign-out).
    pub signed_in: Option<crate::staff::who::SignedIn>,
    /// The city's own website and emblem (configuration).
    pub city: crate::identity::CityLinks,
    /// On plan pages, where the plan stands (計画期間中, 改定中 …) and when the shown version
    /// was published.
    pub standing: Option<crate::public::standing::StandingView>,
}

impl Layout {
    /// The layout of a page of the site; `current` is the path of the navigation entry to mark.
    pub fn new(site: &Site, title: &str, current: &str) -> Self {
        let mut nav = vec![NavItem {
            label: "ホーム".to_owned(),
            href: "/".to_owned(),
            current: current == "/",
        }];
        for plan in &site.plans {
            let href = match plan {
                Plan::Comprehensive(_) => format!("/plans/{}/vision", plan.id()),
                Plan::Strategy(_) => plan_href(plan.id()),
            };
            let label = match plan {
                Plan::Comprehensive(_) => "基本構想".to_owned(),
                Plan::Strategy(_) => "総合戦略".to_owned(),
            };
            if let Plan::Comprehensive(c) = plan {
                nav.push(NavItem {
                    current: current == href,
                    label,
                    href,
                });
                // A basic plan with nothing in it yet (a 後期基本計画 not yet written) is not
                // offered to the public; its page still answers, and says so.
                for bp in c.basic_plans.iter().filter(|bp| {
                    !(bp.fields.is_empty()
                        && bp.priority_projects.is_empty()
                        && bp.approaches.is_empty())
                }) {
                    let href = format!("/plans/{}/basic-plans/{}", plan.id(), bp.id);
                    nav.push(NavItem {
                        label: bp.title.clone(),
                        current: current == href,
                        href,
                    });
                }
            } else {
                nav.push(NavItem {
                    current: current == href,
                    label,
                    href,
                });
            }
        }
        if !site.editions().is_empty() {
            nav.push(NavItem {
                label: "実施計画".to_owned(),
                href: "/implementation-plans".to_owned(),
                current: current == "/implementation-plans",
            });
        }
        if site.population_public() {
            nav.push(NavItem {
                label: "人口ビジョン".to_owned(),
                href: "/population".to_owned(),
                current: current == "/population",
            });
        }
        nav.push(NavItem {
            label: "検索".to_owned(),
            href: "/search".to_owned(),
            current: current == "/search",
        });
        let m = &site.municipality;
        Self {
            title: title.to_owned(),
            site_name: format!("{} 総合計画", m.name),
            municipality_name: m.name.clone(),
            municipality_code: m.code.with_check_digit(),
            prefecture: m.prefecture.clone(),
            nav,
            breadcrumbs: Vec::new(),
            query: String::new(),
            has_sample: false,
            asset_version: crate::assets::css_version(),
            signed_in: None,
            city: crate::identity::current(),
            standing: None,
        }
    }

    /// A layout without a site (when even the site could not be loaded).
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            site_name: "keikaku".to_owned(),
            municipality_name: String::new(),
            municipality_code: String::new(),
            prefecture: String::new(),
            nav: vec![NavItem {
                label: "ホーム".to_owned(),
                href: "/".to_owned(),
                current: false,
            }],
            breadcrumbs: Vec::new(),
            query: String::new(),
            has_sample: false,
            asset_version: crate::assets::css_version(),
            signed_in: None,
            city: crate::identity::current(),
            standing: None,
        }
    }

    /// Adds breadcrumbs: ホーム, then the given steps, then the current page without a link.
    pub fn crumbs(mut self, steps: &[(&str, String)]) -> Self {
        self.breadcrumbs.push(Crumb {
            label: "ホーム".to_owned(),
            href: Some("/".to_owned()),
        });
        for (label, href) in steps {
            self.breadcrumbs.push(Crumb {
                label: (*label).to_owned(),
                href: Some(href.clone()),
            });
        }
        self.breadcrumbs.push(Crumb {
            label: self.title.clone(),
            href: None,
        });
        self
    }

    /// Shows where the plan of the page stands (see [`crate::public::standing`]).
    pub fn standing(mut self, standing: Option<crate::public::standing::StandingView>) -> Self {
        self.standing = standing;
        self
    }

    /// Marks the page as showing sample data.
    pub fn sample(mut self, any: bool) -> Self {
        self.has_sample |= any;
        self
    }
}

/// How to reach a 所管課, from the department list.
#[derive(Clone, Debug)]
pub struct Contact {
    /// As the list writes it: 「0191-21-2111 内線8231」.
    pub phone: String,
    /// The digits for a `tel:` link: 「0191212111」 (the extension left out).
    pub tel: String,
    /// E-mail address.
    pub email: String,
    /// The department's page.
    pub website: String,
}

/// The contact of a 所管課 named by an element, when the department list has it.
pub fn contact(site: &Site, department: &str) -> Option<Contact> {
    let d = site.department(department)?;
    let dial: String = d
        .phone
        .split("内線")
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    (!d.phone.is_empty() || !d.email.is_empty() || !d.website.is_empty()).then(|| Contact {
        phone: d.phone.clone(),
        tel: dial,
        email: d.email.clone(),
        website: d.website.clone(),
    })
}

/// A link with a title and optional extras, used in lists.
#[derive(Clone, Debug, Default)]
pub struct Item {
    pub href: String,
    pub number: String,
    pub title: String,
    pub meta: String,
    pub sample: bool,
    /// A line under the title (a priority project's description, shortened).
    pub summary: String,
}

/// The first `max` characters of a text on one line, with 「…」 when it was cut.
pub fn summary(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        let mut cut: String = line.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// A row of an indicator table.
#[derive(Clone, Debug)]
pub struct IndicatorRow {
    pub id: String,
    /// Its public page (definition, chart, published evaluations).
    pub href: String,
    pub title: String,
    /// 指標コード; may be empty.
    pub code: String,
    pub baseline: String,
    pub target: String,
    /// 中間目標値, 「令和3年度（2021年度） 105人」 each; may be empty.
    pub interim: Vec<String>,
    /// Notes on how to read the values (許容幅, 累計の入力方法, 把握方法, 把握時期, 定義の変更).
    pub notes: Vec<(&'static str, String)>,
    pub direction: &'static str,
    pub indicator_type: &'static str,
    pub method: String,
    pub sample: bool,
}

/// An indicator table.
#[derive(Clone, Debug)]
pub struct IndicatorTable {
    pub caption: String,
    pub rows: Vec<IndicatorRow>,
}

/// What a reader needs to read an indicator's values rightly, as label and text.
fn indicator_notes(i: &Indicator) -> Vec<(&'static str, String)> {
    let mut notes = Vec::new();
    if let Some(t) = i.tolerance {
        notes.push((
            "許容幅",
            format!(
                "目標値の±{}{}の内にあれば達成とみなします。",
                keikaku_domain::format::value(t, i.decimals),
                i.unit
            ),
        ));
    }
    if i.indicator_type == keikaku_domain::IndicatorType::Cumulative {
        notes.push(("累計値の実績", i.cumulative_entry.label().to_owned()));
    }
    if !i.acquisition.trim().is_empty() {
        notes.push(("把握方法", i.acquisition.clone()));
    }
    if let Some(lag) = i.lag_years {
        notes.push((
            "把握時期",
            if lag == 0 {
                "その年度のうちに判明します。".to_owned()
            } else {
                format!("年度の値は{lag}年後に判明します。")
            },
        ));
    }
    for c in &i.definition_changes {
        notes.push((
            "定義の変更",
            format!(
                "{}から: {}",
                keikaku_domain::format::fiscal_year(c.year),
                c.note
            ),
        ));
    }
    notes
}

/// The public page of an indicator.
pub fn public_indicator_href(plan: &keikaku_domain::PlanId, id: &str) -> String {
    format!("/plans/{plan}/kpi/indicators/{id}")
}

impl IndicatorTable {
    /// Whether any row has notes (the table is then followed by them).
    pub fn has_notes(&self) -> bool {
        self.rows.iter().any(|r| !r.notes.is_empty())
    }

    /// Rows for the given indicators of a plan.
    pub fn new(plan: &keikaku_domain::PlanId, caption: String, indicators: &[Indicator]) -> Self {
        let rows = indicators
            .iter()
            .map(|i| IndicatorRow {
                id: i.id.to_string(),
                href: public_indicator_href(plan, i.id.as_str()),
                title: if i.unit.is_empty() {
                    i.title.clone()
                } else {
                    format!("{}（{}）", i.title, i.unit)
                },
                code: i.code.trim().to_owned(),
                baseline: year_value_in(&i.baseline, &i.unit, i.decimals),
                target: year_value_in(&i.target, &i.unit, i.decimals),
                interim: i
                    .interim_targets
                    .iter()
                    .map(|v| {
                        format!(
                            "{} {}{}",
                            keikaku_domain::format::fiscal_year(v.year),
                            keikaku_domain::format::value(v.value, i.decimals),
                            i.unit
                        )
                    })
                    .collect(),
                notes: indicator_notes(i),
                direction: i.direction.label(),
                indicator_type: i.indicator_type.label(),
                method: [i.calculation_method.as_str(), i.data_source.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("／"),
                sample: i.sample,
            })
            .collect();
        Self { caption, rows }
    }
}
