-- Payment proofs whose file is not a picture or a PDF (decided by its first bytes) are refused:
-- kept as a row with the reason, never stored or shown to the owners.

ALTER TABLE payment_proofs DROP CONSTRAINT payment_proofs_status_check;
ALTER TABLE payment_proofs ADD CONSTRAINT payment_proofs_status_check
  CHECK (status IN ('pending', 'stored', 'failed', 'refused'));
