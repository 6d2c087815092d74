-- The scoring review (docs/scoring-review.md): per lead with a sales outcome,
-- what the review and the suggestion need, computed once by the cron (or a
-- bounded part of a report request) instead of on every read.

-- One row per lead that sales has touched (a sales status), under the model
-- version it was computed with. ref_at is the hand-off moment: the first time
-- the lead reached the site's hand-off stage or got a sales status. score,
-- fit and engagement are the current model's at ref_at (recomputed from the
-- events up to then). sales_rev is the lead's at computation: a later sales
-- write makes the row stale. facts is JSON: the profile, the attribute values
-- the review groups by, the rules that matched and the behaviour counts the
-- suggestion learns from. Erasure deletes the row with the lead.
CREATE TABLE outcome_facts (
  site_id        TEXT NOT NULL,
  lead_id        TEXT NOT NULL,
  model_version  INTEGER NOT NULL,
  sales_rev      TEXT,
  sales_status   TEXT NOT NULL,
  ref_at         INTEGER NOT NULL,
  score          REAL NOT NULL,
  fit            REAL NOT NULL,
  engagement     REAL NOT NULL,
  facts          TEXT NOT NULL,
  computed_at    INTEGER NOT NULL,
  PRIMARY KEY (site_id, lead_id)
) WITHOUT ROWID;
CREATE INDEX outcome_facts_by_ref ON outcome_facts (site_id, ref_at);

-- The calibration of the current model's score into a likelihood to buy,
-- fitted on the outcomes when the facts of a model version are complete.
-- p = 1 / (1 + exp(-(a + b · score))). Absent while too few outcomes exist.
CREATE TABLE likelihood_calibrations (
  site_id        TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  model_version  INTEGER NOT NULL,
  a              REAL NOT NULL,
  b              REAL NOT NULL,
  outcomes       INTEGER NOT NULL,
  won            INTEGER NOT NULL,
  fitted_at      INTEGER NOT NULL
) WITHOUT ROWID;

-- The review of the default period (the last 365 days of hand-offs), as the
-- cron or the last request computed it: reading the report is one row. Dropped
-- whenever the facts change; recomputed when older than an hour.
CREATE TABLE review_snapshots (
  site_id        TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  model_version  INTEGER NOT NULL,
  open_days      INTEGER NOT NULL,
  computed_at    INTEGER NOT NULL,
  report         TEXT NOT NULL
) WITHOUT ROWID;
