-- Limits per customer (issue 13): a message beyond [limits] customer_messages_per_minute is
-- kept in the inbox (deduped by its wamid like any other) but not answered; this says so.
ALTER TABLE inbox ADD COLUMN rate_limited boolean NOT NULL DEFAULT false;
