-- A Prozorro feed may run on its own every so many minutes (null: only when an admin runs it).
-- next_run_at is taken by one server at a time (SELECT … FOR UPDATE SKIP LOCKED), which queues
-- the run: servers sharing the database queue each scheduled run once.
ALTER TABLE procurement_feeds
  ADD COLUMN interval_minutes integer CHECK (interval_minutes BETWEEN 15 AND 10080),
  ADD COLUMN next_run_at timestamptz;
