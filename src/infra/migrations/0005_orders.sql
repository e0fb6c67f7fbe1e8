-- Orders: checkout reserves stock and creates an order with a short number per shop; payment
-- by UPI (proof: a screenshot the owner approves) or cash on delivery; the owner moves it along.
-- Every status change is an order_events row.

ALTER TABLE shops
  ADD COLUMN upi_vpa text,                                   -- NULL: no UPI payments
  ADD COLUMN cod_allowed boolean NOT NULL DEFAULT false,
  ADD COLUMN next_order_number bigint NOT NULL DEFAULT 1001;

-- WhatsApp numbers allowed to run owner commands for a shop.
CREATE TABLE owners (
  shop_id    bigint NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  phone      text NOT NULL,                                  -- wa_id, digits only
  name       text NOT NULL DEFAULT '',
  locale     text NOT NULL DEFAULT 'en',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_id, phone)
);

CREATE TABLE orders (
  id             bigserial PRIMARY KEY,
  shop_id        bigint NOT NULL REFERENCES shops (id),
  number         bigint NOT NULL,                            -- what people say: #1042
  customer       text NOT NULL,
  status         text NOT NULL CHECK (status IN ('awaiting_payment', 'payment_review',
                   'confirmed', 'packed', 'out_for_delivery', 'delivered', 'cancelled')),
  lines          jsonb NOT NULL,                             -- frozen at checkout prices
  subtotal_minor bigint NOT NULL,
  delivery_minor bigint NOT NULL,
  total_minor    bigint NOT NULL,
  payment_method text CHECK (payment_method IN ('upi', 'cod')),
  nonce          text NOT NULL,                              -- in owner button ids: unguessable
  expires_at     timestamptz,                                -- while awaiting payment
  review_since   timestamptz,                                -- while a proof waits for the owner
  reminded_at    timestamptz,                                -- the owner was reminded of it
  reason         text,                                       -- last rejection or cancellation
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (shop_id, number)
);
CREATE INDEX orders_open ON orders (shop_id, status) WHERE status NOT IN ('delivered', 'cancelled');
CREATE INDEX orders_expiry ON orders (expires_at) WHERE status = 'awaiting_payment';

-- Stock held by an order, so that a cancellation gives back exactly what was taken.
CREATE TABLE reservations (
  order_id bigint NOT NULL REFERENCES orders (id),
  sku      text NOT NULL,
  qty      bigint NOT NULL CHECK (qty > 0),
  released boolean NOT NULL DEFAULT false,
  PRIMARY KEY (order_id, sku)
);

CREATE TABLE order_events (
  id          bigserial PRIMARY KEY,
  order_id    bigint NOT NULL REFERENCES orders (id),
  from_status text,                                          -- NULL for the creation
  to_status   text NOT NULL,
  actor       text NOT NULL,                                 -- customer:<wa_id> | owner:<wa_id> | system
  reason      text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- Payment screenshots (or PDFs). The media worker downloads each one, stores it by its sha256
-- and then shows it to the shop's owners.
CREATE TABLE payment_proofs (
  id              bigserial PRIMARY KEY,
  order_id        bigint NOT NULL REFERENCES orders (id),
  media_id        text NOT NULL,
  mime_type       text NOT NULL,
  caused_by       text REFERENCES inbox (wamid),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'stored', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  sha256          text,
  size_bytes      bigint,
  path            text,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_proofs_due ON payment_proofs (next_attempt_at) WHERE status = 'pending';
CREATE INDEX payment_proofs_sha ON payment_proofs (sha256);

-- When each customer last wrote to each shop: replies are free-form only within 24 hours.
ALTER TABLE conversations ADD COLUMN last_inbound_at timestamptz;
