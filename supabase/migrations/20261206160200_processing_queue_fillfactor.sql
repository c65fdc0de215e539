-- Room on each page for a job's next row versions (issue 19). A job's claim and its completion
-- each write a new version of its row; neither can be HOT (both move the row between partial
-- indexes), but a new version on the same page is logged with only what changed, and the claim's
-- dead version is pruned before the completion needs the room. Measured with bench/queue-wal.ts
-- (10,000 no-op jobs, WAL bytes per job for claim + complete): fillfactor 100: 1,002–1,010;
-- 85: 976; 70: 946–949; 60: 956; 50: 902. 70 keeps most of the gain for a third of the space a
-- half-empty page costs the finished jobs kept until the purge. Only pages filled from now on.
ALTER TABLE processing_queue SET (fillfactor = 70);
