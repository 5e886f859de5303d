-- Ingest merges a sample into a stored instant when it brings vitals that
-- instant still lacks (monitors send one parameter per message). cases.merged
-- counts such instants: with cases.samples it versions what a case's reads
-- return, since a merge changes a row without adding one.
ALTER TABLE cases ADD COLUMN merged bigint NOT NULL DEFAULT 0;
