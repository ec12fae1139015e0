//! Time at the web edge: the edge reads the clock and passes the time of a request to the use
//! cases, and shows stored times to people in Japan time.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::{CivilDate, format_date};

use crate::error::WebError;
use keikaku_domain::format::YEAR_STYLE;

/// The time of a request.
pub(crate) fn now() -> Result<Timestamp, WebError> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| WebError::Internal(format!("clock: {e}")))?
        .as_millis();
    Timestamp::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
        .map_err(|e| WebError::Internal(format!("clock: {e}")))
}

/// 「令和7年11月26日 15:15」 in Japan time (UTC+9, no daylight saving).
pub fn jst_label(at: Timestamp) -> String {
    const NINE_HOURS: i64 = 9 * 3600 * 1000;
    let shifted = Timestamp::from_millis(at.as_millis().saturating_add(NINE_HOURS)).unwrap_or(at);
    let iso = shifted.to_iso(); // 2026-11-26T06:15:00.000Z
    let date = iso
        .get(..10)
        .and_then(|d| CivilDate::parse_iso(d).ok())
        .map(|d| format_date(d, YEAR_STYLE));
    match (date, iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => iso,
    }
}

/// 「令和7年（2025年）11月26日」: the day of a moment in Japan time.
pub fn jst_date_label(at: Timestamp) -> String {
    const NINE_HOURS: i64 = 9 * 3600 * 1000;
    let shifted = Timestamp::from_millis(at.as_millis().saturating_add(NINE_HOURS)).unwrap_or(at);
    let iso = shifted.to_iso();
    iso.get(..10)
        .and_then(|d| CivilDate::parse_iso(d).ok())
        .map_or(iso.clone(), |d| {
            format_date(d, keikaku_domain::era::YearStyle::WarekiWithWestern)
        })
}

/// The fiscal year of the request being answered (Japan time); the public pages say from it
/// whether a plan's period is current or over, so their cache keys carry it.
pub(crate) fn this_fiscal_year() -> Option<keikaku_domain::era::FiscalYear> {
    now().ok().and_then(fiscal_year)
}

/// The fiscal year a moment falls in, in Japan time.
pub(crate) fn fiscal_year(at: Timestamp) -> Option<keikaku_domain::era::FiscalYear> {
    const NINE_HOURS: i64 = 9 * 3600 * 1000;
    let shifted = Timestamp::from_millis(at.as_millis().saturating_add(NINE_HOURS)).ok()?;
    let date = CivilDate::parse_iso(shifted.to_iso().get(..10)?).ok()?;
    keikaku_domain::era::FiscalYear::checked_containing(date)
}
