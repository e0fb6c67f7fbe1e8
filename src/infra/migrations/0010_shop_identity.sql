-- What an admin records about a shop's WhatsApp number beyond Meta's phone_number_id, and the
-- shop's own reservation time (NULL: [orders] reservation_minutes).
ALTER TABLE shops ADD COLUMN display_phone_number text;
ALTER TABLE shops ADD COLUMN waba_id text;
ALTER TABLE shops ADD COLUMN currency text NOT NULL DEFAULT 'INR' CHECK (currency = 'INR');
ALTER TABLE shops ADD COLUMN reservation_minutes integer CHECK (reservation_minutes BETWEEN 1 AND 10080);
