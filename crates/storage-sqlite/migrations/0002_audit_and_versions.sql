-- The audit log (append-only, hash-chained per municipality) and frozen plan versions.

CREATE TABLE audit_entry (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code),
    sequence           INTEGER NOT NULL,
    at_millis          INTEGER NOT NULL,
    actor              TEXT NOT NULL,
    action             TEXT NOT NULL,
    target             TEXT NOT NULL,
    before_value       TEXT,
    after_value        TEXT,
    previous_hash      TEXT NOT NULL,
    hash               TEXT NOT NULL,
    PRIMARY KEY (municipality_code, sequence)
);

-- Append-only: the database itself refuses to change or remove an entry.
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN
    SELECT RAISE(ABORT, 'audit_entry is append-only');
END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN
    SELECT RAISE(ABORT, 'audit_entry is append-only');
END;

-- A frozen copy of a plan as it was stored, in the plan file format (one plan).
CREATE TABLE plan_version (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code),
    plan_id            TEXT NOT NULL,
    number             INTEGER NOT NULL,
    status             TEXT NOT NULL,
    at_millis          INTEGER NOT NULL,
    actor              TEXT NOT NULL,
    audit_sequence     INTEGER NOT NULL,
    snapshot           TEXT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, number)
);
