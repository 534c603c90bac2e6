//! Which package a request is for: by `Host` (`{name}.{scope}.localhost`,
//! `{name}.localhost`) or by path (`/@scope/name/…`, `/name/…`) on the listen address;
//! and the request path, checked and decoded once, so no `..` (plain or encoded), encoded
//! slash, NUL or invalid UTF-8 ever reaches a package.

use std::net::{IpAddr, SocketAddr};

/// What the `Host` header names.
#[derive(Debug, PartialEq, Eq)]
pub enum HostRoute {
    /// A package's own host name.
    Package(String),
    /// The listen address or `localhost`: route by path.
    Address,
}

/// The host key of a package name: `@scope/name` → `name.scope`, `name` → `name`.
/// Two packages with the same key would answer on the same host name.
pub fn host_key(package: &str) -> String {
    match package.strip_prefix('@').and_then(|s| s.split_once('/')) {
        Some((scope, name)) => format!("{name}.{scope}"),
        None => package.to_owned(),
    }
    .to_ascii_lowercase()
}

/// Routes by `Host`; `Err` is a name that is none of ours (421: DNS rebinding).
pub fn host_route(host: &str, local: SocketAddr) -> Result<HostRoute, ()> {
    let host = host.trim();
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (ip, after) = rest.split_once(']').ok_or(())?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or(())?),
        };
        (format!("[{ip}]"), port)
    } else {
        match host.rsplit_once(':') {
            Some((n, p)) => (n.to_owned(), Some(p)),
            None => (host.to_owned(), None),
        }
    };
    if let Some(port) = port
        && port.parse::<u16>().ok() != Some(local.port())
    {
        return Err(());
    }
    let name = name.to_ascii_lowercase();
    let literal = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        let ok = ip == local.ip()
            || local.ip().is_unspecified()
            || canonical(ip) == canonical(local.ip());
        return if ok { Ok(HostRoute::Address) } else { Err(()) };
    }
    if name == "localhost" {
        return Ok(HostRoute::Address);
    }
    let labels = name.strip_suffix(".localhost").ok_or(())?;
    if labels.is_empty()
        || !labels
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(());
    }
    match labels.split('.').collect::<Vec<_>>()[..] {
        [pkg] if !pkg.is_empty() => Ok(HostRoute::Package(pkg.to_owned())),
        [pkg, scope] if !pkg.is_empty() && !scope.is_empty() => {
            Ok(HostRoute::Package(format!("@{scope}/{pkg}")))
        }
        _ => Err(()),
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A request path checked and decoded.
#[derive(Debug, PartialEq, Eq)]
pub struct CleanPath(pub String);

/// Checks and decodes a request path; `Err` says what is wrong (400).
pub fn clean_path(raw: &str) -> Result<CleanPath, &'static str> {
    if !raw.starts_with('/') {
        return Err("the request path must start with /");
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .ok_or("a % in the path is not followed by two hex digits")?;
            let v = std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("a % in the path is not followed by two hex digits")?;
            if v == b'/' || v == b'\\' || v == 0 {
                return Err("the path has an encoded /, \\ or NUL");
            }
            out.push(v);
            i += 3;
        } else {
            if b == b'\\' {
                return Err("the path has a backslash");
            }
            out.push(b);
            i += 1;
        }
    }
    let path = String::from_utf8(out).map_err(|_| "the path is not valid UTF-8 once decoded")?;
    if path.chars().any(char::is_control) {
        return Err("the path has a control character");
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Err("the path has a . or .. segment (plain or percent-encoded)");
    }
    if segments.len() > 1 && segments[..segments.len() - 1].iter().any(|s| s.is_empty()) {
        return Err("the path has an empty segment (//)");
    }
    Ok(CleanPath(path))
}

/// Splits a path-routed request: `/@scope/name/rest` or `/name/rest` → (package, `/rest`).
pub fn split_package(path: &str) -> Option<(String, String)> {
    let mut parts = path[1..].splitn(3, '/');
    let first = parts.next().filter(|s| !s.is_empty())?;
    let (name, rest) = if first.starts_with('@') {
        let second = parts.next().filter(|s| !s.is_empty())?;
        (format!("{first}/{second}"), parts.next())
    } else {
        let rest = path[1 + first.len()..].strip_prefix('/');
        return Some((first.to_owned(), format!("/{}", rest.unwrap_or(""))));
    };
    Some((name, format!("/{}", rest.unwrap_or(""))))
}

/// The mount prefix of a path-routed package (`SCRIPT_NAME`).
pub fn prefix_of(package: &str) -> String {
    format!("/{package}")
}

/// Percent-encodes a decoded path for the package's own server: every byte outside
/// the unreserved and sub-delimiter set, so the package parses exactly what was checked.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> SocketAddr {
        "127.0.0.1:7777".parse().unwrap()
    }

    #[test]
    fn hosts_route_to_packages_or_the_address_and_others_are_refused() {
        assert_eq!(
            host_route("weather.acme.localhost:7777", local()),
            Ok(HostRoute::Package("@acme/weather".into()))
        );
        assert_eq!(
            host_route("hello.localhost:7777", local()),
            Ok(HostRoute::Package("hello".into()))
        );
        assert_eq!(
            host_route("127.0.0.1:7777", local()),
            Ok(HostRoute::Address)
        );
        assert_eq!(
            host_route("localhost:7777", local()),
            Ok(HostRoute::Address)
        );
        assert_eq!(host_route("evil.example:7777", local()), Err(()));
        assert_eq!(host_route("127.0.0.1:8080", local()), Err(()));
        assert_eq!(host_route("10.0.0.1:7777", local()), Err(()));
        assert_eq!(host_route("a.b.c.localhost:7777", local()), Err(()));
        assert_eq!(host_route("x_y.localhost:7777", local()), Err(()));
        let v6: SocketAddr = "[::1]:7777".parse().unwrap();
        assert_eq!(host_route("[::1]:7777", v6), Ok(HostRoute::Address));
    }

    #[test]
    fn paths_with_dots_encoded_slashes_or_bad_utf8_are_refused() {
        assert_eq!(clean_path("/a/b%20c").unwrap().0, "/a/b c");
        for bad in [
            "/a/../b",
            "/a/%2e%2e/b",
            "/a/%2E%2e",
            "/a%2fb",
            "/%00",
            "/%ff",
            "/a\\b",
            "/%zz",
            "/a//b",
            "/./a",
        ] {
            assert!(clean_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn path_routes_split_the_package_off() {
        assert_eq!(
            split_package("/@acme/weather/forecast"),
            Some(("@acme/weather".into(), "/forecast".into()))
        );
        assert_eq!(
            split_package("/@acme/weather"),
            Some(("@acme/weather".into(), "/".into()))
        );
        assert_eq!(
            split_package("/hello/x/y"),
            Some(("hello".into(), "/x/y".into()))
        );
        assert_eq!(split_package("/hello"), Some(("hello".into(), "/".into())));
        assert_eq!(split_package("/"), None);
        assert_eq!(host_key("@acme/weather"), "weather.acme");
        assert_eq!(encode_path("/a b/%"), "/a%20b/%25");
    }
}
