-- Lead scoring: versioned models per site, per-lead score state kept
-- incrementally, visitor → lead links for identity stitching, stage history,
-- resumable rescoring jobs. See docs/scoring.md.

-- Every saved model version of a site; the highest version is active.
-- A site without a row uses the built-in default model (version 1).
CREATE TABLE scoring_models (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  model       TEXT NOT NULL,                 -- JSON, validated on save
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, version)
) WITHOUT ROWID;
-- Read on every ingest (with the site), so the model JSON is fetched only when it changed.
ALTER TABLE sites ADD COLUMN scoring_model_version INTEGER NOT NULL DEFAULT 1;

-- Which lead a (consented) visitor id belongs to. A visitor id exists only
-- after analytics consent, so linked history is consented history.
CREATE TABLE lead_visitors (
  site_id     TEXT NOT NULL,
  visitor_id  TEXT NOT NULL,
  lead_id     TEXT NOT NULL,
  linked_at   INTEGER NOT NULL,
  PRIMARY KEY (site_id, visitor_id)
) WITHOUT ROWID;
CREATE INDEX lead_visitors_by_lead ON lead_visitors (site_id, lead_id);
CREATE INDEX lead_visitors_by_time ON lead_visitors (linked_at);

-- The score of a lead. Engagement is stored normalised to a fixed reference
-- time (e_norm), so the current score fit + e_norm·2^(−(now−T0)/H) needs no
-- per-row update as time passes, and (site_id, fit, e_norm) answers
-- "score ≥ X" and "top N" exactly with one index range per distinct fit.
CREATE TABLE lead_scores (
  site_id        TEXT NOT NULL,
  lead_id        TEXT NOT NULL,
  model_version  INTEGER NOT NULL,
  fit            REAL NOT NULL,
  fit_rules      TEXT NOT NULL,              -- JSON FitResult.rules
  e_norm         REAL NOT NULL,
  last_seq       INTEGER NOT NULL,           -- canonical order of the last scored event
  state          TEXT NOT NULL,              -- JSON EngagementState
  stage          TEXT NOT NULL,
  stage_state    TEXT NOT NULL,              -- JSON StageState
  recheck_at     INTEGER,                    -- when decay or a cool-down may change the stage
  rev            TEXT NOT NULL,              -- optimistic concurrency: changes on every write
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (site_id, lead_id)
) WITHOUT ROWID;
CREATE INDEX lead_scores_rank ON lead_scores (site_id, fit, e_norm);
CREATE INDEX lead_scores_stage ON lead_scores (site_id, stage);
CREATE INDEX lead_scores_recheck ON lead_scores (recheck_at) WHERE recheck_at IS NOT NULL;
CREATE INDEX lead_scores_model ON lead_scores (site_id, model_version);

-- Stage changes (lead → MQL → SQL and back): the history sales reads and the
-- source of stage-change notifications.
CREATE TABLE stage_history (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id        TEXT NOT NULL,
  lead_id        TEXT NOT NULL,
  from_stage     TEXT NOT NULL,
  to_stage       TEXT NOT NULL,
  direction      TEXT NOT NULL CHECK (direction IN ('up', 'down')),
  at             INTEGER NOT NULL,
  score          REAL NOT NULL,
  fit            REAL NOT NULL,
  engagement     REAL NOT NULL,
  model_version  INTEGER NOT NULL
);
CREATE INDEX stage_history_by_lead ON stage_history (site_id, lead_id, seq);
CREATE INDEX stage_history_by_site ON stage_history (site_id, seq);

-- Rescoring after a model change, in resumable batches (cursor = last lead id done).
CREATE TABLE rescore_jobs (
  site_id        TEXT NOT NULL,
  model_version  INTEGER NOT NULL,
  cursor         TEXT NOT NULL DEFAULT '',
  done           INTEGER NOT NULL DEFAULT 0,
  started_at     INTEGER NOT NULL,
  finished_at    INTEGER,
  PRIMARY KEY (site_id, model_version)
) WITHOUT ROWID;

-- Canonical scoring order of a lead's events (NULL: not scored yet), and the
-- request that inserted an event (so a retry never scores it twice).
ALTER TABLE events ADD COLUMN lead_seq INTEGER;
ALTER TABLE events ADD COLUMN ingest_id TEXT;
CREATE INDEX events_unscored ON events (site_id, lead_id, received_at) WHERE lead_id IS NOT NULL AND lead_seq IS NULL;

-- Fit rules may use the country (from request.cf when the lead signed up).
ALTER TABLE leads ADD COLUMN country TEXT;
