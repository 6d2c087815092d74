-- The overview report (GET /v1/reports/overview) and the funnel read a
-- site's leads by creation time and its stage changes by time: one index
-- range each instead of a scan of the whole site.
CREATE INDEX leads_by_site_created ON leads (site_id, created_at);
CREATE INDEX stage_history_by_site_time ON stage_history (site_id, at);

-- A webhook endpoint may deliver only the lead events of one saved segment
-- (NULL: every lead). Checked when a message is first attempted
-- (edge/features/webhook-delivery/delivery.ts).
ALTER TABLE webhook_endpoints ADD COLUMN segment_id TEXT;
