-- A document's content is octets (catalog type bytes, bound with sqlite3_bind_blob). Rows written
-- before this were bound as TEXT; CAST(... AS BLOB) keeps their bytes exactly (SQLite stores TEXT
-- as the bytes it was given, and the cast reinterprets them without any conversion), so sha256
-- and byte_size still agree and typeof(content) is 'blob' for every row.
UPDATE documents SET content = CAST(content AS BLOB) WHERE typeof(content) = 'text';
