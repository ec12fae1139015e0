-- The department list (所管課の一覧) the planning office keeps: each 所管課 with its contact.
-- Elements name their 所管課 as text; the list is matched by name, so a department can be
-- listed before or after the plans that name it.

CREATE TABLE department_list (
    municipality_code  TEXT PRIMARY KEY NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    -- grows with every save of the list; a save names the revision its editor read
    revision           INTEGER NOT NULL
);

CREATE TABLE department (
    municipality_code  TEXT NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    position           INTEGER NOT NULL,
    phone              TEXT NOT NULL,
    email              TEXT NOT NULL,
    website            TEXT NOT NULL,
    PRIMARY KEY (municipality_code, name)
);
