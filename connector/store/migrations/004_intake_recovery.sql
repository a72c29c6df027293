-- 004_intake_recovery: what the sweeper and the purge need to stay correct and fast under load.
-- Runs inside the store's schema (search_path). No inputs.
--
-- intake_inbox.job_round   which BullMQ job carries a pending event: NULL for the first job (its id
--                          derives from the key), else the id suffix of the replay or sweep that
--                          enqueued it last. The sweeper re-enqueues an event only when that job is
--                          really gone, never one waiting in backoff or out a provider's 429.
-- intake_inbox_settled     lets the purge find settled rows past retention without a sequential scan.

ALTER TABLE intake_inbox ADD COLUMN job_round text;
CREATE INDEX intake_inbox_settled ON intake_inbox (processed_at) WHERE state IN ('stored', 'ignored');
