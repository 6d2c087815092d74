-- The funnel's visitor steps for a period that ends now: a visitor counts
-- when its last event (of a kind) is in the period. One row per visitor,
-- kept by every write that stores, de-identifies or deletes an event with a
-- visitor id, so counting 30 days of a busy site reads one index range of
-- visitors instead of every event in it.
CREATE TABLE visitors_seen (
  site_id         TEXT NOT NULL,
  visitor_id      TEXT NOT NULL,
  last_seen_at    INTEGER NOT NULL,
  last_pricing_at INTEGER,
  last_form_at    INTEGER,
  PRIMARY KEY (site_id, visitor_id)
) WITHOUT ROWID;

CREATE INDEX visitors_seen_by_time ON visitors_seen (site_id, last_seen_at, last_pricing_at, last_form_at);

INSERT INTO visitors_seen (site_id, visitor_id, last_seen_at, last_pricing_at, last_form_at)
SELECT site_id, visitor_id, MAX(received_at),
       MAX(CASE WHEN kind = 'pricing_view' THEN received_at END),
       MAX(CASE WHEN kind = 'form_view' THEN received_at END)
FROM events WHERE visitor_id IS NOT NULL
GROUP BY site_id, visitor_id;

-- Page views without a visitor id (anonymous mode, de-identified): counted
-- over the period from this small index instead of every event.
CREATE INDEX events_anonymous_pageviews ON events (site_id, received_at) WHERE visitor_id IS NULL AND kind = 'pageview';
