//! The hand-written reference: the roll of edition N into N+1 as `INSERT … SELECT`, one
//! statement per table, for every municipality in the database at once, in one transaction —
//! the rule of `keikaku_domain::program::roll` (廃止 and 完了 programs and those ending
//! before N+2 are not carried, 休止 stays 休止, everything else becomes 継続; the years from
//! N+2 on and the frames from N+2 on are copied; every link is copied) with nothing around
//! it: no municipality lock, no checks, no audit entry. The same text runs on PostgreSQL and
//! SQLite.
//!
//! Parameters: `$1` the edition rolled (N), `$2` the new one (N+1), `$3` its first year
//! (N+2) where the statement needs it.

/// Who the reference writes as.
pub const ACTOR: &str = "bench-sql";

/// The edition rows ($1, $2, then $3 the actor and $4 the time).
pub const EDITIONS: &str = "INSERT INTO program_edition (municipality_code, made_in, plan_id, \
     state, rounding, updated_by, updated_at_millis, revision) \
     SELECT municipality_code, $2, plan_id, 'draft', rounding, $3, $4, 1 \
     FROM program_edition WHERE made_in = $1";

/// The programs carried ($1, $2, $3 the first year, $4 the actor, $5 the time).
pub const PROGRAMS: &str = "INSERT INTO program (municipality_code, made_in, code, name, \
     department, purpose, target_group, means, start_year, end_year, account, expense_type, \
     category, activity_name, activity_unit, sample, updated_by, updated_at_millis, revision) \
     SELECT municipality_code, $2, code, name, department, purpose, target_group, means, \
     start_year, end_year, account, expense_type, \
     CASE WHEN category = 'suspended' THEN 'suspended' ELSE 'continued' END, \
     activity_name, activity_unit, sample, $4, $5, 1 FROM program \
     WHERE made_in = $1 AND category NOT IN ('abolished', 'completed') \
     AND (end_year IS NULL OR end_year >= $3)";

/// The years from N+2 of the programs carried ($1, $2, $3).
pub const YEARS: &str = "INSERT INTO program_year (municipality_code, made_in, code, \
     fiscal_year, cost, national, prefectural, bonds, other, general, activity_target) \
     SELECT y.municipality_code, $2, y.code, y.fiscal_year, y.cost, y.national, \
     y.prefectural, y.bonds, y.other, y.general, y.activity_target FROM program_year y \
     JOIN program p ON p.municipality_code = y.municipality_code AND p.made_in = $2 \
     AND p.code = y.code WHERE y.made_in = $1 AND y.fiscal_year >= $3";

/// The links of the programs carried ($1, $2).
pub const LINKS: &str = "INSERT INTO program_link (municipality_code, made_in, code, position, \
     plan_id, element_id) \
     SELECT l.municipality_code, $2, l.code, l.position, l.plan_id, l.element_id \
     FROM program_link l JOIN program p ON p.municipality_code = l.municipality_code \
     AND p.made_in = $2 AND p.code = l.code WHERE l.made_in = $1";

/// The frames from N+2 ($1, $2, $3).
pub const FRAMES: &str = "INSERT INTO program_frame (municipality_code, made_in, fiscal_year, \
     department, general) \
     SELECT municipality_code, $2, fiscal_year, department, general FROM program_frame \
     WHERE made_in = $1 AND fiscal_year >= $3";

/// Removes every edition made in `$1` with all it holds, children first (between runs).
pub const CLEAR: [&str; 6] = [
    "DELETE FROM program_year WHERE made_in = $1",
    "DELETE FROM program_link WHERE made_in = $1",
    "DELETE FROM program_frame WHERE made_in = $1",
    "DELETE FROM program_part WHERE made_in = $1",
    "DELETE FROM program WHERE made_in = $1",
    "DELETE FROM program_edition WHERE made_in = $1",
];
