//! Editions kept between requests for the staff pages: an edition as [`edition`] reads it —
//! its programs, parts and frames, placed in the plans' working copies — with its aggregates
//! made once, kept with the store's data version it was read at.
//!
//! Every write of the municipality moves that version (programs, editions, parts, fiscal
//! frames, plan elements and everything else go through the store's one writing
//! transaction), so a kept edition is served only while nothing at all was written since: one
//! cheap query per request instead of reading the edition and the plans and adding up 500
//! programs again. Kept editions are keyed by how far the viewer reaches — everything, or one
//! department's programs ([`Authority::own_department`]) —, so a department editor is never
//! served a view narrowed for someone else, nor the city's.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use keikaku_domain::MunicipalityCode;
use keikaku_domain::era::FiscalYear;

use super::editions::{EditionView, READ_ACTIONS, check_action, edition};
use super::listing::{Aggregates, aggregates};
use crate::access::Authority;
use crate::{AppError, Context};

/// An edition as staff see it at one data version, with its aggregates made on first use.
#[derive(Debug)]
pub struct KeptEdition {
    view: EditionView,
    aggregates: OnceLock<Aggregates>,
}

impl KeptEdition {
    fn new(view: EditionView) -> Self {
        Self {
            view,
            aggregates: OnceLock::new(),
        }
    }

    /// The edition, narrowed to what the viewer reaches.
    pub fn view(&self) -> &EditionView {
        &self.view
    }

    /// Its aggregates and budget guide ([`aggregates`]), made once per kept edition.
    pub fn aggregates(&self) -> &Aggregates {
        self.aggregates.get_or_init(|| aggregates(&self.view))
    }
}

/// Editions kept between requests (see the module's documentation).
#[derive(Debug, Default)]
pub struct EditionCache {
    kept: Mutex<Vec<Kept>>,
}

#[derive(Debug)]
struct Kept {
    municipality: MunicipalityCode,
    made_in: FiscalYear,
    /// The department the view is narrowed to (`None`: every department).
    reach: Option<String>,
    version: i64,
    edition: Arc<KeptEdition>,
}

/// How many editions (edition × reach) are kept; the least recently used goes first.
const KEPT: usize = 8;

impl EditionCache {
    /// The edition made in `made_in` as [`edition`] reads it for `authority`, kept until the
    /// next write. The authority is checked on every call, kept or not.
    pub async fn edition(
        &self,
        cx: &Context<'_>,
        authority: &impl Authority,
        made_in: FiscalYear,
    ) -> Result<Arc<KeptEdition>, AppError> {
        check_action(authority, &READ_ACTIONS)?;
        let reach = authority.own_department();
        // The version first: a write landing while the edition is read makes the next request
        // read it again.
        let version = cx.store.data_version(cx.municipality).await?;
        let same = |k: &Kept| {
            &k.municipality == cx.municipality && k.made_in == made_in && k.reach == reach
        };
        {
            let mut kept = self.lock();
            if let Some(i) = kept.iter().position(|k| same(k) && k.version == version) {
                let hit = kept.remove(i);
                let edition = Arc::clone(&hit.edition);
                kept.push(hit);
                return Ok(edition);
            }
        }
        let fresh = Arc::new(KeptEdition::new(edition(cx, authority, made_in).await?));
        let mut kept = self.lock();
        // Never replace a view read at a later version by this one.
        if kept.iter().any(|k| same(k) && k.version > version) {
            return Ok(fresh);
        }
        kept.retain(|k| !same(k));
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push(Kept {
            municipality: cx.municipality.clone(),
            made_in,
            reach,
            version,
            edition: Arc::clone(&fresh),
        });
        Ok(fresh)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Kept>> {
        match self.kept.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}
