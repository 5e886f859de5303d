-- Alarm limits a team sets for one case, as on the monitor (CaseLimits):
-- MAP < 50 during a planned hypotension, HR > 180 for a child. Each change
-- is a row, never updated or deleted (who set which limits, when, and why);
-- the case's latest row is in force for what the workers score after it.
-- limits: default rule id -> the case's limit, e.g. {"mbp_lt_65": 50};
-- {} brings the defaults back. scored_through: the newest scored sample of
-- the case when the change was made (under the case's lock, so no worker
-- was scoring it): the rows up to it were judged by the limits before, and
-- the workers do not judge them again by the rules the change brought in.
CREATE TABLE case_limit_changes (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id   text        NOT NULL,
    limits    jsonb       NOT NULL CHECK (jsonb_typeof(limits) = 'object'),
    note      text        CHECK (char_length(note) BETWEEN 1 AND 2000),
    actor     text        NOT NULL,
    token_id  bigint      REFERENCES api_tokens (id),
    scored_through timestamptz,
    at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX case_limit_changes_case ON case_limit_changes (case_id, id);

-- An audit trail, as review_actions: no statement changes or removes a row.
CREATE TRIGGER case_limit_changes_append_only BEFORE UPDATE OR DELETE ON case_limit_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER case_limit_changes_no_truncate BEFORE TRUNCATE ON case_limit_changes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
