-- The cases a token may write (NULL: every case): case ids, or prefixes
-- ending in '*'. A monitor's token bound to its theatre's cases cannot add
-- samples to another patient's record if it leaks. Only ingest-only tokens
-- are bound: reads list and export every case, so a bound reader would be
-- a promise the server could not keep.
ALTER TABLE api_tokens ADD COLUMN case_patterns text[];
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_case_patterns_check
    CHECK (case_patterns IS NULL OR (scopes = ARRAY['ingest'] AND cardinality(case_patterns) > 0));
