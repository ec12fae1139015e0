-- Staff accounts and their server-side sessions.

CREATE TABLE app_user (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code),
    login_id           TEXT NOT NULL,
    display_name       TEXT NOT NULL,
    department         TEXT NOT NULL,
    -- role codes separated by commas, e.g. 'administrator,planning_office'
    roles              TEXT NOT NULL,
    -- argon2id PHC string; never the password
    password_hash      TEXT NOT NULL,
    disabled           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_millis  INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, login_id)
);

-- A session is found by the SHA-256 of its token; the token itself is only in the cookie.
CREATE TABLE app_session (
    token_hash          TEXT PRIMARY KEY NOT NULL,
    municipality_code   TEXT NOT NULL,
    login_id            TEXT NOT NULL,
    csrf_token          TEXT NOT NULL,
    created_at_millis   INTEGER NOT NULL,
    last_seen_millis    INTEGER NOT NULL,
    FOREIGN KEY (municipality_code, login_id) REFERENCES app_user (municipality_code, login_id) ON DELETE CASCADE
);

CREATE INDEX app_session_user ON app_session (municipality_code, login_id);
