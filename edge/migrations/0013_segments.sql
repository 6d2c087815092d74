-- Saved segments: named filters of the lead list, per site.
CREATE TABLE segments (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  name        TEXT NOT NULL,
  filter      TEXT NOT NULL,   -- JSON: stage, temperature, minScore, updatedWithinDays, magnet, q
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
) WITHOUT ROWID;
