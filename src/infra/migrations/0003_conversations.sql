-- Conversation state per (shop, customer): the engine's stage and cart. `version` guards
-- against two writers: an update only applies to the version it read.

CREATE TABLE conversations (
  shop_id    bigint NOT NULL REFERENCES shops (id),
  customer   text NOT NULL,
  state      jsonb NOT NULL,
  version    bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_id, customer)
);
