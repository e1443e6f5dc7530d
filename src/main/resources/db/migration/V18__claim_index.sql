-- Claims take the highest-priority, earliest-due jobs (JobQueue.claim: ORDER BY priority DESC, available_at LIMIT n).
-- With this index a claim reads the due jobs in that order and stops after n, instead of sorting the whole queue
-- (and testing every due job against the worker's in-flight ids) on every claim. It also serves available_at ranges
-- per priority, so jobs_due is dropped.
CREATE INDEX jobs_claim ON jobs (priority DESC, available_at);
DROP INDEX jobs_due;
