//! OpenBao (and HashiCorp Vault): the master key wrapped by a Transit key, and secrets
//! sourced from KV v2. A small blocking client for the handful of endpoints keyward
//! uses, built only when a command needs OpenBao: nothing here runs (no network, no
//! TLS roots) for a vault unlocked by other means.
//!
//! Settings come from the environment, as the `bao`/`vault` CLIs read them:
//! `BAO_ADDR`/`VAULT_ADDR` (a comma-separated list, tried in order), `BAO_TOKEN`/
//! `VAULT_TOKEN` or an AppRole (`BAO_ROLE_ID` + `BAO_SECRET_ID`), `BAO_CACERT`/
//! `VAULT_CACERT`, `BAO_NAMESPACE`/`VAULT_NAMESPACE`. Every refusal is exit 3 naming
//! OpenBao's answer; every request has bounded timeouts; there is never a fallback.
//! Tokens, secret ids and values never reach a message, a log or `Debug`.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::{Key32, SecretBytes};

/// Connect and read timeouts of one request to one address.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// Upper bound of one request to one address, end to end.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to keep retrying while a cluster has no active node (a leader election).
const ELECTION_WAIT: Duration = Duration::from_secs(15);
/// Largest response body read.
const MAX_BODY: u64 = 1024 * 1024;

/// Default Transit key name (`--transit-key`).
pub const DEFAULT_TRANSIT_KEY: &str = "keyward";
/// Default Transit mount.
const DEFAULT_TRANSIT_MOUNT: &str = "transit";
/// What the wrapped plaintext starts with; the vault id and the master key follow, so a
/// ciphertext copied into another vault does not open it.
const PLAINTEXT_MAGIC: &[u8] = b"keyward/v1/openbao\0";

// ---- settings -----------------------------------------------------------------------

enum Auth {
    Token(Zeroizing<String>),
    AppRole {
        role_id: Zeroizing<String>,
        secret_id: Zeroizing<String>,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Token(_) => f.write_str("Token(<redacted>)"),
            Auth::AppRole { .. } => f.write_str("AppRole(<redacted>)"),
        }
    }
}

/// Where OpenBao is and how to log in, from the environment.
#[derive(Debug)]
struct Settings {
    addrs: Vec<String>,
    auth: Auth,
    cacert: Option<(String, PathBuf)>,
    namespace: Option<String>,
}

fn env_first(names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|n| {
        std::env::var(n)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (*n, v))
    })
}

/// The fixes named when OpenBao is not configured at all.
fn settings_hints(err: Error) -> Error {
    err.hint("set BAO_ADDR (or VAULT_ADDR) to OpenBao's address, e.g. https://bao.example:8200; a comma-separated list is tried in order")
        .hint("and log in: BAO_TOKEN (or VAULT_TOKEN), or an AppRole in BAO_ROLE_ID and BAO_SECRET_ID")
}

impl Settings {
    fn from_env() -> Result<Settings> {
        let (addr_var, addrs) = env_first(&["BAO_ADDR", "VAULT_ADDR"]).ok_or_else(|| {
            settings_hints(
                Error::locked("OpenBao's address is not set (BAO_ADDR or VAULT_ADDR)")
                    .code("openbao-config"),
            )
        })?;
        let addrs: Vec<String> = addrs
            .split(',')
            .map(|a| a.trim().trim_end_matches('/').to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        for a in &addrs {
            if !(a.starts_with("http://") || a.starts_with("https://")) {
                return Err(Error::locked(format!(
                    "{addr_var} holds `{a}`, which is not an http:// or https:// address"
                ))
                .code("openbao-config")
                .hint(format!(
                    "set {addr_var} to addresses such as https://bao.example:8200, comma-separated"
                )));
            }
        }
        let auth = if let Some((_, t)) = env_first(&["BAO_TOKEN", "VAULT_TOKEN"]) {
            Auth::Token(Zeroizing::new(t.trim().to_owned()))
        } else {
            let role = env_first(&["BAO_ROLE_ID", "VAULT_ROLE_ID"]);
            let secret = env_first(&["BAO_SECRET_ID", "VAULT_SECRET_ID"]);
            match (role, secret) {
                (Some((_, r)), Some((_, s))) => Auth::AppRole {
                    role_id: Zeroizing::new(r.trim().to_owned()),
                    secret_id: Zeroizing::new(s.trim().to_owned()),
                },
                (Some(_), None) | (None, Some(_)) => {
                    return Err(Error::locked(
                        "an AppRole login needs both BAO_ROLE_ID and BAO_SECRET_ID; only one is set",
                    )
                    .code("openbao-config")
                    .hint("set both, or set BAO_TOKEN instead"));
                }
                (None, None) => {
                    return Err(settings_hints(
                        Error::locked(
                            "no OpenBao credentials: BAO_TOKEN, VAULT_TOKEN, or BAO_ROLE_ID + BAO_SECRET_ID",
                        )
                        .code("openbao-config"),
                    ));
                }
            }
        };
        let cacert =
            env_first(&["BAO_CACERT", "VAULT_CACERT"]).map(|(n, p)| (n.to_owned(), p.into()));
        let namespace = env_first(&["BAO_NAMESPACE", "VAULT_NAMESPACE"])
            .map(|(_, n)| n.trim().trim_matches('/').to_owned());
        Ok(Settings {
            addrs,
            auth,
            cacert,
            namespace,
        })
    }
}

// ---- responses ----------------------------------------------------------------------

/// A string from a response that may be secret: wiped on drop, never shown.
struct Hidden(Zeroizing<String>);

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A KV field: a string (kept hidden) or any other JSON value (not usable).
#[derive(Debug)]
enum Field {
    Text(Hidden),
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Field, E> {
                Ok(Field::Text(Hidden(Zeroizing::new(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Field, E> {
                Ok(Field::Text(Hidden(Zeroizing::new(v))))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_unit<E>(self) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Field, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Field, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Field::Other)
            }
        }
        de.deserialize_any(Visit)
    }
}

#[derive(Deserialize)]
struct Errors {
    #[serde(default)]
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct Wrapped<T> {
    data: T,
}

#[derive(Deserialize)]
struct Encrypted {
    ciphertext: String,
}

#[derive(Deserialize)]
struct Decrypted {
    plaintext: Field,
}

#[derive(Deserialize)]
struct KvData {
    data: Option<std::collections::BTreeMap<String, Field>>,
    metadata: KvMeta,
}

#[derive(Deserialize)]
struct KvMeta {
    version: u64,
}

#[derive(Deserialize)]
struct Login {
    auth: LoginAuth,
}

#[derive(Deserialize)]
struct LoginAuth {
    client_token: Field,
}

#[derive(Deserialize)]
struct SelfLookup {
    data: SelfData,
}

#[derive(Deserialize)]
struct SelfData {
    #[serde(default)]
    policies: Vec<String>,
}

// ---- failures -----------------------------------------------------------------------

/// What went wrong talking to one address.
enum Failure {
    /// No answer: connection refused, DNS, timeout, TLS. The next address is tried.
    Transport(String),
    /// An HTTP answer: status and OpenBao's `errors`.
    Answer(u16, Vec<String>),
}

impl Failure {
    /// Whether another node may answer better (sealed, standby, no leader, unreachable).
    fn try_next(&self) -> bool {
        match self {
            Failure::Transport(_) => true,
            Failure::Answer(status, _) => {
                *status >= 500 || *status == 429 || (300..400).contains(status)
            }
        }
    }

    fn sealed(&self) -> bool {
        matches!(self, Failure::Answer(503, e) if e.iter().any(|m| m.contains("sealed")))
    }

    /// A cluster without an active node yet (a leader election after a failover).
    fn electing(&self) -> bool {
        match self {
            Failure::Answer(status, e) => {
                *status >= 500
                    && !self.sealed()
                    && e.iter().any(|m| {
                        m.contains("active") || m.contains("standby") || m.contains("leader")
                    })
            }
            Failure::Transport(_) => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Failure::Transport(why) => why.clone(),
            Failure::Answer(status, errors) if errors.is_empty() => format!("HTTP {status}"),
            Failure::Answer(status, errors) => {
                let text: Vec<String> = errors.iter().map(|e| one_line(e)).collect();
                format!("HTTP {status}: {}", text.join("; "))
            }
        }
    }
}

/// OpenBao's own error text, on one line and bounded (it never holds a secret: it is
/// about the request, and keyward's requests carry secrets only in headers and bodies).
fn one_line(text: &str) -> String {
    let t: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 300 {
        format!("{}…", t.chars().take(300).collect::<String>())
    } else {
        t
    }
}

fn transport_reason(err: &ureq::Error) -> String {
    use std::io::ErrorKind;
    match err {
        ureq::Error::Timeout(_) => {
            format!("no answer within {} s (timed out)", STEP_TIMEOUT.as_secs())
        }
        ureq::Error::HostNotFound => "the host name does not resolve".to_owned(),
        ureq::Error::Io(e) if e.kind() == ErrorKind::ConnectionRefused => {
            "connection refused (nothing listens there)".to_owned()
        }
        ureq::Error::Io(e) if e.kind() == ErrorKind::TimedOut => {
            format!("no answer within {} s (timed out)", STEP_TIMEOUT.as_secs())
        }
        other => {
            let text = one_line(&other.to_string());
            if text.contains("certificate") || text.contains("rustls") || text.contains("tls") {
                format!("TLS failed: {text}")
            } else {
                text
            }
        }
    }
}

// ---- client -------------------------------------------------------------------------

/// A logged-in client.
pub struct Client {
    settings: Settings,
    agent: ureq::Agent,
    token: Zeroizing<String>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("addrs", &self.settings.addrs)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// An answer from the first address that gave one, and which address that was.
struct Answered {
    body: Zeroizing<Vec<u8>>,
}

impl Client {
    /// Reads the settings, builds the HTTP client and logs in (AppRole) when needed.
    pub fn from_env() -> Result<Client> {
        let settings = Settings::from_env()?;
        let agent = agent(&settings)?;
        let mut client = Client {
            token: Zeroizing::new(String::new()),
            settings,
            agent,
        };
        client.login()?;
        Ok(client)
    }

    fn login(&mut self) -> Result<()> {
        let (role_id, secret_id) = match &self.settings.auth {
            Auth::Token(t) => {
                self.token = t.clone();
                return Ok(());
            }
            Auth::AppRole { role_id, secret_id } => (role_id.clone(), secret_id.clone()),
        };
        let body = Zeroizing::new(
            serde_json::json!({"role_id": role_id.as_str(), "secret_id": secret_id.as_str()})
                .to_string(),
        );
        let answered = self
            .call("POST", "auth/approle/login", Some(body.as_bytes()), false)
            .map_err(|f| {
                self.refusal("the AppRole login (auth/approle/login)", &f)
                    .hint("check BAO_ROLE_ID and BAO_SECRET_ID (a secret id may be used up or expired: issue a new one), and that AppRole is enabled at auth/approle")
            })?;
        let login: Login = parse(&answered.body, "the AppRole login")?;
        match login.auth.client_token {
            Field::Text(Hidden(t)) => self.token = t,
            Field::Other => {
                return Err(malformed("the AppRole login"));
            }
        }
        Ok(())
    }

    /// Sends one request, trying each address in order while the failure is one
    /// another node may not have; during a leader election, retries for a bounded time.
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        with_token: bool,
    ) -> std::result::Result<Answered, Vec<(String, Failure)>> {
        let started = Instant::now();
        loop {
            let mut failures = Vec::new();
            for addr in &self.settings.addrs {
                match self.call_one(addr, method, path, body, with_token) {
                    Ok(a) => return Ok(a),
                    Err(f) => {
                        let next = f.try_next();
                        failures.push((addr.clone(), f));
                        if !next {
                            return Err(failures);
                        }
                    }
                }
            }
            let electing = failures.iter().any(|(_, f)| f.electing());
            if !electing || started.elapsed() > ELECTION_WAIT {
                return Err(failures);
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn call_one(
        &self,
        addr: &str,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        with_token: bool,
    ) -> std::result::Result<Answered, Failure> {
        let url = format!("{addr}/v1/{path}");
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("X-Vault-Request", "true");
        if with_token {
            req = req.header("X-Vault-Token", self.token.as_str());
        }
        if let Some(ns) = &self.settings.namespace {
            req = req.header("X-Vault-Namespace", ns.as_str());
        }
        let sent = match body {
            Some(b) => req
                .header("Content-Type", "application/json")
                .body(b.to_vec())
                .map_err(|e| Failure::Transport(format!("bad request: {e}")))
                .and_then(|r| {
                    self.agent
                        .run(r)
                        .map_err(|e| Failure::Transport(transport_reason(&e)))
                }),
            None => req
                .body(())
                .map_err(|e| Failure::Transport(format!("bad request: {e}")))
                .and_then(|r| {
                    self.agent
                        .run(r)
                        .map_err(|e| Failure::Transport(transport_reason(&e)))
                }),
        };
        let mut resp = sent?;
        let status = resp.status().as_u16();
        let bytes = Zeroizing::new(
            resp.body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| Failure::Transport(transport_reason(&e)))?,
        );
        if (200..300).contains(&status) {
            return Ok(Answered { body: bytes });
        }
        let errors = serde_json::from_slice::<Errors>(&bytes)
            .map(|e| e.errors)
            .unwrap_or_default();
        Err(Failure::Answer(status, errors))
    }

    /// An exit-3 error for a refused or failed request: names OpenBao's answer (per
    /// address when more than one was tried) and what to fix.
    fn refusal(&self, what: &str, failures: &[(String, Failure)]) -> Error {
        let answers: Vec<String> = failures
            .iter()
            .map(|(addr, f)| format!("{addr}: {}", f.describe()))
            .collect();
        let last = &failures.last().expect("at least one address was tried").1;
        let all_transport = failures
            .iter()
            .all(|(_, f)| matches!(f, Failure::Transport(_)));
        let err = Error::locked(format!(
            "OpenBao refused or failed {what}: {}",
            answers.join(" | ")
        ));
        if failures.iter().all(|(_, f)| f.sealed()) {
            err.code("openbao-sealed").hint(
                "OpenBao is sealed: an operator unseals it (`bao operator unseal`); keyward cannot unlock until then",
            )
        } else if all_transport && answers.iter().any(|a| a.contains("TLS failed")) {
            err.code("openbao-tls").hint(
                "set BAO_CACERT (or VAULT_CACERT) to the PEM file of the CA that signed OpenBao's certificate, \
                 and check that the address's host name is in the certificate",
            )
        } else if all_transport {
            err.code("openbao-unreachable").hint(
                "check BAO_ADDR (or VAULT_ADDR) and that OpenBao runs and is reachable from this machine",
            )
        } else {
            match last {
                Failure::Answer(403, _) => err.code("openbao-denied").hint(
                    "OpenBao refused this token (permission denied): it may be wrong, expired or revoked, \
                     or its policy may not allow this path; log in again or ask the operator for the policy in docs/openbao.md",
                ),
                Failure::Answer(400, _) if what.contains("AppRole") => err
                    .code("openbao-denied")
                    .hint("OpenBao refused the AppRole credentials"),
                _ => err.code("openbao-error").hint(
                    "OpenBao's answer is named above; if it is a standby or election error, retry shortly",
                ),
            }
        }
    }

    /// After a 403: tells a token OpenBao no longer accepts (wrong, expired, revoked)
    /// from a valid token whose policy does not allow `path`.
    fn explain_denied(&self, err: Error, path: &str, capability: &str) -> Error {
        if err.code != "openbao-denied" || self.token.is_empty() {
            return err;
        }
        match self.call("GET", "auth/token/lookup-self", None, true) {
            Ok(a) => {
                let policies = serde_json::from_slice::<SelfLookup>(&a.body)
                    .map(|l| l.data.policies.join(", "))
                    .unwrap_or_default();
                Error::locked(format!(
                    "{}; the token is valid, but its policies ({policies}) do not allow `{capability}` on {path}",
                    err.message
                ))
                .code("openbao-denied")
                .hint(format!(
                    "ask OpenBao's operator to grant `path \"{path}\" {{ capabilities = [\"{capability}\"] }}` to this machine's policy (see docs/openbao.md)"
                ))
            }
            Err(_) => Error::locked(format!(
                "{}; OpenBao does not accept the token at all: it is wrong, expired or revoked",
                err.message
            ))
            .code("openbao-token")
            .hint("log in again: set BAO_TOKEN to a current token, or use an AppRole (BAO_ROLE_ID, BAO_SECRET_ID)"),
        }
    }

    // ---- Transit --------------------------------------------------------------------

    /// Checks that the Transit key exists and that this token may decrypt with it,
    /// before anything is encrypted (encrypting to a missing key would create it, and
    /// keyward never creates the operator's keys).
    fn transit_probe(&self, key: &TransitKey) -> Result<()> {
        let path = format!("{}/decrypt/{}", key.mount, key.name);
        // A well-formed ciphertext no key made: "message authentication failed" means
        // the key exists and decrypt is allowed.
        let body = br#"{"ciphertext":"vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#;
        match self.call("POST", &path, Some(body), true) {
            Ok(_) => Ok(()),
            Err(failures) => match &failures.last().expect("tried").1 {
                Failure::Answer(400, e) if e.iter().any(|m| m.contains("key not found")) => {
                    Err(Error::locked(format!(
                        "OpenBao has no Transit key `{}` at {}/: keyward never creates it",
                        key.name, key.mount
                    ))
                    .code("openbao-no-key")
                    .hint(format!(
                        "the operator creates it once: bao write -f {}/keys/{}",
                        key.mount, key.name
                    ))
                    .hint("or name an existing key with --transit-key NAME"))
                }
                Failure::Answer(400, _) => Ok(()),
                _ => Err(self.explain_denied(
                    self.refusal(
                        &format!("Transit decrypt with key `{}`", key.name),
                        &failures,
                    ),
                    &path,
                    "update",
                )),
            },
        }
    }

    fn transit_encrypt(&self, key: &TransitKey, plaintext: &[u8]) -> Result<String> {
        let path = format!("{}/encrypt/{}", key.mount, key.name);
        let b64 = Zeroizing::new(STANDARD.encode(plaintext));
        let body = Zeroizing::new(format!("{{\"plaintext\":\"{}\"}}", b64.as_str()));
        let a = self
            .call("POST", &path, Some(body.as_bytes()), true)
            .map_err(|f| {
                self.explain_denied(
                    self.refusal(&format!("Transit encrypt with key `{}`", key.name), &f),
                    &path,
                    "update",
                )
            })?;
        let enc: Wrapped<Encrypted> = parse(&a.body, "Transit encrypt")?;
        Ok(enc.data.ciphertext)
    }

    fn transit_decrypt(&self, key: &TransitKey, ciphertext: &str) -> Result<Zeroizing<Vec<u8>>> {
        let path = format!("{}/decrypt/{}", key.mount, key.name);
        let body = serde_json::json!({ "ciphertext": ciphertext }).to_string();
        let a = self
            .call("POST", &path, Some(body.as_bytes()), true)
            .map_err(|f| {
                let e = self.refusal(&format!("Transit decrypt with key `{}`", key.name), &f);
                match &f.last().expect("tried").1 {
                    Failure::Answer(400, m) if m.iter().any(|m| m.contains("key not found")) => {
                        Error::locked(format!(
                            "{}: the Transit key this vault is wrapped by is gone",
                            e.message
                        ))
                        .code("openbao-no-key")
                        .hint(
                            "restore the Transit key, or unlock with KEYWARD_MASTER_KEY and rekey",
                        )
                    }
                    _ => self.explain_denied(e, &path, "update"),
                }
            })?;
        let dec: Wrapped<Decrypted> = parse(&a.body, "Transit decrypt")?;
        let Field::Text(Hidden(b64)) = dec.data.plaintext else {
            return Err(malformed("Transit decrypt"));
        };
        STANDARD
            .decode(b64.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| malformed("Transit decrypt"))
    }

    // ---- KV v2 ----------------------------------------------------------------------

    /// Reads one field of a KV v2 secret: its value and the secret's version.
    pub fn kv_read(&self, source: &Source) -> Result<(SecretBytes, u64)> {
        let path = format!("{}/data/{}", source.mount, source.path);
        let a = self.call("GET", &path, None, true).map_err(|f| {
            match &f.last().expect("tried").1 {
                Failure::Answer(404, e) if e.iter().all(|m| !m.contains("no handler")) => {
                    Error::not_found(format!(
                        "OpenBao has no secret at {} (KV v2 path {path})",
                        source.display()
                    ))
                    .code("openbao-not-found")
                    .hint("check the mount and path, e.g. `bao kv get -mount=MOUNT PATH`")
                }
                Failure::Answer(404, _) => Error::not_found(format!(
                    "OpenBao has no KV v2 engine at {}/ (for {})",
                    source.mount,
                    source.display()
                ))
                .code("openbao-not-found")
                .hint("the source is openbao:MOUNT/PATH#FIELD with MOUNT a KV v2 mount, e.g. secret/stripe#key"),
                _ => self.explain_denied(
                    self.refusal(&format!("reading {}", source.display()), &f),
                    &path,
                    "read",
                ),
            }
        })?;
        let kv: Wrapped<KvData> = parse(&a.body, "the KV read")?;
        let version = kv.data.metadata.version;
        let Some(mut data) = kv.data.data else {
            return Err(Error::not_found(format!(
                "{} version {version} is deleted or destroyed in OpenBao",
                source.display()
            ))
            .code("openbao-not-found")
            .hint("undelete it in OpenBao, or write a new version"));
        };
        match data.remove(&source.field) {
            Some(Field::Text(Hidden(v))) => Ok((SecretBytes::new(v.as_bytes().to_vec()), version)),
            Some(Field::Other) => Err(Error::general(format!(
                "field `{}` of {} is not a string",
                source.field,
                source.display()
            ))
            .code("openbao-field")
            .hint("store the value as a string field in OpenBao")),
            None => {
                let fields: Vec<&str> = data.keys().map(String::as_str).collect();
                Err(Error::not_found(format!(
                    "{} has no field `{}`",
                    source.display(),
                    source.field
                ))
                .code("openbao-not-found")
                .hint(format!("its fields: {}", fields.join(", "))))
            }
        }
    }
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T> {
    serde_json::from_slice(body).map_err(|_| malformed(what))
}

fn malformed(what: &str) -> Error {
    Error::locked(format!(
        "OpenBao's answer to {what} is not what keyward expects"
    ))
    .code("openbao-error")
    .hint("check that BAO_ADDR points at OpenBao or HashiCorp Vault (and not a proxy page)")
}

fn agent(settings: &Settings) -> Result<ureq::Agent> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let mut tls = TlsConfig::builder();
    if let Some((var, path)) = &settings.cacert {
        let pem = std::fs::read(path).map_err(|e| {
            Error::locked(format!(
                "{var} names {}, which cannot be read: {e}",
                path.display()
            ))
            .code("openbao-tls")
            .hint(format!(
                "set {var} to the PEM file of the CA that signed OpenBao's certificate"
            ))
        })?;
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(Error::locked(format!(
                "{var} names {}, which holds no PEM certificate",
                path.display()
            ))
            .code("openbao-tls")
            .hint(format!(
                "set {var} to the PEM file of the CA that signed OpenBao's certificate"
            )));
        }
        tls = tls.root_certs(RootCerts::new_with_certs(&certs));
    }
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(STEP_TIMEOUT))
        .timeout_recv_response(Some(STEP_TIMEOUT))
        .timeout_recv_body(Some(STEP_TIMEOUT))
        .timeout_global(Some(CALL_TIMEOUT))
        .user_agent(concat!("keyward/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls.build())
        .build();
    Ok(config.new_agent())
}

// ---- the wrapped master key -----------------------------------------------------------

/// A Transit key: its mount and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitKey {
    /// Where the Transit engine is mounted (`transit`).
    pub mount: String,
    /// The key's name.
    pub name: String,
}

impl TransitKey {
    /// Parses `--transit-key`: `NAME`, or `MOUNT/NAME` for an engine mounted elsewhere.
    pub fn parse(arg: &str) -> Result<TransitKey> {
        let ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        let (mount, name) = match arg.rsplit_once('/') {
            Some((m, n)) => (m.trim_matches('/'), n),
            None => (DEFAULT_TRANSIT_MOUNT, arg),
        };
        if !ok(name) || !mount.split('/').all(ok) {
            return Err(Error::usage(format!(
                "--transit-key `{arg}` is not a Transit key name (letters, digits, '-', '_', '.'; `MOUNT/NAME` for another mount)"
            ))
            .code("invalid-name"));
        }
        Ok(TransitKey {
            mount: mount.to_owned(),
            name: name.to_owned(),
        })
    }

    /// `mount/name`, as shown.
    pub fn display(&self) -> String {
        format!("{}/{}", self.mount, self.name)
    }
}

/// The `openbao` meta row: which Transit key wraps the master key, and the ciphertext.
#[derive(serde::Serialize, Deserialize)]
struct Record {
    v: u32,
    mount: String,
    key: String,
    ciphertext: String,
}

/// Wraps the master key under `key` (checking first that the key exists and that this
/// machine may decrypt with it, then that the ciphertext decrypts back): the `openbao`
/// meta row to store.
pub fn wrap(client: &Client, key: &TransitKey, vault_id: &[u8], mk: &Key32) -> Result<Vec<u8>> {
    client.transit_probe(key)?;
    let mut plain = Zeroizing::new(Vec::with_capacity(
        PLAINTEXT_MAGIC.len() + vault_id.len() + 32,
    ));
    plain.extend_from_slice(PLAINTEXT_MAGIC);
    plain.extend_from_slice(vault_id);
    plain.extend_from_slice(mk.expose());
    let ciphertext = client.transit_encrypt(key, &plain)?;
    let back = client.transit_decrypt(key, &ciphertext)?;
    if back.as_slice() != plain.as_slice() {
        return Err(Error::locked(
            "OpenBao's Transit decrypt did not give back what was encrypted; nothing was changed",
        )
        .code("openbao-error"));
    }
    let record = Record {
        v: 1,
        mount: key.mount.clone(),
        key: key.name.clone(),
        ciphertext,
    };
    Ok(serde_json::to_vec(&record).expect("a record of strings serialises"))
}

/// Asks OpenBao to decrypt the stored record; checks it belongs to `vault_id`.
pub fn unwrap(record: &[u8], vault_id: &[u8]) -> Result<Key32> {
    let bad = || Error::integrity("the vault's OpenBao record is malformed or was tampered with");
    let r: Record = serde_json::from_slice(record).map_err(|_| bad())?;
    if r.v != 1 {
        return Err(bad());
    }
    let key = TransitKey {
        mount: r.mount,
        name: r.key,
    };
    let client = Client::from_env().map_err(|e| unlock_hints(e, &key))?;
    let plain = client
        .transit_decrypt(&key, &r.ciphertext)
        .map_err(|e| unlock_hints(e, &key))?;
    let rest = plain
        .strip_prefix(PLAINTEXT_MAGIC)
        .and_then(|p| p.strip_prefix(vault_id))
        .filter(|mk| mk.len() == 32)
        .ok_or_else(|| {
            Error::integrity(
                "the master key OpenBao decrypted belongs to another vault: this vault's OpenBao record was copied from elsewhere",
            )
            .code("openbao-foreign")
            .hint("restore this vault's own record from a backup, or unlock with KEYWARD_MASTER_KEY")
        })?;
    Key32::try_from_slice(rest).ok_or_else(bad)
}

fn unlock_hints(err: Error, key: &TransitKey) -> Error {
    let msg = format!(
        "cannot unlock: this vault's master key is wrapped by OpenBao Transit key `{}`. {}",
        key.display(),
        err.message
    );
    Error { message: msg, ..err }
        .hint("or unlock without OpenBao: KEYWARD_MASTER_KEY (the owner) or KEYWARD_TOKEN (a keychain token)")
}

// ---- sources ----------------------------------------------------------------------

/// Where a sourced secret comes from: `MOUNT/PATH#FIELD` in a KV v2 engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The KV v2 mount (`secret`).
    pub mount: String,
    /// The secret's path under the mount (`stripe`, `team/stripe`).
    pub path: String,
    /// The field of the secret's data (`key`).
    pub field: String,
}

impl Source {
    /// Parses `MOUNT/PATH#FIELD`, with an optional `openbao:` prefix.
    pub fn parse(text: &str) -> Result<Source> {
        let bad = || {
            Error::usage(format!(
                "`{}` is not an OpenBao source: expected MOUNT/PATH#FIELD, e.g. secret/stripe#key",
                one_line(text)
            ))
            .code("invalid-source")
        };
        let t = text.strip_prefix("openbao:").unwrap_or(text);
        let (loc, field) = t.rsplit_once('#').ok_or_else(bad)?;
        let (mount, path) = loc.trim_matches('/').split_once('/').ok_or_else(bad)?;
        let seg_ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.@+=".contains(&b))
        };
        if !seg_ok(mount)
            || !path.split('/').all(seg_ok)
            || field.is_empty()
            || field.chars().any(char::is_control)
        {
            return Err(bad());
        }
        Ok(Source {
            mount: mount.to_owned(),
            path: path.to_owned(),
            field: field.to_owned(),
        })
    }

    /// `openbao:MOUNT/PATH#FIELD`, as stored and shown.
    pub fn display(&self) -> String {
        format!("openbao:{}/{}#{}", self.mount, self.path, self.field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse() {
        let s = Source::parse("openbao:secret/team/stripe#key").unwrap();
        assert_eq!(
            (s.mount.as_str(), s.path.as_str(), s.field.as_str()),
            ("secret", "team/stripe", "key")
        );
        assert_eq!(s.display(), "openbao:secret/team/stripe#key");
        assert_eq!(
            Source::parse("secret/stripe#key").unwrap(),
            Source::parse("openbao:secret/stripe#key").unwrap()
        );
        for bad in [
            "secret#key",
            "secret/stripe",
            "secret/../x#k",
            "/stripe#k",
            "secret/a b#k",
            "secret/x#",
        ] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn transit_keys_parse() {
        assert_eq!(
            TransitKey::parse("keyward").unwrap().display(),
            "transit/keyward"
        );
        assert_eq!(
            TransitKey::parse("ops/transit/kw").unwrap().display(),
            "ops/transit/kw"
        );
        assert!(TransitKey::parse("a b").is_err());
        assert!(TransitKey::parse("").is_err());
    }

    #[test]
    fn hidden_fields_do_not_show() {
        let f: Field = serde_json::from_str("\"sk_live_secret\"").unwrap();
        assert!(!format!("{f:?}").contains("sk_live"));
        let a = Auth::Token(Zeroizing::new("hvs.secret".into()));
        assert!(!format!("{a:?}").contains("hvs"));
    }
}
