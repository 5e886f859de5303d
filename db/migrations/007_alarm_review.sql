-- Alarm review: clinicians acknowledge anomaly episodes and annotate them
-- with a verdict. Every action is a row of review_actions, and nothing in
-- it is ever updated or deleted: the audit trail. Episodes are merged by
-- the workers (a later job can bridge two, or back-date one, which then
-- becomes a new row); each episode row a merge deletes is recorded in
-- episode_merges with the row that absorbed it, in the merge's own
-- transaction, so an action keeps following the episode it was taken on.

-- The review scope (a token with admin has it too: TokenStore.grantedScopes).
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
    CHECK (scopes <@ ARRAY['ingest', 'read', 'export', 'admin', 'review']);

CREATE TYPE review_action AS ENUM ('acknowledge', 'annotate');
CREATE TYPE review_verdict AS ENUM ('true_alarm', 'false_alarm', 'artefact', 'not_sure');
CREATE TYPE review_reason AS ENUM ('line_flush', 'probe_off', 'patient_movement', 'electrocautery',
                                   'drug_given', 'intervention');

-- episode_id, episode_start and episode_end: the episode as the reviewer
-- saw it (the row may since have been absorbed into another: follow
-- episode_merges). actor: the name of the token that acted.
CREATE TABLE review_actions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id       text           NOT NULL,
    episode_id    bigint         NOT NULL,
    episode_start timestamptz    NOT NULL,
    episode_end   timestamptz    NOT NULL,
    action        review_action  NOT NULL,
    verdict       review_verdict,
    reason        review_reason,
    note          text CHECK (char_length(note) BETWEEN 1 AND 2000),
    actor         text           NOT NULL,
    token_id      bigint REFERENCES api_tokens (id),
    at            timestamptz    NOT NULL DEFAULT clock_timestamp(),
    CHECK ((action = 'annotate') = (verdict IS NOT NULL)),
    CHECK (action = 'annotate' OR (reason IS NULL AND note IS NULL))
);
CREATE INDEX review_actions_case ON review_actions (case_id, at);
CREATE INDEX review_actions_episode ON review_actions (episode_id);

-- absorbed_id: an episode row a merge deleted; survivor_id: the row whose
-- span took it in, written in the same transaction.
CREATE TABLE episode_merges (
    absorbed_id    bigint      PRIMARY KEY,
    survivor_id    bigint      NOT NULL,
    case_id        text        NOT NULL,
    absorbed_start timestamptz NOT NULL,
    absorbed_end   timestamptz NOT NULL,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (absorbed_id <> survivor_id)
);
CREATE INDEX episode_merges_survivor ON episode_merges (survivor_id);

-- Append-only: the server has no statement that changes either table, and
-- the database refuses one from anyone else who has not dropped this trigger.
CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER review_actions_append_only BEFORE UPDATE OR DELETE ON review_actions
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER review_actions_no_truncate BEFORE TRUNCATE ON review_actions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER episode_merges_append_only BEFORE UPDATE OR DELETE ON episode_merges
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER episode_merges_no_truncate BEFORE TRUNCATE ON episode_merges
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
