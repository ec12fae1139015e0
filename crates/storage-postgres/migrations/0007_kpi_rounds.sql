-- The yearly verification round (効果検証) of a plan and fiscal year. Like the yearly values,
-- these reference the municipality, not the plan row: replacing a plan from a plan file
-- deletes and re-inserts its rows, and a round must survive that.

CREATE TABLE kpi_round (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    plan_id            TEXT NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('open', 'published')),
    -- the expert panel's overall opinion (総合意見)
    opinion            TEXT NOT NULL,
    -- how many reports were published (kpi_round_report rows)
    publications       BIGINT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, fiscal_year)
);

CREATE TABLE kpi_round_submission (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    plan_id            TEXT NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    department         TEXT NOT NULL,
    state              TEXT NOT NULL
                       CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
    -- the planning office's comment (a return's reason)
    comment            TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, fiscal_year, department)
);

CREATE TABLE kpi_assessment (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    plan_id            TEXT NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    indicator_id       TEXT NOT NULL,
    -- 要因分析 and 今後の方向性 (the department's)
    analysis           TEXT NOT NULL,
    course             TEXT
                       CHECK (course IN ('expand', 'continue', 'improve', 'reduce', 'abolish', 'complete')),
    -- 委員評価 and 指摘事項 (the panel's), 対応方針 (the city's response)
    rating             TEXT
                       CHECK (rating IN ('appropriate', 'mostly_appropriate', 'needs_improvement')),
    remark             TEXT NOT NULL,
    response           TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, fiscal_year, indicator_id)
);

-- The report frozen at each publication: the public site shows the latest one, even while
-- the round is re-opened, until it is published again.
CREATE TABLE kpi_round_report (
    municipality_code    TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    plan_id              TEXT NOT NULL,
    fiscal_year          INTEGER NOT NULL,
    number               BIGINT NOT NULL,
    published_by         TEXT NOT NULL,
    published_at_millis  BIGINT NOT NULL,
    report               TEXT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, fiscal_year, number)
);
