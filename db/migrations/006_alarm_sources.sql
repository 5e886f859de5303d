-- What raised an alarm: the model's score, the clinical-rule safety floor
-- (a breach sustained >= 60 s alarms whatever the score), or both.
-- Per sample (NULL when the sample raises no alarm) and per episode (the
-- union over its samples). Episodes stored before this migration were all
-- opened by the model.
ALTER TABLE anomaly_scores ADD COLUMN source text
    CHECK (source IN ('model', 'rule', 'both') AND anomalous OR source IS NULL AND NOT anomalous);
UPDATE anomaly_scores SET source = 'model' WHERE anomalous;
ALTER TABLE anomaly_episodes ADD COLUMN source text NOT NULL DEFAULT 'model'
    CHECK (source IN ('model', 'rule', 'both'));
