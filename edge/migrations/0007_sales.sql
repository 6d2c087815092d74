-- Closing the loop with sales: the sales people of a site (owners) and how
-- leads are routed to them, the sales status of a lead after hand-off and
-- what sales writes back (owner, outcome, revenue, CRM id, BANT), who made
-- each change, and the alert mail to the owner. See docs/sales.md.

-- ── owners and routing ───────────────────────────────────────────────────
-- A sales person of a site. The territory (JSON: countries, industries,
-- company-size range; NULL: everywhere) and weight decide routing; a
-- fallback owner takes what no territory matches. `assigned` counts
-- assignments, for the weighted round-robin.
CREATE TABLE owners (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  name        TEXT NOT NULL,
  email       TEXT NOT NULL,
  lang        TEXT NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'de')),
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  fallback    INTEGER NOT NULL DEFAULT 0 CHECK (fallback IN (0, 1)),
  territory   TEXT,
  weight      INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
  assigned    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
) WITHOUT ROWID;

-- Per-site sales settings; NULL means the default (edge/core/sales/settings.ts):
-- hand-off at SQL, 24 h for the owner to accept or reject, the built-in
-- rejection and loss reasons.
CREATE TABLE sales_settings (
  site_id          TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  handoff_stage    TEXT CHECK (handoff_stage IN ('mql', 'sql')),
  sla_hours        INTEGER,
  reject_reasons   TEXT,                     -- JSON array of slugs
  lost_reasons     TEXT,                     -- JSON array of slugs
  updated_at       INTEGER NOT NULL
) WITHOUT ROWID;

-- ── the lead after hand-off ──────────────────────────────────────────────
-- sales_status NULL: never handed to sales. `open`: assigned, waiting for the
-- owner; then accepted, rejected, recycled, opportunity, won, lost
-- (edge/core/sales/lifecycle.ts). sales_rev: a fresh token per sales write,
-- so the statements of one write (history, webhooks, alert mail) take effect
-- only together with it, and a concurrent write loses cleanly.
ALTER TABLE leads ADD COLUMN sales_status TEXT CHECK (sales_status IN ('open', 'accepted', 'rejected', 'recycled', 'opportunity', 'won', 'lost'));
ALTER TABLE leads ADD COLUMN sales_reason TEXT;
ALTER TABLE leads ADD COLUMN owner_id TEXT;
ALTER TABLE leads ADD COLUMN assigned_at INTEGER;
ALTER TABLE leads ADD COLUMN sales_rev TEXT;                 -- changes on every sales write: guards the statements of one write
ALTER TABLE leads ADD COLUMN sla_due_at INTEGER;            -- accept or reject by then, or the lead moves on
ALTER TABLE leads ADD COLUMN deal_value REAL;
ALTER TABLE leads ADD COLUMN deal_currency TEXT;
ALTER TABLE leads ADD COLUMN closed_at INTEGER;
ALTER TABLE leads ADD COLUMN crm_id TEXT;
ALTER TABLE leads ADD COLUMN budget TEXT;
ALTER TABLE leads ADD COLUMN authority TEXT;
ALTER TABLE leads ADD COLUMN need TEXT;
ALTER TABLE leads ADD COLUMN timeline TEXT;
-- Engagement before this instant no longer counts (set when sales recycles a lead).
ALTER TABLE leads ADD COLUMN engagement_since INTEGER;
CREATE UNIQUE INDEX leads_by_crm_id ON leads (site_id, crm_id) WHERE crm_id IS NOT NULL;
CREATE INDEX leads_by_owner ON leads (site_id, owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX leads_sla_due ON leads (sla_due_at) WHERE sla_due_at IS NOT NULL;
CREATE INDEX leads_by_sales_status ON leads (site_id, sales_status) WHERE sales_status IS NOT NULL;

-- Stage history keeps sales changes too (to_stage is then the sales status),
-- with who made them: NULL for the scoring itself, else e.g. "key:<name>",
-- "cli", "import", "routing". detail: JSON (reason, value, currency, owner).
ALTER TABLE stage_history ADD COLUMN actor TEXT;
ALTER TABLE stage_history ADD COLUMN detail TEXT;

-- ── the outbox carries the owner's alert mail too ────────────────────────
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt
-- with the kinds 'owner_alert' (a lead for you) and 'owner_notice' (a lead
-- of yours moved on), magnet_id optional and the owner it goes to.
CREATE TABLE mail_outbox_new (
  id               TEXT PRIMARY KEY,
  site_id          TEXT NOT NULL,
  lead_id          TEXT NOT NULL,
  magnet_id        TEXT,
  owner_id         TEXT,
  kind             TEXT NOT NULL CHECK (kind IN ('confirmation', 'owner_alert', 'owner_notice')),
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
  last_error_at    INTEGER
) WITHOUT ROWID;
INSERT INTO mail_outbox_new (id, site_id, lead_id, magnet_id, kind, lang, link_base, status, attempts, next_attempt_at,
                             last_error, provider_id, created_at, updated_at, sent_at, last_error_at)
  SELECT id, site_id, lead_id, magnet_id, kind, lang, link_base, status, attempts, next_attempt_at,
         last_error, provider_id, created_at, updated_at, sent_at, last_error_at FROM mail_outbox;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_new RENAME TO mail_outbox;
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_by_lead ON mail_outbox (site_id, lead_id, created_at);
