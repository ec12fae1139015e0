//! The notice at the top of every plan page: where the plan (or the basic plan the page belongs
//! to) stands — 計画期間中, 計画期間終了 with its successor, 計画期間前, or 改定中 while the site
//! keeps showing the published text — and the date the shown version was published.
//!
//! The phase depends on today's fiscal year, so the public page cache keys carry it
//! ([`crate::public::cached`]).

use keikaku_app::Site;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::plan::phase::{Phase, Standing};
use keikaku_domain::{BasicPlan, ComprehensivePlan, Plan};

use crate::clock;
use crate::views;

/// What the notice shows.
#[derive(Clone, Debug)]
pub struct StandingView {
    /// 「計画期間中」「計画期間終了」「計画期間前」「改定中」.
    pub label: &'static str,
    /// The style: `current`, `ended`, `upcoming` or `revising`.
    pub modifier: &'static str,
    /// The sentences that explain it.
    pub text: String,
    /// The plan that follows an ended one: (href, title).
    pub successor: Option<(String, String)>,
    /// 「令和8年（2026年）4月1日（第3版）」: when the shown version was published.
    pub updated: Option<String>,
}

fn today() -> Option<FiscalYear> {
    clock::this_fiscal_year()
}

/// The notice of a plan's pages (the overview, 基本構想, the strategy's pages).
pub(crate) fn of_plan(site: &Site, plan: &Plan) -> Option<StandingView> {
    let h = plan.header();
    let successor = site
        .plans
        .iter()
        .filter(|p| {
            std::mem::discriminant(*p) == std::mem::discriminant(plan)
                && p.header().period.start > h.period.end
        })
        .min_by_key(|p| p.header().period.start)
        .map(|p| (views::plan_href(p.id()), p.header().title.clone()));
    view(
        site,
        plan,
        &h.title,
        h.period.start,
        h.period.end,
        successor,
        today()?,
    )
}

/// The notice of a basic plan's pages (the basic plan, its fields, measures and priority
/// projects): the basic plan's own period, its successor the next basic plan that has content.
pub(crate) fn of_basic_plan(
    site: &Site,
    plan: &ComprehensivePlan,
    bp: &BasicPlan,
) -> Option<StandingView> {
    let successor = plan
        .basic_plans
        .iter()
        .filter(|b| {
            b.start > bp.end
                && !(b.fields.is_empty()
                    && b.priority_projects.is_empty()
                    && b.approaches.is_empty())
        })
        .min_by_key(|b| b.start)
        .map(|b| {
            (
                format!("/plans/{}/basic-plans/{}", plan.header.id, b.id),
                b.title.clone(),
            )
        });
    let whole = site.plan(&plan.header.id)?;
    view(
        site,
        whole,
        &bp.title,
        bp.start,
        bp.end,
        successor,
        today()?,
    )
}

fn view(
    site: &Site,
    plan: &Plan,
    subject: &str,
    start: FiscalYear,
    end: FiscalYear,
    successor: Option<(String, String)>,
    today: FiscalYear,
) -> Option<StandingView> {
    let publication = site.publication(plan.id());
    let working = publication.map_or(plan.header().status, |p| p.working);
    let standing = Standing::of(start, end, working, today);
    let span = views::span(start, end);
    let phase_text = match standing.phase {
        Phase::Current => format!("「{subject}」は計画期間中です。計画期間は{span}です。"),
        Phase::NotStarted => format!("「{subject}」はまだ計画期間前です。計画期間は{span}です。"),
        Phase::Ended => format!("「{subject}」の計画期間は終了しました。計画期間は{span}でした。"),
    };
    let version = publication.and_then(|p| p.version);
    let (text, modifier) = if standing.revising {
        let shown = match version {
            Some((n, at)) => format!(
                "このページでは、公表中の内容（第{n}版、{}公表）を表示しています。",
                clock::jst_date_label(at)
            ),
            None => "このページでは、公表中の内容を表示しています。".to_owned(),
        };
        (
            format!(
                "{}を現在改定中です。{shown}{phase_text}",
                plan.header().title
            ),
            "revising",
        )
    } else {
        let modifier = match standing.phase {
            Phase::Current => "current",
            Phase::NotStarted => "upcoming",
            Phase::Ended => "ended",
        };
        (phase_text, modifier)
    };
    Some(StandingView {
        label: standing.label(),
        modifier,
        text,
        successor: successor.filter(|_| standing.phase == Phase::Ended),
        updated: version.map(|(n, at)| format!("{}（第{n}版）", clock::jst_date_label(at))),
    })
}
