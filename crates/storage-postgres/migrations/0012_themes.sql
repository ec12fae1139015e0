-- The city's themes (テーマの一覧: 子育て, 高齢者, 防災, …) the planning office keeps, with the
-- readings and synonyms search treats as each theme's name, and the tags that put plan
-- elements under themes. Tags name an element by (plan, id) like links do, and a theme by its
-- code; a theme that leaves the list takes its tags with it (the store deletes them).

CREATE TABLE theme_list (
    municipality_code  TEXT PRIMARY KEY NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    -- grows with every save of the list; a save names the revision its editor read
    revision           BIGINT NOT NULL
);

CREATE TABLE theme (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    code               TEXT NOT NULL,
    position           BIGINT NOT NULL,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL,
    -- readings and synonyms, one a line
    words              TEXT NOT NULL,
    PRIMARY KEY (municipality_code, code)
);

CREATE TABLE theme_tag (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    plan_id            TEXT NOT NULL,
    element_id         TEXT NOT NULL,
    theme_code         TEXT NOT NULL,
    PRIMARY KEY (municipality_code, plan_id, element_id, theme_code)
);
