-- GDPR: erasure, the erasure log, per-site retention settings.
-- See PRIVACY.md for what is kept, why and for how long.

-- ── the consent ledger under erasure ────────────────────────────────────
-- The ledger stays append-only. Erasure may change a row exactly once, and
-- only in one shape: the lead id becomes a one-way pseudonym ("ps_…"), the
-- page URL, IP hash and user agent become NULL and erased_at is set; every
-- other column (what was agreed, to which text, when) must stay as it was.
-- A row may be deleted only after it was pseudonymised (retention of the
-- erased ledger, ledger_years below). Any other UPDATE or DELETE aborts.
ALTER TABLE consent_ledger ADD COLUMN erased_at INTEGER;

DROP TRIGGER consent_ledger_no_update;
DROP TRIGGER consent_ledger_no_delete;

CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
WHEN NOT (
  OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
  AND substr(NEW.lead_id, 1, 3) = 'ps_' AND NEW.lead_id IS NOT OLD.lead_id
  AND NEW.page_url IS NULL AND NEW.ip_hash IS NULL AND NEW.user_agent IS NULL
  AND NEW.seq IS OLD.seq AND NEW.site_id IS OLD.site_id AND NEW.magnet_id IS OLD.magnet_id
  AND NEW.action IS OLD.action AND NEW.purpose IS OLD.purpose AND NEW.granted IS OLD.granted
  AND NEW.coupled IS OLD.coupled AND NEW.text_version IS OLD.text_version AND NEW.text_hash IS OLD.text_hash
  AND NEW.created_at IS OLD.created_at
)
BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only (an erasure may pseudonymise a row once, nothing else)'); END;

CREATE TRIGGER consent_ledger_no_delete BEFORE DELETE ON consent_ledger
WHEN OLD.erased_at IS NULL
BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only (only pseudonymised rows past their retention may be deleted)'); END;

CREATE INDEX consent_ledger_erased ON consent_ledger (site_id, erased_at) WHERE erased_at IS NOT NULL;

-- ── the erasure log ──────────────────────────────────────────────────────
-- One row per erased lead, with no personal data: a keyed one-way hash of
-- the lead id (so a repeated DELETE can answer "already erased" without
-- keeping the id), the ledger pseudonym, why and when.
CREATE TABLE erasure_log (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id       TEXT NOT NULL,
  lead_ref      TEXT NOT NULL,
  pseudonym     TEXT NOT NULL,
  reason        TEXT NOT NULL CHECK (reason IN ('request', 'retention_pending', 'retention_withdrawn')),
  lead_status   TEXT NOT NULL CHECK (lead_status IN ('pending', 'confirmed', 'withdrawn')),
  erased_at     INTEGER NOT NULL,
  UNIQUE (site_id, lead_ref)
);
CREATE INDEX erasure_log_by_site ON erasure_log (site_id, erased_at);

-- ── retention settings and progress, per site ────────────────────────────
-- NULL means the default (edge/features/gdpr/retention.ts): pending leads 30
-- days, withdrawn leads 30 days, events of visitors who never became leads
-- 13 months, the pseudonymised ledger of erased leads 3 years.
CREATE TABLE site_retention (
  site_id         TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  pending_days    INTEGER,
  withdrawn_days  INTEGER,
  event_months    INTEGER,
  ledger_years    INTEGER,
  updated_at      INTEGER NOT NULL,
  last_run_at     INTEGER                    -- the cron's round-robin over sites
) WITHOUT ROWID;

-- Spent and expired opt-in tokens (with the profile as typed) are dropped by retention.
CREATE INDEX optin_tokens_by_expiry ON optin_tokens (site_id, expires_at);
