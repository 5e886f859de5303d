-- Each rule's own alarm inside an episode. An episode open for one vital
-- (a hypotension) takes in a second vital's breach (a desaturation): that
-- breach raises its own alarm, and the team must see it. alarms: rule id
-- to when its alarm was first raised, in sample time (ISO 8601 text), e.g.
-- {"mbp_lt_65": "…", "spo2_lt_90": "…"}. Empty for episodes stored before.
ALTER TABLE anomaly_episodes ADD COLUMN alarms jsonb NOT NULL DEFAULT '{}'::jsonb;

-- The rule alarms an acknowledgement saw: it covers those, and an alarm
-- raised after it asks for another. NULL for acknowledgements recorded
-- before this migration: they cover the episode whole, as they did then.
ALTER TABLE review_actions ADD COLUMN alarms text[];
ALTER TABLE review_actions ADD CONSTRAINT review_actions_alarms_acknowledge CHECK (action = 'acknowledge' OR alarms IS NULL);
