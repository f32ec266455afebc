-- Nothing to do: PostgreSQL's identity columns draw their ids from
-- sequences, which never hand out an id twice, deleted rows' included.
-- SQLite's 0013 makes its tables do the same; this keeps the two lists of
-- migrations numbered alike.
SELECT 1;
