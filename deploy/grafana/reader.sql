-- A read-only role for Grafana's PostgreSQL data source (or any other
-- reader of the database): SELECT on what a dashboard shows, nothing else
-- (no tokens, models, reviews or queue).
--   psql "$PHYSIO_DATABASE_URL" -v ON_ERROR_STOP=1 -v password="$GRAFANA_DB_PASSWORD" -f deploy/grafana/reader.sql
-- Grafana runs whatever SQL a dashboard editor types with this role's rights:
-- keep them to SELECT. Run again on another database of the cluster: the
-- role is made once, the grants are the database's own.
SELECT format('CREATE ROLE physio_grafana LOGIN PASSWORD %L', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'physio_grafana') \gexec
GRANT USAGE ON SCHEMA public TO physio_grafana;
GRANT SELECT ON cases, vitals, vitals_1m, vitals_1h, anomaly_scores, anomaly_episodes TO physio_grafana;
ALTER ROLE physio_grafana SET default_transaction_read_only = on;
ALTER ROLE physio_grafana SET statement_timeout = '30s';
