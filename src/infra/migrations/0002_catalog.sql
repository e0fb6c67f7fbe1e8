-- Catalog: each shop's products. An import replaces the shop's whole catalog in one transaction
-- and bumps catalog_version, so caches can tell an old copy from a new one.

CREATE TABLE products (
  shop_id     bigint NOT NULL REFERENCES shops (id),
  sku         text NOT NULL,
  name        text NOT NULL,
  price_minor bigint NOT NULL CHECK (price_minor >= 0),   -- paise
  stock       bigint NOT NULL CHECK (stock >= 0),
  unit        text NOT NULL,
  category    text NOT NULL,
  aliases     text[] NOT NULL DEFAULT '{}',
  position    integer NOT NULL,                             -- order in the imported file
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_id, sku)
);

ALTER TABLE shops ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;
