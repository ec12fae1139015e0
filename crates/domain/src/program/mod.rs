//! The 実施計画 (implementation plan) — the place for the pure part of that capability:
//! programs (事業) with a code stable across editions, the edition made in FY N covering
//! FY N+1 … N+3, costs per fiscal year in integer yen with the funding identity
//! 事業費 = 国庫支出金 + 県支出金 + 地方債 + その他 + 一般財源 (every part ≥ 0), the yearly
//! roll, and the difference between two editions (新規 / 継続 / 拡充 / 縮小 / 休止 / 廃止 / 完了).
//!
//! Money is shown in 千円 through [`crate::format::thousand_yen`], one rounding rule in one
//! place.
