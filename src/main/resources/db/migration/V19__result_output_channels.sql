-- Output channels: a succeeded execution whose DOWNLOAD channel AMC reports UNAVAILABLE or FAILED
-- (or that has no DOWNLOAD channel) has nothing to download; its result step ends at once as
-- UNDELIVERABLE instead of being retried for hours. A PUBLISH channel's S3 location is kept.

ALTER TABLE execution_results DROP CONSTRAINT execution_results_status_ck;
ALTER TABLE execution_results ADD CONSTRAINT execution_results_status_ck
    CHECK (status IN ('PENDING', 'DOWNLOADING', 'STORED', 'FAILED', 'UNDELIVERABLE'));

ALTER TABLE execution_results ADD COLUMN output_s3_uri TEXT;
