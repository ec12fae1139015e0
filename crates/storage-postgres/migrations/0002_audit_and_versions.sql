-- The audit log (append-only, hash-chained per municipality) and frozen plan versions.

CREATE TABLE audit_entry (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code),
    sequence           BIGINT NOT NULL,
    at_millis          BIGINT NOT NULL,
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
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only';
END;
$$;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();

-- A frozen copy of a plan as it was stored, in the plan file format (one plan).
CREATE TABLE plan_version (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code),
    plan_id            TEXT NOT NULL,
    number             BIGINT NOT NULL,
    status             TEXT NOT NULL,
    at_millis          BIGINT NOT NULL,
    actor              TEXT NOT NULL,
    audit_sequence     BIGINT NOT NULL,
    snapshot           TEXT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, number)
);
