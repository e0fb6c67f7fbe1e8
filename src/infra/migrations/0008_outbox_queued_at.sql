-- When a reply was last put on the outbound queues. A reply 'queued' for long without being
-- sent or given up on may have lost its job (a broker failure, an operator's interrupted
-- replay): the relay queues it again; the sender sends a reply once however many jobs it has.
ALTER TABLE outbox ADD COLUMN queued_at timestamptz;
CREATE INDEX outbox_stale_queued ON outbox (queued_at) WHERE status = 'queued';
