-- Yearly values of indicators and each plan's evaluation settings. They live outside the
-- plan's versioned rows: they are entered while a plan is adopted or published, never freeze
-- a version, and survive a plan being replaced by a new plan file (so they reference the
-- municipality, not the plan row, which a replacement deletes and writes again).

CREATE TABLE kpi_value (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    plan_id            TEXT NOT NULL,
    indicator_id       TEXT NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    -- exact decimals as text; NULL is "not entered" (未把握), never 0
    target_value       TEXT,
    actual_value       TEXT,
    state              TEXT NOT NULL CHECK (state IN ('provisional', 'confirmed')),
    note               TEXT NOT NULL,
    entered_by         TEXT NOT NULL,
    entered_at_millis  BIGINT NOT NULL,
    -- for optimistic concurrency: grows with every change of the row
    version            BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, indicator_id, fiscal_year)
);

CREATE TABLE kpi_settings (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    plan_id            TEXT NOT NULL,
    -- the rate graded: 'progress' (進捗率) or 'achievement' (達成率)
    basis              TEXT NOT NULL CHECK (basis IN ('progress', 'achievement')),
    lower_form         TEXT NOT NULL CHECK (lower_form IN ('target_over_actual', 'two_minus_ratio')),
    -- one grade per line, best first: 'A=100', …, the last label alone
    grades             TEXT NOT NULL,
    missing_label      TEXT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id)
);
