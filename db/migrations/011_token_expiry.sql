-- When a token stops working by itself (NULL: never). A token given to a
-- visiting engineer or a locum is made to expire rather than kept until
-- someone remembers to revoke it.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
