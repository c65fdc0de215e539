-- New jobs get time-ordered ids (UUID version 7: milliseconds since the epoch, then random bits)
-- instead of random ones. A random key sends every insert into processing_queue's primary key, and
-- every attempt into job_attempts_job, to a random leaf page: once the table keeps a million
-- finished jobs those pages no longer stay in memory, and the drain slowed by a quarter
-- (17,400 against 23,500 jobs/s on an empty table). Time-ordered keys land at the right edge.
-- Still a UUID, so every existing id and every caller stays valid; PostgreSQL 18 has uuidv7()
-- built in, this works from 13 on (and on PGlite).
CREATE OR REPLACE FUNCTION facteur_uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
           set_bit(set_bit(
             overlay(uuid_send(gen_random_uuid())
                     PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                     FROM 1 FOR 6),
             52, 1), 53, 1),
           'hex')::uuid
$$;

ALTER TABLE processing_queue ALTER COLUMN id SET DEFAULT facteur_uuid_v7();
