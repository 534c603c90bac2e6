-- keyward vault schema 1: the vault's metadata, keychains, tokens and secrets.
-- Ids are 16 random bytes. Times are unix seconds. Sealed values are nonce ‖ ciphertext.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE keychains (
    id      BLOB PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    dek     BLOB NOT NULL,   -- DEK sealed under the keychain's KEK
    rk      BLOB NOT NULL    -- RK sealed under the keychain's KEK
) STRICT;

CREATE TABLE tokens (
    id          BLOB PRIMARY KEY,
    keychain_id BLOB NOT NULL REFERENCES keychains(id) ON DELETE CASCADE,
    verifier    BLOB NOT NULL,  -- HKDF of the token secret, compared in constant time
    rk          BLOB NOT NULL,  -- RK sealed under a key derived from the token secret
    created     INTEGER NOT NULL
) STRICT;

CREATE TABLE secrets (
    keychain_id BLOB NOT NULL REFERENCES keychains(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    value       BLOB NOT NULL,  -- sealed under the keychain's DEK, AAD binds row
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    PRIMARY KEY (keychain_id, name)
) STRICT;
