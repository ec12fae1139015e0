//! KPIs and their yearly verification (効果検証) — the place for the pure part of that
//! capability: yearly targets and actuals per indicator and fiscal year (速報値 / 確定値),
//! progress (進捗率 = (A − B) / (T − B) × 100) and achievement (達成率), interim expectations,
//! grade scales per plan and their roll-ups, and the states of a verification round
//! (department → planning office → expert panel → publication).
//!
//! The indicator *definitions* stay part of the plan ([`crate::plan::strategy::Indicator`],
//! versioned with it); what lands here are the yearly values, which live outside the plan's
//! edit path, and the calculations on them, exact decimals and never floats.
