-- keyward vault schema 3: installations carry an owner MAC too (HKDF(DEK, owner-grant)),
-- so the owner acts only on installation rows that a token holder cannot forge. Rows
-- written before this have an empty owner MAC: the owner treats them as unverified
-- until they are installed again (a token holder could have written them).
ALTER TABLE installations ADD COLUMN owner_mac BLOB NOT NULL DEFAULT x'';
