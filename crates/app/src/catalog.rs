//! The public view of one municipality: its published plans and their search index, kept
//! in memory and reloaded when the store's data version moves.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use keikaku_domain::search::{SearchHit, SearchIndex};
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId, PlanStatus};
use keikaku_storage::PlanStore;

use crate::AppError;
use crate::search::{self, Location};

/// Everything the public site shows, at one data version.
#[derive(Debug)]
pub struct Site {
    /// The municipality.
    pub municipality: Municipality,
    /// Its published plans, in display order.
    pub plans: Vec<Plan>,
    /// The store's data version this view was built from.
    pub version: i64,
    index: SearchIndex<Location>,
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
        }
    }

    /// A published plan.
    pub fn plan(&self, id: &PlanId) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id() == id)
    }

    /// Searches the published plans; at most `limit` hits, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit<'_, Location>> {
        self.index.search(query, limit)
    }
}

/// How often the catalog asks the store whether the data changed. Writes through this
/// process are seen at once (they call [`Catalog::invalidate`]); writes by another process
/// (a CLI import) within this interval.
const FRESHNESS: Duration = Duration::from_secs(1);

/// The public catalog of one municipality.
pub struct Catalog {
    store: Arc<dyn PlanStore>,
    code: MunicipalityCode,
    current: RwLock<Arc<Site>>,
    started: Instant,
    /// Milliseconds since `started` of the last freshness check.
    checked: AtomicU64,
    refreshing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

async fn load(store: &dyn PlanStore, code: &MunicipalityCode) -> Result<Site, AppError> {
    // Read the version first: a write that lands while we load makes the next check reload.
    let version = store.data_version(code).await?;
    let municipality = store.municipality(code).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "市町村コード「{code}」の団体は登録されていません。"
        ))
    })?;
    let plans = crate::stored_plans(store, code).await?;
    Ok(Site::new(municipality, plans, version))
}

impl Catalog {
    /// Opens the catalog of a municipality, loading its plans.
    pub async fn open(store: Arc<dyn PlanStore>, code: MunicipalityCode) -> Result<Self, AppError> {
        let site = load(store.as_ref(), &code).await?;
        Ok(Self {
            store,
            code,
            current: RwLock::new(Arc::new(site)),
            started: Instant::now(),
            checked: AtomicU64::new(0),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// The store behind the catalog, for the reads that are not cached (version history).
    pub fn store(&self) -> &dyn PlanStore {
        self.store.as_ref()
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
            if version != self.snapshot().version {
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
        let site = Arc::new(load(self.store.as_ref(), &self.code).await?);
        match self.current.write() {
            Ok(mut g) => *g = site,
            Err(poisoned) => *poisoned.into_inner() = site,
        }
        Ok(())
    }
}
