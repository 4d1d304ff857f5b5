-- Results (issue 4): downloading a succeeded execution's result is its own tracked step, so a
-- failed download is retried and visible instead of lost, and SUCCESS is never rolled back.

CREATE TABLE execution_results (
    execution_id     UUID PRIMARY KEY REFERENCES workflow_executions (id),
    status           TEXT        NOT NULL,
    -- Download attempts started; a retryable failure waits with backoff until next_attempt_at.
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    lease_owner      TEXT,
    lease_expires_at TIMESTAMPTZ,
    last_error       TEXT,
    last_error_at    TIMESTAMPTZ,
    error_type       TEXT,
    -- Filled in the same transaction that stores the rows, so readers see all of it or nothing.
    file_count       INTEGER,
    row_count        BIGINT,
    byte_size        BIGINT,
    columns          TEXT[],
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    stored_at        TIMESTAMPTZ,
    CONSTRAINT execution_results_status_ck
        CHECK (status IN ('PENDING', 'DOWNLOADING', 'STORED', 'FAILED')),
    CONSTRAINT execution_results_error_type_ck
        CHECK (error_type IS NULL OR error_type IN ('AMC_API_ERROR', 'TIMEOUT_ERROR', 'AUTHENTICATION_ERROR',
            'PERMISSION_ERROR', 'QUERY_ERROR', 'RESOURCE_ERROR', 'NETWORK_ERROR', 'UNKNOWN_ERROR'))
);

-- Claiming due downloads walks this partial index, like the poll loop's claim.
CREATE INDEX execution_results_due_idx
    ON execution_results (next_attempt_at)
    WHERE status IN ('PENDING', 'DOWNLOADING');

-- One row per file of a stored result. first_row is the result-wide number of its first row, so
-- rows of all files are read as one sequence.
CREATE TABLE result_files (
    execution_id UUID        NOT NULL REFERENCES execution_results (execution_id) ON DELETE CASCADE,
    file_index   INTEGER     NOT NULL,
    name         TEXT        NOT NULL,
    format       TEXT        NOT NULL CHECK (format IN ('CSV', 'JSON')),
    content_type TEXT,
    -- Whether the bytes came gzipped; byte_size and sha256 are of the content as stored and served.
    gzipped      BOOLEAN     NOT NULL,
    columns      TEXT[]      NOT NULL,
    first_row    BIGINT      NOT NULL,
    row_count    BIGINT      NOT NULL,
    byte_size    BIGINT      NOT NULL,
    sha256       TEXT        NOT NULL,
    segment_count INTEGER    NOT NULL,
    PRIMARY KEY (execution_id, file_index)
);

-- A stored file as a sequence of segments, written by one binary COPY: each segment holds up to
-- 1000 consecutive parsed rows (fields: row after row, row r column c at r * columns + c, 1-based
-- in SQL; NULL where JSON had null) and the next piece of the file's original bytes (data), so the
-- file can be streamed back as it came. Rows and bytes are independent: a segment may hold rows
-- and no bytes or the reverse. A tuple per row would cost a header, an index entry and a
-- foreign-key check per row, and separate tables would interrupt COPY; both made storing several
-- times slower than COPY of the same CSV (ADR 0004). first_row numbers rows from 1 across all
-- files; for a segment without rows it is the number the next row will get. lz4 compresses faster
-- than PostgreSQL's default pglz at a similar ratio on CSV text.
CREATE TABLE result_segments (
    execution_id UUID    NOT NULL REFERENCES execution_results (execution_id) ON DELETE CASCADE,
    file_index   INTEGER NOT NULL,
    segment      INTEGER NOT NULL,
    first_row    BIGINT  NOT NULL,
    row_count    INTEGER NOT NULL CHECK (row_count >= 0),
    fields       TEXT[]  COMPRESSION lz4 NOT NULL,
    data         BYTEA   COMPRESSION lz4 NOT NULL,
    PRIMARY KEY (execution_id, file_index, segment)
);

-- Rows are read by number: offset/limit finds its segments through this index.
CREATE INDEX result_segments_rows_idx ON result_segments (execution_id, first_row) WHERE row_count > 0;

-- Executions that succeeded before this migration get their result fetched too.
INSERT INTO execution_results (execution_id, status, next_attempt_at, created_at, updated_at)
SELECT id, 'PENDING', now(), now(), now() FROM workflow_executions WHERE status = 'SUCCESS';
