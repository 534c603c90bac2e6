-- keyward vault schema 4: a keychain's name is bound to its id by a MAC only the owner
-- can make (HKDF(MK, "keyward/v1/keychain-name" ‖ id)), so swapping two names is seen.
-- Rows written before this have an empty MAC, which the owner fills in at next use.
ALTER TABLE keychains ADD COLUMN name_mac BLOB NOT NULL DEFAULT x'';
