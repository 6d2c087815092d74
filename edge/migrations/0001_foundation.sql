-- Sites, their allowed origins, marketing API keys (hashed) and the raw events.

CREATE TABLE sites (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per allowed browser origin ("scheme://host[:port]").
CREATE TABLE site_origins (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  origin      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, origin)
) WITHOUT ROWID;
-- CORS preflights carry no site id: they ask "does any site allow this origin?".
CREATE INDEX site_origins_by_origin ON site_origins (origin);

-- Keys are shown once at creation; only the SHA-256 of the secret is kept.
CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,
  site_id       TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  scopes        TEXT NOT NULL,            -- JSON array of scope names
  secret_hash   TEXT NOT NULL,            -- hex SHA-256 of the whole key
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX api_keys_by_site ON api_keys (site_id, created_at);

-- Raw behaviour. (site_id, event_id) is the idempotency key: a retried batch
-- hits the primary key and stores nothing twice. No IP address column exists.
CREATE TABLE events (
  site_id      TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  kind         TEXT NOT NULL,
  name         TEXT,                      -- custom events
  visitor_id   TEXT,                      -- NULL in anonymous mode
  url          TEXT NOT NULL,             -- without query string or fragment
  path         TEXT NOT NULL,
  referrer     TEXT,
  utm          TEXT,                      -- JSON object
  target       TEXT,                      -- download / outbound link
  magnet_id    TEXT,
  engaged_ms   INTEGER,
  props        TEXT,                      -- JSON object, flat
  ts           INTEGER NOT NULL,          -- event time, clamped, epoch ms
  client_ts    INTEGER NOT NULL,          -- event time as the client sent it
  received_at  INTEGER NOT NULL,
  country      TEXT,                      -- from request.cf, ISO 3166-1 alpha-2
  PRIMARY KEY (site_id, event_id)
) WITHOUT ROWID;
CREATE INDEX events_by_site_time ON events (site_id, received_at);
CREATE INDEX events_by_visitor ON events (site_id, visitor_id, ts) WHERE visitor_id IS NOT NULL;
