-- keyward vault schema 2: installed packages, grants, shared copies, the audit log.
CREATE TABLE installations (
    id             BLOB PRIMARY KEY,
    keychain_id    BLOB NOT NULL REFERENCES keychains(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    path           TEXT NOT NULL,     -- absolute, canonical package directory
    version        TEXT NOT NULL,
    manifest       BLOB NOT NULL,     -- the exact manifest bytes that were hashed
    digest         TEXT NOT NULL,     -- kw1:… pinned at approval
    files          BLOB NOT NULL,     -- JSON list of the pinned tree's entries
    revoked_reason TEXT,              -- NULL while active
    revoked_at     INTEGER,
    generation     INTEGER NOT NULL,  -- bumped by every revocation and re-pin; in every MAC
    installed      INTEGER NOT NULL,
    updated        INTEGER NOT NULL,
    mac            BLOB NOT NULL,     -- HMAC under HKDF(RK, grant label)
    UNIQUE (keychain_id, name)
) STRICT;

CREATE TABLE grants (
    installation_id BLOB NOT NULL REFERENCES installations(id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    created         INTEGER NOT NULL,
    mac             BLOB NOT NULL,    -- binds (keychain, installation, key, pinned digest)
    owner_mac       BLOB NOT NULL,    -- the same under a key only the owner has (from the DEK)
    PRIMARY KEY (installation_id, key)
) STRICT;

-- For every key with at least one grant and a value: a copy sealed under the RK, so
-- that a token holder can run packages without the DEK.
CREATE TABLE shared (
    keychain_id BLOB NOT NULL REFERENCES keychains(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    value       BLOB NOT NULL,
    PRIMARY KEY (keychain_id, name)
) STRICT;

CREATE TABLE audit (
    keychain_id BLOB NOT NULL REFERENCES keychains(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    action      TEXT NOT NULL,
    package     TEXT,
    detail      TEXT NOT NULL,        -- JSON: names, digests, statuses; never values
    mac         BLOB NOT NULL,        -- HMAC over the previous entry's MAC and this entry
    PRIMARY KEY (keychain_id, seq)
) STRICT;
