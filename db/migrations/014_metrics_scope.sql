-- A token for a Prometheus scraper: `metrics` reads /metrics and nothing
-- else, where `read` also reads every patient's vitals. `read` still
-- includes it (TokenStore.granted), so existing scrapers keep working.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
    CHECK (scopes <@ ARRAY['ingest', 'read', 'export', 'admin', 'review', 'metrics']);
