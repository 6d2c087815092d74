-- Dashboard sign-in: a marketing API key is exchanged for a server-side
-- session held in an HttpOnly cookie, so the key never stays in the browser.
-- The cookie carries a random token; only its SHA-256 is stored.
CREATE TABLE app_sessions (
  id            TEXT PRIMARY KEY,              -- hex SHA-256 of the cookie's token
  site_id       TEXT NOT NULL,
  api_key_id    TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,              -- idle timeout counts from here
  expires_at    INTEGER NOT NULL,              -- absolute lifetime
  revoked_at    INTEGER                        -- signed out
) WITHOUT ROWID;
CREATE INDEX app_sessions_by_key ON app_sessions (api_key_id, expires_at);
