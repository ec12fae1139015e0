//! The grade counts per group (objective, goal, field, measure) and of the whole plan, as
//! one table (`components/kpi_tally.html`): the staff overview counts the latest grades, the
//! public dashboard those of a published report — the same component for both.

use keikaku_app::kpi::GroupTally;
use keikaku_domain::kpi::UNEVALUABLE;

/// One row: a group (indented by its depth) or the plan total.
pub(crate) struct TallyRow {
    pub(crate) group: String,
    /// `kpi-tally__depth-N` for groups inside others (empty for the outermost).
    pub(crate) class: String,
    /// The plan total, set apart.
    pub(crate) total_row: bool,
    /// The count under each of the table's labels, in order.
    pub(crate) counts: Vec<usize>,
    pub(crate) unevaluable: usize,
    pub(crate) total: usize,
}

/// The table, ready for the template.
pub(crate) struct TallyTable {
    pub(crate) id: String,
    pub(crate) caption: String,
    /// The grade labels, best first (the scale's, then any label found only in counts).
    pub(crate) labels: Vec<String>,
    pub(crate) unevaluable_label: &'static str,
    pub(crate) rows: Vec<TallyRow>,
}

/// Lays out group tallies (the last one the plan total) as a table.
pub(crate) fn tally_table(id: &str, caption: String, tallies: Vec<GroupTally>) -> TallyTable {
    let mut labels: Vec<String> = Vec::new();
    for t in &tallies {
        for (label, _) in &t.tally.counts {
            if !labels.contains(label) {
                labels.push(label.clone());
            }
        }
    }
    let last = tallies.len().saturating_sub(1);
    let rows = tallies
        .into_iter()
        .enumerate()
        .map(|(i, t)| TallyRow {
            counts: labels
                .iter()
                .map(|l| {
                    t.tally
                        .counts
                        .iter()
                        .find(|(c, _)| c == l)
                        .map_or(0, |(_, n)| *n)
                })
                .collect(),
            unevaluable: t.tally.unevaluable,
            total: t.tally.total(),
            class: if t.depth == 0 {
                String::new()
            } else {
                format!("kpi-tally__depth-{}", t.depth.min(3))
            },
            total_row: i == last,
            group: t.label,
        })
        .collect();
    TallyTable {
        id: id.to_owned(),
        caption,
        labels,
        unevaluable_label: UNEVALUABLE,
        rows,
    }
}
