-- Lead import (trade fairs, webinars, events): each imported row states its
-- legal basis. See docs/sales.md ("Import") and PRIVACY.md.

-- basis NULL: the lead came through a form (consent, double opt-in).
-- 'consent': imported with documented consent (text, date, where; in the
-- ledger). 'legitimate_interest': imported without consent; such a lead stays
-- pending, is never mailed, and retention erases it after at most 30 days
-- unless the person confirms. origin: where an imported lead was met.
ALTER TABLE leads ADD COLUMN basis TEXT CHECK (basis IN ('consent', 'legitimate_interest'));
ALTER TABLE leads ADD COLUMN origin TEXT;

-- ── imported consent in the ledger ──────────────────────────────────────
-- method 'import': the consent was given elsewhere and recorded by an import;
-- given_at is when the person gave it (created_at: when it was recorded),
-- source where (a fair's booth, a webinar's registration page), actor who
-- imported it. The imported words are kept in consent_texts under the
-- pseudo magnet '~import', by version "import-" + the first 16 hex digits of
-- their SHA-256.
ALTER TABLE consent_ledger ADD COLUMN method TEXT CHECK (method IN ('import'));
ALTER TABLE consent_ledger ADD COLUMN given_at INTEGER;
ALTER TABLE consent_ledger ADD COLUMN source TEXT;
ALTER TABLE consent_ledger ADD COLUMN actor TEXT;
CREATE INDEX consent_ledger_imports ON consent_ledger (site_id, lead_id, text_hash) WHERE method = 'import';

-- The append-only rule covers the new columns: an erasure clears the place
-- (like the page URL) and keeps what was agreed, when and how.
DROP TRIGGER consent_ledger_no_update;
CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
WHEN NOT (
  OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
  AND substr(NEW.lead_id, 1, 3) = 'ps_' AND NEW.lead_id IS NOT OLD.lead_id
  AND NEW.page_url IS NULL AND NEW.ip_hash IS NULL AND NEW.user_agent IS NULL AND NEW.source IS NULL
  AND NEW.seq IS OLD.seq AND NEW.site_id IS OLD.site_id AND NEW.magnet_id IS OLD.magnet_id
  AND NEW.action IS OLD.action AND NEW.purpose IS OLD.purpose AND NEW.granted IS OLD.granted
  AND NEW.coupled IS OLD.coupled AND NEW.text_version IS OLD.text_version AND NEW.text_hash IS OLD.text_hash
  AND NEW.created_at IS OLD.created_at
  AND NEW.method IS OLD.method AND NEW.given_at IS OLD.given_at AND NEW.actor IS OLD.actor
)
BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only (an erasure may pseudonymise a row once, nothing else)'); END;
