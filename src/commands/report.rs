//! `keyward report [--package P] [--since DATE] [--json]`: per package and granted
//! key, when it was granted, its last run and last socket read, and the grants that
//! were never used in the period, from the audit log (`approve`, `run-start`, `run`,
//! `key-read`) and the current grants.
//!
//! A grant is *used* in the period when a run delivered it (`deliver: env` or `files`:
//! the package got the value whether it looked at it or not) or the package read it
//! over the socket (`deliver: socket`: only a read counts). Unused grants are the ones
//! to revoke.

use serde::Serialize;
use serde_json::Value;

use crate::cli::ReportArgs;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::keychain::Role;
use crate::output::{print_line, sanitize, table};
use crate::time;

/// One granted key of one package.
#[derive(Debug, Serialize)]
struct GrantDoc {
    package: String,
    key: String,
    /// Its latest approval, RFC 3339 (null when the log has none).
    granted: Option<String>,
    /// The latest run carrying it.
    last_run: Option<String>,
    /// The latest socket read of it.
    last_read: Option<String>,
    /// Runs carrying it in the period.
    runs: usize,
    /// Socket reads of it in the period.
    reads: usize,
    /// Whether it was delivered or read in the period.
    used: bool,
    #[serde(skip)]
    granted_at: Option<i64>,
}

#[derive(Serialize)]
struct ReportDoc<'a> {
    keychain: &'a str,
    since: Option<String>,
    grants: &'a [GrantDoc],
    never_read: Vec<NeverDoc<'a>>,
}

#[derive(Serialize)]
struct NeverDoc<'a> {
    package: &'a str,
    key: &'a str,
    granted: Option<&'a str>,
}

/// Prints the report.
pub fn cmd_report(ctx: &Ctx, args: &ReportArgs) -> Result<()> {
    let since = args.since.as_deref().map(parse_date).transpose()?;
    let kc = ctx.open(Role::Any)?;
    let only = match &args.package {
        Some(p) => Some(kc.package(p)?.row.name),
        None => None,
    };
    let loaded = kc.packages()?;
    let log = kc.log()?;
    let mut grants = Vec::new();
    for inst in &loaded.packages {
        if only.as_ref().is_some_and(|n| *n != inst.row.name) {
            continue;
        }
        for key in inst.granted_requested() {
            grants.push(grant_doc(&inst.row.name, &key, &log, since));
        }
    }
    let now = time::now();
    if ctx.out.json {
        let never_read = grants
            .iter()
            .filter(|g| !g.used)
            .map(|g| NeverDoc {
                package: &g.package,
                key: &g.key,
                granted: g.granted.as_deref(),
            })
            .collect();
        ctx.out.json_doc(&ReportDoc {
            keychain: kc.name(),
            since: since.map(time::rfc3339),
            grants: &grants,
            never_read,
        });
        return Ok(());
    }
    if grants.is_empty() {
        print_line(&format!("No grants in keychain `{}`.", kc.name()));
        return Ok(());
    }
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<Vec<String>> = grants
        .iter()
        .map(|g| {
            vec![
                sanitize(&g.package).into_owned(),
                g.key.clone(),
                dash(&g.granted),
                dash(&g.last_run),
                dash(&g.last_read),
            ]
        })
        .collect();
    print_line(&table(
        &["PACKAGE", "KEY", "GRANTED", "LAST RUN", "LAST READ"],
        &rows,
    ));
    let period = since.map_or(String::new(), |s| format!(" since {}", time::rfc3339(s)));
    for g in grants.iter().filter(|g| !g.used) {
        let when = g.granted_at.map_or("granted".to_owned(), |at| {
            format!("granted {}", ago(now - at))
        });
        print_line(&format!(
            "{} {when} to {}, never read{period}",
            g.key,
            sanitize(&g.package)
        ));
    }
    Ok(())
}

fn grant_doc(
    package: &str,
    key: &str,
    log: &[crate::vault::packages::AuditRow],
    since: Option<i64>,
) -> GrantDoc {
    let mut doc = GrantDoc {
        package: package.to_owned(),
        key: key.to_owned(),
        granted: None,
        last_run: None,
        last_read: None,
        runs: 0,
        reads: 0,
        used: false,
        granted_at: None,
    };
    let in_period = |at: i64| since.is_none_or(|s| at >= s);
    let (mut granted, mut run, mut read) = (None, None, None);
    for row in log.iter().filter(|r| r.package.as_deref() == Some(package)) {
        let detail: Value = serde_json::from_str(&row.detail).unwrap_or(Value::Null);
        let names_key = detail["keys"]
            .as_array()
            .is_some_and(|ks| ks.iter().any(|k| k.as_str() == Some(key)));
        match row.action.as_str() {
            "approve" if names_key => granted = Some(row.at),
            // A supervised run is recorded twice (start, end): count its start; an
            // exec'd run only once, with status "exec".
            "run-start" | "run" if names_key => {
                let starts = row.action == "run-start" || detail["status"] == "exec";
                if row.action == "run-start" || run.is_none_or(|t| row.at >= t) {
                    run = Some(row.at);
                }
                if starts && in_period(row.at) {
                    doc.runs += 1;
                    let deliver = detail["deliver"].as_str().unwrap_or("env");
                    doc.used |= deliver != "socket";
                }
            }
            "key-read" if detail["key"].as_str() == Some(key) => {
                read = Some(row.at);
                if in_period(row.at) {
                    doc.reads += 1;
                    doc.used = true;
                }
            }
            _ => {}
        }
    }
    doc.granted_at = granted;
    doc.granted = granted.map(time::rfc3339);
    doc.last_run = run.map(time::rfc3339);
    doc.last_read = read.map(time::rfc3339);
    doc
}

/// `90 days ago`, `3 hours ago`, `just now`.
fn ago(secs: i64) -> String {
    let (n, unit) = match secs.max(0) {
        s if s < 60 => return "just now".into(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339 (`2025-01-01T12:00:00Z`, `…+02:00`), as
/// unix seconds.
fn parse_date(text: &str) -> Result<i64> {
    let bad = || {
        Error::usage(format!(
            "--since {}: not a date; give YYYY-MM-DD or RFC 3339",
            sanitize(text)
        ))
        .hint("e.g. --since 2025-01-01 or --since 2025-01-01T09:00:00Z")
    };
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, rest) = text.split_at(text.len().min(10));
    let mut parts = date.split('-');
    let (y, m, d) = (
        parts.next().and_then(num).ok_or_else(bad)?,
        parts.next().and_then(num).ok_or_else(bad)?,
        parts.next().and_then(num).ok_or_else(bad)?,
    );
    if date.len() != 10 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if rest.is_empty() {
        return Ok(secs);
    }
    let rest = rest.strip_prefix(['T', 't', ' ']).ok_or_else(bad)?;
    if rest.len() < 9 || &rest[2..3] != ":" || &rest[5..6] != ":" {
        return Err(bad());
    }
    let (h, mi, s) = (
        num(&rest[0..2]).ok_or_else(bad)?,
        num(&rest[3..5]).ok_or_else(bad)?,
        num(&rest[6..8]).ok_or_else(bad)?,
    );
    if h > 23 || mi > 59 || s > 60 {
        return Err(bad());
    }
    secs += h * 3600 + mi * 60 + s;
    let mut zone = &rest[8..];
    if let Some(frac) = zone.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        zone = &frac[digits..];
    }
    match zone {
        "Z" | "z" => Ok(secs),
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && &z[3..4] == ":" => {
            let off = num(&z[1..3]).ok_or_else(bad)? * 3600 + num(&z[4..6]).ok_or_else(bad)? * 60;
            Ok(if z.starts_with('+') {
                secs - off
            } else {
                secs + off
            })
        }
        _ => Err(bad()),
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's civil-to-days algorithm (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_as_utc_instants() {
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert_eq!(parse_date("2000-02-29").unwrap(), 951_782_400);
        assert_eq!(parse_date("2026-11-26T09:25:36Z").unwrap(), 1_795_685_136);
        assert_eq!(
            parse_date("2026-11-26T11:25:36.5+02:00").unwrap(),
            1_795_685_136
        );
        assert_eq!(
            parse_date("2026-11-26T08:25:36-01:00").unwrap(),
            1_795_685_136
        );
        for bad in [
            "",
            "2025",
            "2025-13-01",
            "2025-02-30",
            "2025-01-01T",
            "yesterday",
            "2025-01-01T10:00:00",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ago_reads_naturally() {
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(90 * 86_400 + 5), "90 days ago");
        assert_eq!(ago(3600), "1 hour ago");
    }
}
