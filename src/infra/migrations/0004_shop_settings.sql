-- What the conversation needs to know of a shop beyond its catalog: the language it answers in
-- by default and its delivery charge; and the shop's own wording of any reply template.

ALTER TABLE shops
  ADD COLUMN locale text NOT NULL DEFAULT 'en',
  ADD COLUMN delivery_fee_minor bigint NOT NULL DEFAULT 0 CHECK (delivery_fee_minor >= 0),
  -- NULL: the fee is charged on every order
  ADD COLUMN free_delivery_from_minor bigint CHECK (free_delivery_from_minor >= 0);

-- A template here replaces templates/<locale>/<name>.mustache for this shop only. Read with
-- every message, so a change shows in the next reply without restarting anything.
CREATE TABLE shop_templates (
  shop_id    bigint NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  locale     text NOT NULL,
  name       text NOT NULL,
  body       text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_id, locale, name)
);
