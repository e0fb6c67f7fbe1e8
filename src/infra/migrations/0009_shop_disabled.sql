-- A shop an admin switched off (chatshopctl shop disable): its customers' messages are parked,
-- not answered, until it is enabled again.
ALTER TABLE shops ADD COLUMN disabled_at timestamptz;
