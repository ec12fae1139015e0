//! The 人口ビジョン (population vision): the municipality's census populations, its projection
//! scenarios and their results, and the vision's target path against the actual totals.
