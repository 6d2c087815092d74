-- Lead capture: magnets and their gated files, leads (per site), the consent
-- ledger (append-only), opt-in tokens (hashes only), the durable mail outbox
-- and the local-dev mailbox.

-- A lead magnet of a site: what the widget shows and the file it delivers.
CREATE TABLE magnets (
  site_id            TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id                 TEXT NOT NULL,
  title              TEXT NOT NULL,
  description        TEXT NOT NULL,
  lang               TEXT NOT NULL CHECK (lang IN ('en', 'de')),
  fields             TEXT NOT NULL,           -- JSON array of {name, required}
  consent_version    TEXT NOT NULL,
  consent_hash       TEXT NOT NULL,           -- hex SHA-256 of the exact text
  privacy_url        TEXT NOT NULL,
  marketing_version  TEXT,                    -- NULL: no separate marketing checkbox
  marketing_hash     TEXT,
  coupled            INTEGER NOT NULL DEFAULT 0 CHECK (coupled IN (0, 1)),
  turnstile          INTEGER NOT NULL DEFAULT 0 CHECK (turnstile IN (0, 1)),
  file_name          TEXT,                    -- NULL until a file is uploaded
  file_type          TEXT,
  file_size          INTEGER,
  file_sha256        TEXT,
  file_chunks        INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
) WITHOUT ROWID;

-- Every consent text ever shown, by version: the ledger stores version and
-- hash, this table keeps the words. Rows are never changed (see triggers).
CREATE TABLE consent_texts (
  site_id     TEXT NOT NULL,
  magnet_id   TEXT NOT NULL,
  purpose     TEXT NOT NULL CHECK (purpose IN ('download', 'marketing')),
  version     TEXT NOT NULL,
  hash        TEXT NOT NULL,
  text        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, magnet_id, purpose, version)
) WITHOUT ROWID;
CREATE TRIGGER consent_texts_no_update BEFORE UPDATE ON consent_texts
BEGIN SELECT RAISE(ABORT, 'consent_texts is append-only'); END;
CREATE TRIGGER consent_texts_no_delete BEFORE DELETE ON consent_texts
BEGIN SELECT RAISE(ABORT, 'consent_texts is append-only'); END;

-- A magnet's file in base64 chunks (D1 rows are capped at 2 MB).
CREATE TABLE magnet_file_chunks (
  site_id    TEXT NOT NULL,
  magnet_id  TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  data       TEXT NOT NULL,
  PRIMARY KEY (site_id, magnet_id, seq)
);

-- One person per site and address. email_key (lowercased) is the identity;
-- email keeps the local part as typed, with the domain lowercased.
CREATE TABLE leads (
  site_id        TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id             TEXT NOT NULL,
  email          TEXT NOT NULL,
  email_key      TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'withdrawn')),
  first_name     TEXT,
  company        TEXT,
  role           TEXT,
  company_size   TEXT,
  industry       TEXT,
  visitor_id     TEXT,
  lang           TEXT NOT NULL,
  marketing      INTEGER NOT NULL DEFAULT 0 CHECK (marketing IN (0, 1)),  -- confirmed marketing consent
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  confirmed_at   INTEGER,
  withdrawn_at   INTEGER,
  PRIMARY KEY (site_id, id),
  UNIQUE (site_id, email_key)
) WITHOUT ROWID;
CREATE INDEX leads_by_site_time ON leads (site_id, updated_at);

-- The consent ledger: evidence of what was agreed, when and how. Append-only:
-- triggers refuse UPDATE and DELETE. No raw IP: a keyed hash only.
CREATE TABLE consent_ledger (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id       TEXT NOT NULL,
  lead_id       TEXT NOT NULL,
  magnet_id     TEXT,
  action        TEXT NOT NULL CHECK (action IN ('given', 'confirmed', 'withdrawn')),
  purpose       TEXT CHECK (purpose IN ('download', 'marketing')),
  granted       INTEGER CHECK (granted IN (0, 1)),   -- checkbox state (given only)
  coupled       INTEGER CHECK (coupled IN (0, 1)),
  text_version  TEXT,
  text_hash     TEXT,
  page_url      TEXT,
  ip_hash       TEXT,
  user_agent    TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX consent_ledger_by_lead ON consent_ledger (site_id, lead_id, seq);
CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only'); END;
CREATE TRIGGER consent_ledger_no_delete BEFORE DELETE ON consent_ledger
BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only'); END;

-- Opt-in tokens: 256 random bits; only their SHA-256 is stored. The profile
-- typed in the form waits here and reaches a confirmed lead only on confirm.
CREATE TABLE optin_tokens (
  token_hash   TEXT PRIMARY KEY,
  site_id      TEXT NOT NULL,
  lead_id      TEXT NOT NULL,
  magnet_id    TEXT NOT NULL,
  profile      TEXT NOT NULL,               -- JSON: the submitted fields
  visitor_id   TEXT,
  lang         TEXT NOT NULL,
  consent_version    TEXT NOT NULL,         -- what confirming this token confirms
  marketing_version  TEXT,                  -- NULL: marketing not granted
  coupled      INTEGER NOT NULL CHECK (coupled IN (0, 1)),
  page_url     TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  used_at      INTEGER,
  used_by      TEXT                         -- id of the confirmation that used it
) WITHOUT ROWID;
CREATE INDEX optin_tokens_by_lead ON optin_tokens (site_id, lead_id, magnet_id, created_at);

-- The durable outbox: one row per mail to deliver. It holds what is needed to
-- render the mail again, never the token (a retry mints a new one).
CREATE TABLE mail_outbox (
  id               TEXT PRIMARY KEY,
  site_id          TEXT NOT NULL,
  lead_id          TEXT NOT NULL,
  magnet_id        TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('confirmation')),
  lang             TEXT NOT NULL,
  link_base        TEXT NOT NULL,           -- origin for the links in the mail
  status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead', 'cancelled')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  provider_id      TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  sent_at          INTEGER
) WITHOUT ROWID;
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_by_lead ON mail_outbox (site_id, lead_id, created_at);

-- Mails "sent" by the local-dev mailer, browsable at /dev/outbox (local dev only).
CREATE TABLE dev_mailbox (
  id          TEXT PRIMARY KEY,
  to_addr     TEXT NOT NULL,
  from_addr   TEXT NOT NULL,
  subject     TEXT NOT NULL,
  text_body   TEXT NOT NULL,
  html_body   TEXT NOT NULL,
  headers     TEXT NOT NULL,                -- JSON object
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dev_mailbox_by_time ON dev_mailbox (created_at);

-- Events written by the edge for a lead (form_submit, optin_confirmed,
-- magnet_download, optin_withdrawn) name it, for scoring.
ALTER TABLE events ADD COLUMN lead_id TEXT;
CREATE INDEX events_by_lead ON events (site_id, lead_id, ts) WHERE lead_id IS NOT NULL;
