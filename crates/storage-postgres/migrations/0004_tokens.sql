-- Personal access tokens for the API. A token is found by the SHA-256 of its secret; the
-- secret itself is shown to its owner once, when it is made, and never stored.

CREATE TABLE api_token (
    municipality_code    TEXT NOT NULL,
    -- random public id, shown in lists and URLs (not secret)
    id                   TEXT NOT NULL,
    login_id             TEXT NOT NULL,
    -- the label the user gave the token
    name                 TEXT NOT NULL,
    -- hex SHA-256 of the secret; never the secret
    token_hash           TEXT NOT NULL UNIQUE,
    created_at_millis    BIGINT NOT NULL,
    last_used_at_millis  BIGINT,
    expires_at_millis    BIGINT,
    revoked_at_millis    BIGINT,
    PRIMARY KEY (municipality_code, id),
    FOREIGN KEY (municipality_code, login_id) REFERENCES app_user (municipality_code, login_id) ON DELETE CASCADE
);

CREATE INDEX api_token_user ON api_token (municipality_code, login_id, created_at_millis);
