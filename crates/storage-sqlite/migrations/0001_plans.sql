-- The plans of municipalities. Every table carries the municipality code, so that several
-- municipalities can share one database. See keikaku-storage::rows for the row shapes.

CREATE TABLE municipality (
    code          TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    prefecture    TEXT NOT NULL,
    -- grows with every write to the municipality's data; caches compare it
    data_version  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plan (
    municipality_code   TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    id                  TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('comprehensive_plan', 'strategy')),
    title               TEXT NOT NULL,
    purpose             TEXT NOT NULL,
    scope               TEXT NOT NULL,
    period_start        INTEGER NOT NULL,
    period_end          INTEGER NOT NULL,
    period_description  TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'under_deliberation', 'adopted', 'published')),
    position            INTEGER NOT NULL,
    future_image        TEXT,
    future_image_note   TEXT,
    revision            INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (municipality_code, id)
);

CREATE TABLE plan_element (
    municipality_code      TEXT NOT NULL,
    plan_id                TEXT NOT NULL,
    id                     TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    parent_id              TEXT,
    position               INTEGER NOT NULL,
    number                 TEXT NOT NULL,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL,
    goal_id                TEXT,
    current_state          TEXT,
    course_of_action       TEXT,
    citizen_participation  TEXT,
    department             TEXT,
    half                   TEXT,
    start_year             INTEGER,
    end_year               INTEGER,
    unit                   TEXT,
    direction              TEXT,
    indicator_type         TEXT,
    baseline_value         TEXT,
    baseline_year          INTEGER,
    target_value           TEXT,
    target_year            INTEGER,
    calculation_method     TEXT,
    data_source            TEXT,
    sample                 BOOLEAN NOT NULL DEFAULT FALSE,
    -- for optimistic concurrency of element edits
    version                INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (municipality_code, plan_id, id),
    FOREIGN KEY (municipality_code, plan_id) REFERENCES plan (municipality_code, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_code, plan_id, parent_id)
        REFERENCES plan_element (municipality_code, plan_id, id) ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (municipality_code, plan_id, goal_id)
        REFERENCES plan_element (municipality_code, plan_id, id)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX plan_element_children ON plan_element (municipality_code, plan_id, parent_id, kind, position);
CREATE INDEX plan_element_goal ON plan_element (municipality_code, plan_id, goal_id);
CREATE INDEX plan_element_department ON plan_element (municipality_code, department);

-- Many-to-many links: priority project -> measure, strategy measure -> comprehensive plan.
-- The target must exist when a transaction commits, so replacing a plan cannot silently drop
-- the elements another plan links to.
CREATE TABLE plan_link (
    municipality_code  TEXT NOT NULL,
    plan_id            TEXT NOT NULL,
    from_id            TEXT NOT NULL,
    kind               TEXT NOT NULL,
    to_plan_id         TEXT NOT NULL,
    to_id              TEXT NOT NULL,
    position           INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, from_id, kind, to_plan_id, to_id),
    FOREIGN KEY (municipality_code, plan_id, from_id)
        REFERENCES plan_element (municipality_code, plan_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_code, to_plan_id, to_id)
        REFERENCES plan_element (municipality_code, plan_id, id)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX plan_link_target ON plan_link (municipality_code, to_plan_id, to_id);
