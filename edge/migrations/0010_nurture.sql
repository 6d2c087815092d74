-- Lead nurturing: sequences of mails for consenting leads, who is in which
-- sequence at which step, the per-site frequency cap and send rate, and the
-- outbox carrying the nurture mails. See docs/nurture.md.

-- ── sequences ────────────────────────────────────────────────────────────
-- The current version of each sequence of a site, with how far its trigger
-- has read: cursor_at/cursor_key is the last event (received_at, event_id)
-- or stage change (seq) looked at, so each run reads only what is new.
CREATE TABLE sequences (
  site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id           TEXT NOT NULL,
  version      INTEGER NOT NULL,
  name         TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('active', 'paused')),
  trigger_on   TEXT NOT NULL,
  doc          TEXT NOT NULL,               -- JSON, validated on save
  cursor_at    INTEGER NOT NULL,
  cursor_key   TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
) WITHOUT ROWID;

-- Every saved version: a queued mail is rendered from the version it was planned with.
CREATE TABLE sequence_versions (
  site_id      TEXT NOT NULL,
  sequence_id  TEXT NOT NULL,
  version      INTEGER NOT NULL,
  doc          TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (site_id, sequence_id, version)
) WITHOUT ROWID;

-- ── enrolments ───────────────────────────────────────────────────────────
-- One row per entry of a lead into a sequence. An active row is at step_id
-- (reached at step_at) and is due at due_at; rev changes on every move, so
-- two cron runs that read the same row cannot both move it.
CREATE TABLE nurture_enrollments (
  id           TEXT PRIMARY KEY,
  site_id      TEXT NOT NULL,
  sequence_id  TEXT NOT NULL,
  lead_id      TEXT NOT NULL,
  entry        INTEGER NOT NULL,            -- 1 for the first entry, 2 for a re-entry, …
  state        TEXT NOT NULL CHECK (state IN ('active', 'completed', 'exited')),
  step_id      TEXT NOT NULL,
  step_at      INTEGER NOT NULL,
  due_at       INTEGER NOT NULL,
  rev          TEXT NOT NULL,
  entered_at   INTEGER NOT NULL,
  ended_at     INTEGER,
  exit_reason  TEXT,
  exit_step    TEXT
) WITHOUT ROWID;
-- A lead is in a sequence at most once at a time.
CREATE UNIQUE INDEX nurture_one_active ON nurture_enrollments (site_id, sequence_id, lead_id) WHERE state = 'active';
-- The cron reads only what is due: the cost of a run follows the due work, not the enrolled leads.
CREATE INDEX nurture_due ON nurture_enrollments (due_at) WHERE state = 'active';
CREATE INDEX nurture_by_lead ON nurture_enrollments (site_id, lead_id);
CREATE INDEX nurture_by_sequence ON nurture_enrollments (site_id, sequence_id, entered_at);

-- Per-site settings; NULL means the default (edge/core/nurture/sequence.ts):
-- at most one nurture mail per lead in 72 hours, 60 per minute, Europe/Berlin.
CREATE TABLE nurture_settings (
  site_id           TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  min_gap_hours     INTEGER,
  sends_per_minute  INTEGER,
  time_zone         TEXT,
  updated_at        INTEGER NOT NULL
) WITHOUT ROWID;

-- ── the lead ─────────────────────────────────────────────────────────────
-- last_nurture_at: the frequency cap across all sequences. nurture_rev: the
-- token of the last planned send or unsubscribe, which the other statements
-- of its batch check. mail_suppressed: the address bounced or complained; it
-- is never mailed again by a sequence.
ALTER TABLE leads ADD COLUMN last_nurture_at INTEGER;
ALTER TABLE leads ADD COLUMN nurture_rev TEXT;
ALTER TABLE leads ADD COLUMN mail_suppressed TEXT CHECK (mail_suppressed IN ('bounce', 'complaint'));

-- ── the outbox carries nurture mails too ────────────────────────────────
-- Rebuilt (SQLite cannot change a CHECK in place) with the kind 'nurture',
-- the sequence step a mail belongs to and when a link in it was first clicked.
CREATE TABLE mail_outbox_new (
  id               TEXT PRIMARY KEY,
  site_id          TEXT NOT NULL,
  lead_id          TEXT NOT NULL,
  magnet_id        TEXT,
  owner_id         TEXT,
  kind             TEXT NOT NULL CHECK (kind IN ('confirmation', 'owner_alert', 'owner_notice', 'nurture')),
  lang             TEXT NOT NULL,
  link_base        TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead', 'cancelled')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  provider_id      TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  sent_at          INTEGER,
  last_error_at    INTEGER,
  sequence_id      TEXT,
  sequence_version INTEGER,
  step_id          TEXT,
  enrollment_id    TEXT,
  clicked_at       INTEGER
) WITHOUT ROWID;
INSERT INTO mail_outbox_new (id, site_id, lead_id, magnet_id, owner_id, kind, lang, link_base, status, attempts, next_attempt_at,
                             last_error, provider_id, created_at, updated_at, sent_at, last_error_at)
  SELECT id, site_id, lead_id, magnet_id, owner_id, kind, lang, link_base, status, attempts, next_attempt_at,
         last_error, provider_id, created_at, updated_at, sent_at, last_error_at FROM mail_outbox;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_new RENAME TO mail_outbox;
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_by_lead ON mail_outbox (site_id, lead_id, created_at);
-- The send rate per site; the stats per sequence step.
CREATE INDEX mail_outbox_nurture_rate ON mail_outbox (site_id, created_at) WHERE kind = 'nurture';
CREATE INDEX mail_outbox_nurture_steps ON mail_outbox (site_id, sequence_id, step_id) WHERE kind = 'nurture';
-- A provider's bounce or complaint names its message id.
CREATE INDEX mail_outbox_by_provider_id ON mail_outbox (provider_id) WHERE provider_id IS NOT NULL;
