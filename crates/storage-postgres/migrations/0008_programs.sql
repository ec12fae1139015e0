-- The 実施計画 (implementation plan): one edition per municipality and fiscal year it is made
-- in (covering the next three), its programs (事業) with a code stable across editions, their
-- 事業費 and 財源内訳 per fiscal year in whole yen, the plan elements each serves, each
-- department's part of the yearly cycle, and the fiscal frames (財政計画の枠) of the budget
-- guide. Every table begins its key with the municipality code, so a national deployment can
-- distribute them all by it. Links to plan elements are by id, not foreign keys: a fixed or
-- published edition keeps pointing at what it served even after the plan is revised.

CREATE TABLE program_edition (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    -- the fiscal year the edition is made in (N); it covers N+1 … N+3
    made_in            INTEGER NOT NULL,
    -- the comprehensive plan whose goals, fields and measures the 一覧 follows
    plan_id            TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('draft', 'fixed', 'published')),
    -- how amounts become 千円 on pages and sheets
    rounding           TEXT NOT NULL CHECK (rounding IN ('half_up', 'down', 'up')),
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, made_in)
);

CREATE TABLE program (
    municipality_code  TEXT NOT NULL,
    made_in            INTEGER NOT NULL,
    code               TEXT NOT NULL,
    name               TEXT NOT NULL,
    department         TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    target_group       TEXT NOT NULL,
    means              TEXT NOT NULL,
    start_year         INTEGER NOT NULL,
    end_year           INTEGER,
    account            TEXT NOT NULL CHECK (account IN ('general', 'special', 'enterprise')),
    expense_type       TEXT NOT NULL CHECK (expense_type IN ('investment', 'other')),
    category           TEXT NOT NULL
                       CHECK (category IN ('new', 'continued', 'expanded', 'reduced',
                                           'suspended', 'abolished', 'completed')),
    activity_name      TEXT NOT NULL,
    activity_unit      TEXT NOT NULL,
    sample             BOOLEAN NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, made_in, code),
    FOREIGN KEY (municipality_code, made_in)
        REFERENCES program_edition (municipality_code, made_in) ON DELETE CASCADE
);

CREATE INDEX program_by_code ON program (municipality_code, code);

CREATE TABLE program_year (
    municipality_code  TEXT NOT NULL,
    made_in            INTEGER NOT NULL,
    code               TEXT NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    -- 事業費 and 国庫支出金, 県支出金, 地方債, その他, 一般財源, in whole yen
    cost               BIGINT NOT NULL,
    national           BIGINT NOT NULL,
    prefectural        BIGINT NOT NULL,
    bonds              BIGINT NOT NULL,
    other              BIGINT NOT NULL,
    general            BIGINT NOT NULL,
    -- the activity indicator's target of the year, a decimal as text
    activity_target    TEXT,
    PRIMARY KEY (municipality_code, made_in, code, fiscal_year),
    -- the funding identity, also kept by the database: every part >= 0, and they add up
    CHECK (national >= 0 AND prefectural >= 0 AND bonds >= 0 AND other >= 0 AND general >= 0),
    CHECK (cost = national + prefectural + bonds + other + general),
    FOREIGN KEY (municipality_code, made_in, code)
        REFERENCES program (municipality_code, made_in, code) ON DELETE CASCADE
);

CREATE TABLE program_link (
    municipality_code  TEXT NOT NULL,
    made_in            INTEGER NOT NULL,
    code               TEXT NOT NULL,
    position           INTEGER NOT NULL,
    plan_id            TEXT NOT NULL,
    element_id         TEXT NOT NULL,
    PRIMARY KEY (municipality_code, made_in, code, position),
    FOREIGN KEY (municipality_code, made_in, code)
        REFERENCES program (municipality_code, made_in, code) ON DELETE CASCADE
);

-- Each department's part of an edition's cycle (未提出 → 提出済み → 承認 | 差戻し).
CREATE TABLE program_part (
    municipality_code  TEXT NOT NULL,
    made_in            INTEGER NOT NULL,
    department         TEXT NOT NULL,
    state              TEXT NOT NULL
                       CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
    comment            TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, made_in, department),
    FOREIGN KEY (municipality_code, made_in)
        REFERENCES program_edition (municipality_code, made_in) ON DELETE CASCADE
);

-- The fiscal frames of the budget guide: the 一般財源 available per fiscal year, for the
-- whole city (department '') or one department (枠配分).
CREATE TABLE program_frame (
    municipality_code  TEXT NOT NULL,
    made_in            INTEGER NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    department         TEXT NOT NULL,
    general            BIGINT NOT NULL CHECK (general >= 0),
    PRIMARY KEY (municipality_code, made_in, fiscal_year, department),
    FOREIGN KEY (municipality_code, made_in)
        REFERENCES program_edition (municipality_code, made_in) ON DELETE CASCADE
);
