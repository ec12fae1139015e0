//! The public view of one municipality: its published plans and their search index, kept
//! in memory and reloaded when the store's data version moves.
//!
//! The public sees, of each plan, its latest **published version** (the snapshot frozen when
//! it was published), not the working copy: while the planning office revises a plan (moved
//! back to 審議中 or 草案), citizens keep reading what was last published, and edits to drafts
//! never reach the public site until the plan is published again.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::search::{SearchHit, SearchIndex};
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId, PlanStatus};
use keikaku_storage::{PlanSummary, PopulationData, ReportRecord, Store};

use crate::kpi::Report;
use crate::kpi::evaluation::{Evaluation, EvaluationCache};
use crate::kpi::report::read_report;
use crate::programs::{EditionCache, KeptEdition};

use crate::search::{self, Location};
use crate::{AppError, Context};

/// Everything the public site shows, at one data version.
#[derive(Debug)]
pub struct Site {
    /// The municipality.
    pub municipality: Municipality,
    /// Its published plans, in display order.
    pub plans: Vec<Plan>,
    /// A key of the published content (which version of which plan, the reports and editions
    /// published, the public 人口ビジョン): it changes only when what the public sees changes,
    /// so caches and ETags survive edits to drafts.
    pub version: i64,
    index: SearchIndex<Location>,
    /// The published verification reports of each published plan, by fiscal year.
    reports: Vec<(PlanId, Vec<Report>)>,
    /// The published editions of the 実施計画 (the fiscal years they are made in), newest
    /// first. Published editions never change, so their years are all the public view needs.
    editions: Vec<FiscalYear>,
    /// Whether the 人口ビジョン is public.
    population: bool,
    /// Of each published plan: its working copy's status and the published version shown.
    publications: Vec<(PlanId, Publication)>,
    /// The department list (所管課 and their contacts).
    departments: Vec<keikaku_domain::department::Department>,
    /// The theme list and its tags.
    themes: keikaku_storage::ThemeList,
    /// The themes' names with their readings and synonyms, for search.
    thesaurus: keikaku_domain::search::Thesaurus,
}

/// What the public pages say about the publication of a plan they show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Publication {
    /// The status of the working copy: anything but 公開 means the city is revising the plan
    /// while the site shows the published version.
    pub working: PlanStatus,
    /// The published version shown and when it was frozen (none for a plan published before
    /// versions were kept: it is read as it is stored).
    pub version: Option<(u32, Timestamp)>,
}

impl Site {
    /// Builds the view from the municipality and all its plans (unpublished ones are dropped).
    pub fn new(municipality: Municipality, plans: Vec<Plan>, version: i64) -> Self {
        let plans: Vec<Plan> = plans
            .into_iter()
            .filter(|p| p.header().status == PlanStatus::Published)
            .collect();
        let index = search::build(&plans);
        Self {
            municipality,
            plans,
            version,
            index,
            reports: Vec::new(),
            editions: Vec::new(),
            population: false,
            publications: Vec::new(),
            departments: Vec::new(),
            themes: keikaku_storage::ThemeList::default(),
            thesaurus: keikaku_domain::search::Thesaurus::default(),
        }
    }

    /// The view with the theme list and its tags (search then reads the themes' words).
    #[must_use]
    pub fn with_themes(mut self, themes: keikaku_storage::ThemeList) -> Self {
        self.thesaurus = keikaku_domain::theme::thesaurus(&themes.themes);
        self.themes = themes;
        self
    }

    /// The themes, in the list's order.
    pub fn themes(&self) -> &[keikaku_domain::theme::Theme] {
        &self.themes.themes
    }

    /// The theme of a code.
    pub fn theme(&self, code: &str) -> Option<&keikaku_domain::theme::Theme> {
        keikaku_domain::theme::find(&self.themes.themes, code)
    }

    /// The themes an element of a published plan is under, in the list's order.
    pub fn themes_of(
        &self,
        plan: &PlanId,
        element: &keikaku_domain::ElementId,
    ) -> Vec<&keikaku_domain::theme::Theme> {
        self.themes
            .themes
            .iter()
            .filter(|t| {
                self.themes
                    .tags
                    .iter()
                    .any(|g| &g.plan == plan && &g.element == element && g.theme == t.code)
            })
            .collect()
    }

    /// The elements of the published plans under a theme, in the plans' order and each
    /// plan's reading order, with their place and title (tags of elements the published
    /// plans do not have are left out).
    pub fn tagged(&self, code: &str) -> Vec<(&Location, &str)> {
        self.index
            .documents()
            .iter()
            .filter(|d| {
                d.key.id.as_ref().is_some_and(|id| {
                    self.themes
                        .tags
                        .iter()
                        .any(|g| g.theme == code && g.plan == d.key.plan && &g.element == id)
                })
            })
            .map(|d| (&d.key, d.title.as_str()))
            .collect()
    }

    /// The view with the department list.
    #[must_use]
    pub fn with_departments(
        mut self,
        departments: Vec<keikaku_domain::department::Department>,
    ) -> Self {
        self.departments = departments;
        self
    }

    /// The listed department of a name (the 所管課 an element names), with its contact.
    pub fn department(&self, name: &str) -> Option<&keikaku_domain::department::Department> {
        keikaku_domain::department::find(&self.departments, name)
    }

    /// The view with what is known of each plan's publication.
    #[must_use]
    pub fn with_publications(mut self, publications: Vec<(PlanId, Publication)>) -> Self {
        self.publications = publications;
        self
    }

    /// The publication of a published plan: the working copy's status and the version shown.
    pub fn publication(&self, id: &PlanId) -> Option<Publication> {
        self.publications
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, p)| *p)
    }

    /// The view that knows whether the 人口ビジョン is public.
    #[must_use]
    pub fn with_population(mut self, public: bool) -> Self {
        self.population = public;
        self
    }

    /// Whether the 人口ビジョン is public (the navigation shows it then).
    pub fn population_public(&self) -> bool {
        self.population
    }

    /// The view with the published editions of the 実施計画, newest first.
    #[must_use]
    pub fn with_editions(mut self, editions: Vec<FiscalYear>) -> Self {
        self.editions = editions;
        self
    }

    /// The published editions of the 実施計画 (the years they are made in), newest first.
    pub fn editions(&self) -> &[FiscalYear] {
        &self.editions
    }

    /// The view with the published verification reports of its plans (the latest publication
    /// of each year, as frozen).
    #[must_use]
    pub fn with_reports(mut self, reports: Vec<(PlanId, Vec<Report>)>) -> Self {
        self.reports = reports;
        self
    }

    /// The published verification reports of a plan, by fiscal year.
    pub fn reports(&self, id: &PlanId) -> &[Report] {
        self.reports
            .iter()
            .find(|(p, _)| p == id)
            .map_or(&[], |(_, r)| r.as_slice())
    }

    /// The published verification report of a plan and fiscal year.
    pub fn report(&self, id: &PlanId, year: FiscalYear) -> Option<&Report> {
        self.reports(id).iter().find(|r| r.fiscal_year == year)
    }

    /// A published plan.
    pub fn plan(&self, id: &PlanId) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id() == id)
    }

    /// Searches the published plans; at most `limit` hits, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit<'_, Location>> {
        self.index.search_with(query, &self.thesaurus, limit)
    }

    /// What else a query's terms were searched as (the themes' readings and synonyms).
    pub fn also_searched(&self, query: &str) -> Vec<(String, Vec<String>)> {
        self.thesaurus.also_searched(query)
    }
}

/// How often the catalog asks the store whether the data changed. Writes through this
/// process are seen at once (they call [`Catalog::invalidate`]); writes by another process
/// (a CLI import) within this interval.
const FRESHNESS: Duration = Duration::from_secs(1);

/// The public catalog of one municipality.
pub struct Catalog {
    store: Arc<dyn Store>,
    code: MunicipalityCode,
    /// The store's data version the current view was checked against.
    seen: AtomicI64,
    current: RwLock<Arc<Site>>,
    started: Instant,
    /// Milliseconds since `started` of the last freshness check.
    checked: AtomicU64,
    refreshing: tokio::sync::Mutex<()>,
    evaluations: EvaluationCache,
    editions: EditionCache,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

/// The latest published version of each plan: `(plan, version number)`, in display order.
/// A published plan without a frozen version (an old database) is read as it is stored.
async fn published(
    cx: &Context<'_>,
) -> Result<Vec<(PlanSummary, Option<(u32, Timestamp)>)>, AppError> {
    let mut out = Vec::new();
    for s in cx.store.plan_summaries(cx.municipality).await? {
        let versions = cx
            .store
            .plan_versions(cx.municipality, &s.header.id)
            .await?;
        let latest = versions
            .iter()
            .rev()
            .find(|v| v.status == PlanStatus::Published)
            .map(|v| (v.number, v.at));
        if latest.is_some() || s.header.status == PlanStatus::Published {
            out.push((s, latest));
        }
    }
    Ok(out)
}

/// What the public sees of the 人口ビジョン, for the content key: nothing while it is not
/// public; once it is, every record's revision (a public scenario's result, and whether it is
/// current, depends on its census and on the scenario it is derived from, public or not).
fn population_key(population: &PopulationData, h: &mut DefaultHasher) {
    let Some(vision) = population.vision.as_ref().filter(|v| v.vision.published) else {
        false.hash(h);
        return;
    };
    vision.revision.hash(h);
    for c in &population.censuses {
        (c.census.year, c.revision).hash(h);
    }
    for s in &population.scenarios {
        (s.scenario.id.as_str(), s.revision).hash(h);
    }
}

fn content_key(
    municipality: &Municipality,
    published: &[(PlanSummary, Option<(u32, Timestamp)>)],
    reports: &[(PlanId, Vec<ReportRecord>)],
    editions: &[FiscalYear],
    population: &PopulationData,
    lists: i64,
    data_version: i64,
) -> i64 {
    let mut h = DefaultHasher::new();
    // The contacts of the 所管課 shown on element pages, the themes and their tags.
    lists.hash(&mut h);
    population_key(population, &mut h);
    // The published editions of the 実施計画 (which never change once published).
    for e in editions {
        e.year().hash(&mut h);
    }
    // The verification reports the public reads: which publication of which year.
    for (id, records) in reports {
        id.as_str().hash(&mut h);
        for r in records {
            (r.fiscal_year.year(), r.number).hash(&mut h);
        }
    }
    municipality.code.as_str().hash(&mut h);
    municipality.name.hash(&mut h);
    municipality.prefecture.hash(&mut h);
    for (s, number) in published {
        s.header.id.as_str().hash(&mut h);
        number.map(|(n, _)| n).hash(&mut h);
        // 「改定中」 depends on the working copy's status.
        s.header.status.hash(&mut h);
        if number.is_none() {
            // Read from the working copy: any write may have changed it.
            data_version.hash(&mut h);
        }
    }
    i64::from_ne_bytes(h.finish().to_ne_bytes())
}

/// Loads the public view, unless its content is the same as `current`'s.
async fn load(
    cx: &Context<'_>,
    current: Option<&Site>,
    data_version: i64,
) -> Result<Option<Site>, AppError> {
    let municipality = cx
        .store
        .municipality(cx.municipality)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "市町村コード「{}」の団体は登録されていません。",
                cx.municipality
            ))
        })?;
    let published = published(cx).await?;
    let mut records = Vec::new();
    for (s, _) in &published {
        let r = cx
            .store
            .published_reports(cx.municipality, &s.header.id)
            .await?;
        records.push((s.header.id.clone(), r));
    }
    let editions: Vec<FiscalYear> = cx
        .store
        .editions(cx.municipality)
        .await?
        .into_iter()
        .filter(|e| e.edition.state == keikaku_domain::program::EditionState::Published)
        .map(|e| e.edition.made_in)
        .collect();
    // The public 人口ビジョン is read from the store by its readers; the key follows it.
    let population = cx.store.population(cx.municipality).await?;
    let (departments, department_revision) = cx.store.departments(cx.municipality).await?;
    let themes = cx.store.themes(cx.municipality).await?;
    let lists = {
        let mut h = DefaultHasher::new();
        department_revision.hash(&mut h);
        themes.revision.hash(&mut h);
        for t in &themes.tags {
            (t.plan.as_str(), t.element.as_str(), &t.theme).hash(&mut h);
        }
        i64::from_ne_bytes(h.finish().to_ne_bytes())
    };
    let key = content_key(
        &municipality,
        &published,
        &records,
        &editions,
        &population,
        lists,
        data_version,
    );
    if current.is_some_and(|c| c.version == key && c.municipality == municipality) {
        return Ok(None);
    }
    let mut plans = Vec::new();
    for (s, number) in &published {
        let plan = match number.map(|(n, _)| n) {
            Some(n) => {
                let Some((_, snapshot)) = cx
                    .store
                    .plan_version(cx.municipality, &s.header.id, n)
                    .await?
                else {
                    continue;
                };
                let file = keikaku_planfile::read_snapshot(&snapshot).map_err(|p| {
                    AppError::Store(keikaku_storage::StoreError::Corrupt(format!(
                        "計画「{}」の版{n}: {}",
                        s.header.id,
                        p.first().map(|p| p.message.as_str()).unwrap_or("")
                    )))
                })?;
                file.plans.into_iter().find(|p| p.id() == &s.header.id)
            }
            None => cx.store.plan(cx.municipality, &s.header.id).await?,
        };
        plans.extend(plan);
    }
    let mut reports = Vec::new();
    for (id, rs) in records {
        let parsed = rs
            .iter()
            .map(|r| read_report(&r.report, r.fiscal_year, r.number, r.published_at))
            .collect::<Result<Vec<_>, _>>()?;
        reports.push((id, parsed));
    }
    let publications = published
        .iter()
        .map(|(s, number)| {
            (
                s.header.id.clone(),
                Publication {
                    working: s.header.status,
                    version: *number,
                },
            )
        })
        .collect();
    Ok(Some(
        Site::new(municipality, plans, key)
            .with_publications(publications)
            .with_departments(departments)
            .with_themes(themes)
            .with_reports(reports)
            .with_editions(editions)
            .with_population(population.vision.is_some_and(|v| v.vision.published)),
    ))
}

impl Catalog {
    /// Opens the catalog of a municipality, loading its plans.
    pub async fn open(store: Arc<dyn Store>, code: MunicipalityCode) -> Result<Self, AppError> {
        let seen = store.data_version(&code).await?;
        let site = load(&Context::new(store.as_ref(), &code), None, seen)
            .await?
            .ok_or_else(|| AppError::NotFound(code.to_string()))?;
        Ok(Self {
            store,
            code,
            seen: AtomicI64::new(seen),
            current: RwLock::new(Arc::new(site)),
            started: Instant::now(),
            checked: AtomicU64::new(0),
            refreshing: tokio::sync::Mutex::new(()),
            evaluations: EvaluationCache::default(),
            editions: EditionCache::default(),
        })
    }

    /// The evaluation of a plan's indicators up to a fiscal year (default: the period's end),
    /// as stored now: read once and kept until the next write.
    pub async fn evaluation(
        &self,
        plan: &PlanId,
        until: Option<FiscalYear>,
    ) -> Result<Arc<Evaluation>, AppError> {
        self.evaluations
            .evaluation(&self.context(), plan, until)
            .await
    }

    /// An edition of the 実施計画 as the staff pages show it (working copies, narrowed to
    /// what `authority` reaches), with its aggregates: read once and kept until the next
    /// write, per reach (the whole city, or one department).
    pub async fn staff_edition(
        &self,
        authority: &impl crate::access::Authority,
        made_in: FiscalYear,
    ) -> Result<Arc<KeptEdition>, AppError> {
        self.editions
            .edition(&self.context(), authority, made_in)
            .await
    }

    /// The store and the municipality this catalog serves, for the use cases that read and
    /// write through it (editing, accounts, history).
    pub fn context(&self) -> Context<'_> {
        Context::new(self.store.as_ref(), &self.code)
    }

    /// Whether the store answers (one cheap query), for health checks.
    pub async fn check_store(&self) -> Result<(), AppError> {
        self.store.data_version(&self.code).await?;
        Ok(())
    }

    /// The municipality this catalog serves.
    pub fn municipality_code(&self) -> &MunicipalityCode {
        &self.code
    }

    fn snapshot(&self) -> Arc<Site> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The current view, reloaded first if the store's data changed. At most one request
    /// asks the store per [`FRESHNESS`] interval; the others are served the current view.
    pub async fn site(&self) -> Result<Arc<Site>, AppError> {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.checked.load(Ordering::Relaxed);
        let stale =
            now.saturating_sub(last) >= u64::try_from(FRESHNESS.as_millis()).unwrap_or(1000);
        if stale && let Ok(_guard) = self.refreshing.try_lock() {
            self.checked.store(now, Ordering::Relaxed);
            let version = self.store.data_version(&self.code).await?;
            if version != self.seen.load(Ordering::Relaxed) {
                self.reload().await?;
            }
        }
        Ok(self.snapshot())
    }

    /// Reloads now, e.g. after a write through this process.
    pub async fn invalidate(&self) -> Result<(), AppError> {
        self.reload().await
    }

    async fn reload(&self) -> Result<(), AppError> {
        // Read the version first: a write that lands while we load makes the next check
        // reload again.
        let seen = self.store.data_version(&self.code).await?;
        let current = self.snapshot();
        if let Some(site) = load(&self.context(), Some(&current), seen).await? {
            let site = Arc::new(site);
            match self.current.write() {
                Ok(mut g) => *g = site,
                Err(poisoned) => *poisoned.into_inner() = site,
            }
        }
        self.seen.store(seen, Ordering::Relaxed);
        Ok(())
    }
}
