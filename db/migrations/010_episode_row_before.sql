-- The time of the case's row just before an episode's first sample. Rows with
-- no other row between them belong to one episode however far apart (up to
-- the builder's row gap), so a monitor sending one row a minute gets one
-- episode per deterioration, not one per row; this column is what lets a
-- later job join a stored episode to the one before it. NULL for episodes
-- stored before this migration: they join by the 30-s gap alone.
ALTER TABLE anomaly_episodes ADD COLUMN row_before timestamptz;
