-- keyward vault schema 6: the per-file verification cache of `run` (issue #11 item 5).
-- One row per installation: the files' (device, inode, size, mtime, ctime, SHA-256)
-- seen when its tree last verified against the pin `digest`, during boot `boot_id`
-- (`entries`, binary, see src/digest/cache.rs). `mac` is an HMAC under
-- HKDF(RK, "keyward/v1/verify-cache"), which token holders can make; `owner_mac` the
-- same under HKDF(DEK, "keyward/v1/owner-verify-cache"), empty when a token holder wrote
-- the row. The owner uses a row only with a valid owner MAC, a holder only with a valid
-- RK MAC; anything else is ignored and the tree is hashed in full. A re-pin, revocation
-- or uninstall rewrites the installation row, which deletes this one by cascade.
CREATE TABLE verify_cache (
    installation_id BLOB PRIMARY KEY REFERENCES installations(id) ON DELETE CASCADE,
    digest          TEXT NOT NULL,
    boot_id         TEXT NOT NULL,
    entries         BLOB NOT NULL,
    mac             BLOB NOT NULL,
    owner_mac       BLOB NOT NULL
) STRICT;
