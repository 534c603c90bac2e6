//! Schema versions and forward-only migrations, tracked in `PRAGMA user_version`.

use rusqlite::Connection;

/// `PRAGMA application_id` of every keyward vault ("kwVD"): tells a keyward vault
/// from any other SQLite file before anything is read or written.
pub const APPLICATION_ID: i32 = 0x6b77_5644;

/// Migration `i` takes the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_packages.sql"),
    include_str!("migrations/003_owner_macs.sql"),
    include_str!("migrations/004_keychain_names.sql"),
    include_str!("migrations/005_sources.sql"),
    include_str!("migrations/006_verify_cache.sql"),
];

/// The schema version this build writes.
pub fn current() -> i32 {
    i32::try_from(MIGRATIONS.len()).expect("fewer than 2^31 migrations")
}

/// Applies the migrations after `from`; the caller holds a write transaction.
pub fn migrate(conn: &Connection, from: i32) -> rusqlite::Result<()> {
    let start = usize::try_from(from).unwrap_or(0);
    for sql in MIGRATIONS.iter().skip(start) {
        conn.execute_batch(sql)?;
    }
    conn.pragma_update(None, "user_version", current())
}
