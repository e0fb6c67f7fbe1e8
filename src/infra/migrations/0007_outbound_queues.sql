-- Replies travel through RabbitMQ (the outbound shard, delay and dead-letter queues). An
-- outbox row is 'pending' until the relay has put it on the queues ('queued'), then 'sent'
-- (Meta's wamid recorded) or 'dead' (given up on, with Meta's code; it is in the dead-letter
-- queue). Meta's delivery statuses are kept per wamid in message_status.

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
UPDATE outbox SET status = 'dead' WHERE status = 'failed';
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
  CHECK (status IN ('pending', 'queued', 'sent', 'dead'));
ALTER TABLE outbox ADD COLUMN error_code bigint;           -- Meta's error.code of a dead reply
ALTER TABLE outbox ADD COLUMN notice_order bigint;         -- an order notice: the order's number
ALTER TABLE outbox ADD COLUMN notice_kind text;            -- … and which (confirmed, packed, …)
-- The sender's "is an older reply to this customer still on its way?" question.
CREATE INDEX outbox_unsent ON outbox (shop_id, recipient, id) WHERE status IN ('pending', 'queued');
CREATE INDEX outbox_wamid ON outbox (wamid) WHERE wamid IS NOT NULL;

-- A token Meta refused (190/0) holds the shop's replies until an admin sets a new one.
ALTER TABLE shops ADD COLUMN credentials_ok boolean NOT NULL DEFAULT true;
ALTER TABLE shops ADD COLUMN credentials_error text;
-- The shop's business-number throughput when Meta raised it (NULL: [sender] messages_per_second).
ALTER TABLE shops ADD COLUMN messages_per_second integer CHECK (messages_per_second > 0);

-- What Meta's status webhooks said of each message we sent, moving only forward:
-- sent < delivered < read < played; failed is final.
CREATE TABLE message_status (
  wamid       text PRIMARY KEY,
  shop_id     bigint NOT NULL REFERENCES shops (id),
  recipient   text NOT NULL,
  status      text NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'played', 'failed')),
  rank        smallint NOT NULL,
  status_at   timestamptz NOT NULL,                 -- Meta's timestamp of the newest status
  error_code  bigint,
  error_title text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
