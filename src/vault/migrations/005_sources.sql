-- keyward vault schema 5: secrets sourced from OpenBao / HashiCorp Vault KV v2
-- (`secret set --from-openbao`, config `sources`). One row per sourced secret: where
-- its value comes from (`openbao:MOUNT/PATH#FIELD`), the KV version last stored, and
-- the keychain's secret version that holds it. `mac` is an HMAC under a key derived
-- from the keychain's DEK (owner only), so a row pointed at another path is refused.
-- A secret set by hand, or removed, loses its row.
CREATE TABLE secret_sources (
    keychain_id    BLOB NOT NULL REFERENCES keychains(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    source         TEXT NOT NULL,
    kv_version     INTEGER NOT NULL,
    secret_version INTEGER NOT NULL,
    synced         INTEGER NOT NULL,
    mac            BLOB NOT NULL,
    PRIMARY KEY (keychain_id, name)
) STRICT;
