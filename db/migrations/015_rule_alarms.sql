-- Each rule's own alarms inside an episode. An episode open for one vital
-- (a hypotension) takes in a second vital's breach (a desaturation), or the
-- first one's return after minutes of recovery: each raises an alarm of its
-- own, and the team must see it. alarms: one object per rule alarm, by rule
-- then time, times in ISO 8601 (raised_at null while not raised), e.g.
-- [{"rule": "mbp_lt_65", "first": "…", "last": "…", "raised_at": "…"}].
-- Empty for episodes stored before.
ALTER TABLE anomaly_episodes ADD COLUMN alarms jsonb NOT NULL DEFAULT '[]'::jsonb;

-- The rule alarms an acknowledgement covers, as 'rule@raised_at' (ISO 8601):
-- those the reviewer saw. An alarm raised after it, or one it did not name,
-- asks for another. NULL for acknowledgements recorded before this
-- migration: they cover the episode whole, as they did then.
ALTER TABLE review_actions ADD COLUMN alarms text[];
ALTER TABLE review_actions ADD CONSTRAINT review_actions_alarms_acknowledge CHECK (action = 'acknowledge' OR alarms IS NULL);
