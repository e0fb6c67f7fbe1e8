-- Retention (chatshopctl db prune, the worker's timer): old inbox and message_status rows are
-- deleted in batches, found by their time through these indexes. A reply or a payment proof
-- outlives the customer message that caused it: its link becomes NULL.
CREATE INDEX inbox_received_at ON inbox (received_at);
CREATE INDEX message_status_updated_at ON message_status (updated_at);
ALTER TABLE outbox DROP CONSTRAINT outbox_caused_by_fkey,
  ADD CONSTRAINT outbox_caused_by_fkey FOREIGN KEY (caused_by) REFERENCES inbox (wamid) ON DELETE SET NULL;
ALTER TABLE payment_proofs DROP CONSTRAINT payment_proofs_caused_by_fkey,
  ADD CONSTRAINT payment_proofs_caused_by_fkey FOREIGN KEY (caused_by) REFERENCES inbox (wamid) ON DELETE SET NULL;
