//! The department list (所管課の一覧): read whole, saved whole against the revision its editor
//! read, audited.

use async_trait::async_trait;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::department::Department;

use crate::{Author, StoreError};

/// The department list of a municipality.
#[async_trait]
pub trait DepartmentStore: Send + Sync {
    /// The list in its order, and its revision (0 while it was never saved).
    async fn departments(
        &self,
        municipality: &MunicipalityCode,
    ) -> Result<(Vec<Department>, i64), StoreError>;

    /// Replaces the list (already checked: names unique) with an audit entry `departments`
    /// holding the list before and after. `expected` is the revision the editor read; another
    /// is refused with [`StoreError::Stale`]`("departments")` and nothing written. Returns the
    /// new revision.
    async fn save_departments(
        &self,
        municipality: &MunicipalityCode,
        list: &[Department],
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError>;
}
