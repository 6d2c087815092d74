-- When the last failed attempt of a mail happened (last_error says what failed),
-- for /admin/health.
ALTER TABLE mail_outbox ADD COLUMN last_error_at INTEGER;
