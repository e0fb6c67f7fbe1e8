-- Outside the 24-hour customer-service window only approved templates may be sent (docs/cloud-api.md §5): each
-- shop names the template it had approved for each kind of order notice, and notices carry
-- that template as their fallback.

CREATE TABLE notice_templates (
  shop_id       bigint NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('confirmed', 'rejected', 'packed', 'out',
                  'delivered', 'cancelled', 'expired')),
  template_name text NOT NULL,
  language      text NOT NULL,                           -- Meta's code: en, en_US, hi, …
  PRIMARY KEY (shop_id, kind)
);

-- The template message to send instead when the window is closed (or Meta answers 131047).
ALTER TABLE outbox ADD COLUMN fallback jsonb;
