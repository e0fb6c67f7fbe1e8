-- Foundation: shops, the inbox of customer messages (dedupe by wamid) and the outbox of replies.
-- All times are timestamptz (stored as UTC).

CREATE TABLE shops (
  id              bigserial PRIMARY KEY,
  phone_number_id text NOT NULL UNIQUE,          -- Meta's id of the shop's WhatsApp number
  name            text NOT NULL,
  access_token    text NOT NULL,                 -- Graph API token; never logged or printed
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per customer message ever handled. The primary key is what makes a redelivered
-- webhook a no-op: the worker inserts here in the same transaction as its effects.
CREATE TABLE inbox (
  wamid        text PRIMARY KEY,
  shop_id      bigint NOT NULL REFERENCES shops (id),
  customer     text NOT NULL,
  type         text NOT NULL,
  sent_at      timestamptz NOT NULL,            -- Meta's timestamp of the message
  received_at  timestamptz NOT NULL DEFAULT now(),
  event        jsonb NOT NULL
);
CREATE INDEX inbox_shop_customer ON inbox (shop_id, customer, sent_at);

-- Replies waiting to be sent, and what became of them. A claimed row is leased by moving
-- next_attempt_at into the future, so a sender that dies mid-send gives the row back.
CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  shop_id         bigint NOT NULL REFERENCES shops (id),
  recipient       text NOT NULL,
  payload         jsonb NOT NULL,               -- the Graph API /messages request body
  caused_by       text REFERENCES inbox (wamid),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  wamid           text,                          -- Meta's id of the sent message
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
