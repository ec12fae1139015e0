-- The 人口ビジョン (population vision): the municipality's census populations by sex × five-year
-- age group, its projection scenarios (their own assumptions, or a rule deriving them from
-- another scenario) with the last result of each, and the vision's own figures: the target
-- path, the actual totals, reference projections and the strategy's targets it rests on.
-- Every table begins its key with the municipality code, so a national deployment can
-- distribute them all by it. Rates and projected populations are binary64 floating-point
-- numbers stored as TEXT in their shortest round-trip decimal form ("0.98731", "-0.0125"),
-- so that a value read back is the same bits on every backend and in every backup.

CREATE TABLE population_vision (
    municipality_code  TEXT NOT NULL PRIMARY KEY REFERENCES municipality (code) ON DELETE CASCADE,
    published          BOOLEAN NOT NULL,
    target_note        TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL
);

-- 目標人口: the total the city aims at, per year
CREATE TABLE population_target (
    municipality_code  TEXT NOT NULL REFERENCES population_vision (municipality_code) ON DELETE CASCADE,
    year               INTEGER NOT NULL,
    total              BIGINT NOT NULL CHECK (total >= 0),
    PRIMARY KEY (municipality_code, year)
);

-- 実績人口: the actual total of a year, with its source
CREATE TABLE population_actual (
    municipality_code  TEXT NOT NULL REFERENCES population_vision (municipality_code) ON DELETE CASCADE,
    year               INTEGER NOT NULL,
    total              BIGINT NOT NULL CHECK (total >= 0),
    source             TEXT NOT NULL CHECK (source IN ('census', 'resident_register', 'estimate')),
    note               TEXT NOT NULL,
    PRIMARY KEY (municipality_code, year)
);

-- reference projections (社人研推計 …) and their totals
CREATE TABLE population_reference (
    municipality_code  TEXT NOT NULL REFERENCES population_vision (municipality_code) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    name               TEXT NOT NULL,
    PRIMARY KEY (municipality_code, position)
);

CREATE TABLE population_reference_point (
    municipality_code  TEXT NOT NULL,
    position           INTEGER NOT NULL,
    year               INTEGER NOT NULL,
    total              BIGINT NOT NULL CHECK (total >= 0),
    PRIMARY KEY (municipality_code, position, year),
    FOREIGN KEY (municipality_code, position)
        REFERENCES population_reference (municipality_code, position) ON DELETE CASCADE
);

-- the strategy's numerical targets and KPIs the vision rests on (by id, not foreign key)
CREATE TABLE population_link (
    municipality_code  TEXT NOT NULL REFERENCES population_vision (municipality_code) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    plan_id            TEXT NOT NULL,
    element_id         TEXT NOT NULL,
    PRIMARY KEY (municipality_code, position)
);

-- a base population (国勢調査): 年齢不詳 kept apart, spread pro rata when projected
CREATE TABLE population_census (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    year               INTEGER NOT NULL,
    source             TEXT NOT NULL,
    unknown_male       BIGINT NOT NULL CHECK (unknown_male >= 0),
    unknown_female     BIGINT NOT NULL CHECK (unknown_female >= 0),
    sample             BOOLEAN NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, year)
);

CREATE TABLE population_census_count (
    municipality_code  TEXT NOT NULL,
    year               INTEGER NOT NULL,
    sex                TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    age_group          INTEGER NOT NULL CHECK (age_group BETWEEN 0 AND 18),
    people             BIGINT NOT NULL CHECK (people >= 0),
    PRIMARY KEY (municipality_code, year, sex, age_group),
    FOREIGN KEY (municipality_code, year)
        REFERENCES population_census (municipality_code, year) ON DELETE CASCADE
);

-- a projection's definition: its own assumptions (derived_from NULL) or a rule deriving them
-- from another scenario's: zero_migration, scaled_migration (factor), fertility (base_tfr and
-- the points in population_tfr_point)
CREATE TABLE population_scenario (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    scenario_id        TEXT NOT NULL,
    position           INTEGER NOT NULL,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL,
    base_year          INTEGER NOT NULL,
    horizon            INTEGER NOT NULL,
    derived_from       TEXT,
    rule               TEXT CHECK (rule IN ('zero_migration', 'scaled_migration', 'fertility')),
    factor             TEXT,
    base_tfr           TEXT,
    sex_ratio          TEXT,
    published          BOOLEAN NOT NULL,
    sample             BOOLEAN NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at_millis  BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, scenario_id),
    CHECK ((derived_from IS NULL) = (rule IS NULL))
);

-- 生残率 and 純移動率: one set (step 0) for every step, or one per step
CREATE TABLE population_rate (
    municipality_code  TEXT NOT NULL,
    scenario_id        TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('survival', 'migration')),
    step               INTEGER NOT NULL CHECK (step >= 0),
    sex                TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    age_group          INTEGER NOT NULL CHECK (age_group BETWEEN 0 AND 18),
    rate               TEXT NOT NULL,
    PRIMARY KEY (municipality_code, scenario_id, kind, step, sex, age_group),
    FOREIGN KEY (municipality_code, scenario_id)
        REFERENCES population_scenario (municipality_code, scenario_id) ON DELETE CASCADE
);

-- 子ども女性比: one (step 0) for every step, or one per step
CREATE TABLE population_cwr (
    municipality_code  TEXT NOT NULL,
    scenario_id        TEXT NOT NULL,
    step               INTEGER NOT NULL CHECK (step >= 0),
    ratio              TEXT NOT NULL,
    PRIMARY KEY (municipality_code, scenario_id, step),
    FOREIGN KEY (municipality_code, scenario_id)
        REFERENCES population_scenario (municipality_code, scenario_id) ON DELETE CASCADE
);

-- a fertility path (合計特殊出生率 by year) of a scenario derived by the fertility rule
CREATE TABLE population_tfr_point (
    municipality_code  TEXT NOT NULL,
    scenario_id        TEXT NOT NULL,
    year               INTEGER NOT NULL,
    tfr                TEXT NOT NULL,
    PRIMARY KEY (municipality_code, scenario_id, year),
    FOREIGN KEY (municipality_code, scenario_id)
        REFERENCES population_scenario (municipality_code, scenario_id) ON DELETE CASCADE
);

-- a scenario's last result: when, from which inputs (their fingerprint), with which notes
CREATE TABLE population_result (
    municipality_code  TEXT NOT NULL,
    scenario_id        TEXT NOT NULL,
    computed_at_millis BIGINT NOT NULL,
    input_hash         TEXT NOT NULL,
    notes              TEXT NOT NULL,
    PRIMARY KEY (municipality_code, scenario_id),
    FOREIGN KEY (municipality_code, scenario_id)
        REFERENCES population_scenario (municipality_code, scenario_id) ON DELETE CASCADE
);

CREATE TABLE population_result_cell (
    municipality_code  TEXT NOT NULL,
    scenario_id        TEXT NOT NULL,
    year               INTEGER NOT NULL,
    sex                TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    age_group          INTEGER NOT NULL CHECK (age_group BETWEEN 0 AND 18),
    people             TEXT NOT NULL,
    PRIMARY KEY (municipality_code, scenario_id, year, sex, age_group),
    FOREIGN KEY (municipality_code, scenario_id)
        REFERENCES population_result (municipality_code, scenario_id) ON DELETE CASCADE
);
