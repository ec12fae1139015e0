//! The 人口ビジョン of an example (`keikaku_planfile::example_population`), stored through the
//! same use cases as the pages use — the census, the vision's figures, the scenarios in order
//! — and every scenario projected, so a fresh example shows a public vision with results.

use keikaku_domain::MunicipalityCode;
use keikaku_domain::audit::Timestamp;
use keikaku_planfile::population_vision::read_population;
use keikaku_storage::{Store, StoreError};

use crate::access::Operator;
use crate::{AppError, Context};

fn broken(what: &str) -> AppError {
    AppError::Store(StoreError::Corrupt(format!("例の人口ビジョン: {what}")))
}

/// Stores the vision of an example's population file and projects its scenarios.
pub(crate) async fn load_example_population(
    operator: &Operator,
    store: &dyn Store,
    code: &MunicipalityCode,
    file: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    let read = read_population(file).map_err(|p| {
        broken(
            &p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let cx = Context::new(store, code);
    for census in read.censuses {
        super::save_census(&cx, operator, census, None, at).await?;
    }
    if let Some(vision) = read.vision {
        super::save_vision(&cx, operator, vision, None, at).await?;
    }
    for scenario in read.scenarios {
        super::save_scenario(&cx, operator, scenario, None, at).await?;
    }
    super::run_all(&cx, operator, at).await?;
    Ok(())
}
