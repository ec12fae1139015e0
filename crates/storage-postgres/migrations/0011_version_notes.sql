-- The name and reason of a frozen version (版の名称と理由: パブコメ案, 答申反映, 議決 …), given
-- when it is frozen or afterwards. The snapshot never changes; the note has its own revision,
-- which a save names.

ALTER TABLE plan_version ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE plan_version ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE plan_version ADD COLUMN note_revision BIGINT NOT NULL DEFAULT 0;
