-- Live streams read the merges of one case committed after a time (a
-- `merged` event tells a client which episode row a merge deleted).
CREATE INDEX episode_merges_case_at ON episode_merges (case_id, at);
