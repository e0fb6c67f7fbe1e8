-- Payment screenshots in PostgreSQL (issue 15, [orders] media_store = "postgres"): every worker
-- on every node reaches them, and they are replicated and backed up with the orders they prove.
-- Content-addressed: the same bytes are kept once, under their SHA-256 (lower-case hex).
CREATE TABLE media_blobs (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes bytea NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes = octet_length(bytes)),
  created_at timestamptz NOT NULL DEFAULT now()
);
