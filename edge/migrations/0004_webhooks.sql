-- Webhooks to sales and CRM: endpoints per site, a durable outbox of
-- messages (one per stage change and endpoint), and a log of every delivery
-- attempt. See docs/webhooks.md.

-- Where a site's hand-offs go. The signing secret ("whsec_" + base64 of 32
-- random bytes, Standard Webhooks) must be stored as is: HMAC signing needs
-- the key itself, so it cannot be hashed like an API key. The API shows it
-- once, at creation, and never again.
CREATE TABLE webhook_endpoints (
  id           TEXT PRIMARY KEY,             -- "whe_…"
  site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  url          TEXT NOT NULL,
  description  TEXT,
  secret       TEXT NOT NULL,
  events       TEXT NOT NULL,                -- JSON array of event types
  enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX webhook_endpoints_by_site ON webhook_endpoints (site_id, created_at);

-- The outbox: one message per (stage change, subscribed endpoint), written in
-- the same D1 batch as the stage_history row, guarded by the same score
-- revision, so a hand-off can be late but never lost and never doubled.
-- `change` holds the stage change itself; `payload` (with the lead's personal
-- data) is built at the first attempt and then frozen, so every retry and
-- replay sends the same bytes under the same webhook-id.
CREATE TABLE webhook_messages (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT NOT NULL UNIQUE,     -- "msg_…": the webhook-id header
  site_id          TEXT NOT NULL,
  endpoint_id      TEXT NOT NULL,
  lead_id          TEXT NOT NULL,
  event_type       TEXT NOT NULL,            -- lead.confirmed | lead.stage_changed | lead.withdrawn
  history_seq      INTEGER,                  -- stage_history.seq of the change
  change           TEXT NOT NULL,            -- JSON: from, to, direction, at, score, fit, engagement, modelVersion
  payload          TEXT,                     -- JSON body; NULL until the first attempt
  status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead', 'cancelled')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,         -- due time; while an attempt runs, the end of its lease
  window_start     INTEGER NOT NULL,         -- retries stop 72 h after this (creation or last replay)
  claim            TEXT,                     -- the lease of the attempt in flight
  last_status      INTEGER,                  -- HTTP status of the last attempt (NULL: no answer)
  last_error       TEXT,
  last_attempt_at  INTEGER,
  delivered_at     INTEGER,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_messages_by_site ON webhook_messages (site_id, seq);
CREATE INDEX webhook_messages_by_status ON webhook_messages (site_id, status, seq);
CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id, seq);
CREATE INDEX webhook_messages_by_lead ON webhook_messages (site_id, lead_id);
CREATE INDEX webhook_messages_by_time ON webhook_messages (status, updated_at);

-- The delivery log: one row per attempt.
CREATE TABLE webhook_attempts (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id       TEXT NOT NULL,
  site_id          TEXT NOT NULL,
  endpoint_id      TEXT NOT NULL,
  attempt          INTEGER NOT NULL,         -- 1 for the first attempt of the message
  via              TEXT NOT NULL CHECK (via IN ('immediate', 'cron', 'replay')),
  at               INTEGER NOT NULL,         -- when the request started (epoch ms)
  duration_ms      INTEGER NOT NULL,
  status_code      INTEGER,                  -- NULL: no HTTP answer (timeout, network error)
  outcome          TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'dead', 'cancelled')),
  error            TEXT,
  response         TEXT,                     -- the first 256 characters of the answer's body
  next_attempt_at  INTEGER                   -- outcome retry: when
);
CREATE INDEX webhook_attempts_by_message ON webhook_attempts (message_id, seq);
CREATE INDEX webhook_attempts_by_site ON webhook_attempts (site_id, seq);
