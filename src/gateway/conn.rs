//! The request head, read and checked before hyper sees it. The gateway serves one
//! request per connection, so this check sees every request: malformed request lines,
//! obs-folded or oversized headers, and smuggling shapes (`Content-Length` with
//! `Transfer-Encoding`, two lengths, a coding other than `chunked`) get a clean 4xx and
//! the connection is closed; nothing ambiguous reaches a package.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Largest request head (request line and headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Most header lines.
pub const MAX_HEADERS: usize = 64;
/// Time a client has to send its whole head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a head is refused: status, code, message.
pub struct Refused(pub u16, pub &'static str, pub String);

/// Reads the head (and whatever followed it in the same reads) within [`HEAD_TIMEOUT`].
pub async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Vec<u8>, Option<Refused>> {
    let mut buf = Vec::with_capacity(2048);
    let read = async {
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).await.map_err(|_| None)?;
            if n == 0 {
                return Err(None);
            }
            buf.extend_from_slice(&chunk[..n]);
            let end = find_end(&buf);
            if let Some(end) = end.filter(|e| *e <= MAX_HEAD) {
                return Ok(end);
            }
            if end.is_some() || buf.len() > MAX_HEAD {
                return Err(Some(Refused(
                    431,
                    "headers-too-large",
                    format!(
                        "the request head is larger than {MAX_HEAD} bytes; send smaller headers"
                    ),
                )));
            }
        }
    };
    let end = match tokio::time::timeout(HEAD_TIMEOUT, read).await {
        Ok(Ok(end)) => end,
        Ok(Err(e)) => return Err(e),
        Err(_) => {
            return Err(Some(Refused(
                408,
                "request-timeout",
                format!(
                    "the request head did not arrive within {} s",
                    HEAD_TIMEOUT.as_secs()
                ),
            )));
        }
    };
    check_head(&buf[..end]).map_err(Some)?;
    Ok(buf)
}

fn find_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn bad(message: impl Into<String>) -> Refused {
    Refused(400, "bad-request", message.into())
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Checks a head strictly (RFC 9112), stricter than hyper where smuggling lives.
pub fn check_head(head: &[u8]) -> Result<(), Refused> {
    let body = head
        .strip_suffix(b"\r\n")
        .filter(|b| b.ends_with(b"\r\n"))
        .ok_or_else(|| bad("the request head does not end with CRLF CRLF"))?;
    let body = &body[..body.len() - 1];
    // Every line now ends with CR (the last LF was cut above).
    let mut lines = body.split(|&b| b == b'\n');
    let request_line = lines.next().unwrap_or_default();
    let request_line = request_line
        .strip_suffix(b"\r")
        .ok_or_else(|| bad("a bare LF in the request line"))?;
    let parts: Vec<&[u8]> = request_line.split(|&b| b == b' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(bad("the request line is not METHOD SP TARGET SP VERSION"));
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(bad("the request method is not a token"));
    }
    if version != b"HTTP/1.1" && version != b"HTTP/1.0" {
        return Err(Refused(
            505,
            "http-version",
            "only HTTP/1.1 and HTTP/1.0 are served".into(),
        ));
    }
    if target.is_empty() || !target.iter().all(|b| (0x21..0x7f).contains(b)) {
        return Err(bad(
            "the request target has a byte that is not visible ASCII (encode it as %XX)",
        ));
    }
    if target[0] != b'/' && !(target == b"*" && method == b"OPTIONS") {
        return Err(bad(
            "only origin-form request targets (/path) are served; this is not a forward proxy",
        ));
    }
    let (mut lengths, mut codings, mut count) = (Vec::new(), 0usize, 0usize);
    for line in lines {
        let line = line
            .strip_suffix(b"\r")
            .ok_or_else(|| bad("a bare LF in the headers"))?;
        count += 1;
        if count > MAX_HEADERS {
            return Err(Refused(
                431,
                "headers-too-large",
                format!("more than {MAX_HEADERS} header lines"),
            ));
        }
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            return Err(bad("an obsolete folded header line"));
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| bad("a header line without a colon"))?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
            return Err(bad(
                "a header name that is not a token (no space before the colon)",
            ));
        }
        if value
            .iter()
            .any(|&b| b == b'\r' || b == 0 || (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return Err(bad("a header value with a control character"));
        }
        let value = String::from_utf8_lossy(value).trim().to_ascii_lowercase();
        if name.eq_ignore_ascii_case(b"content-length") {
            lengths.push(value);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            codings += 1;
            if value != "chunked" {
                return Err(Refused(
                    501,
                    "transfer-encoding",
                    "only Transfer-Encoding: chunked is served".into(),
                ));
            }
        }
    }
    if !lengths.is_empty() && codings > 0 {
        return Err(bad(
            "both Content-Length and Transfer-Encoding: an ambiguous request (smuggling) is refused",
        ));
    }
    if lengths.len() > 1 || codings > 1 {
        return Err(bad(
            "more than one Content-Length or Transfer-Encoding header",
        ));
    }
    if let Some(len) = lengths.first()
        && (len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) || len.len() > 18)
    {
        return Err(bad("Content-Length is not a decimal number"));
    }
    if version == b"HTTP/1.0" && codings > 0 {
        return Err(bad("Transfer-Encoding in an HTTP/1.0 request"));
    }
    Ok(())
}

/// Writes a refusal and closes.
pub async fn refuse<S: AsyncWrite + Unpin>(stream: &mut S, r: &Refused) {
    let body = super::error_body(r.1, &r.2, &[]);
    let reason = match r.0 {
        400 => "Bad Request",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        r.0,
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}

/// A stream that first yields bytes already read.
pub struct Rewind<S> {
    pre: Vec<u8>,
    pos: usize,
    inner: S,
}

impl<S> Rewind<S> {
    /// `pre` is read first, then `inner`.
    pub fn new(pre: Vec<u8>, inner: S) -> Self {
        Rewind { pre, pos: 0, inner }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewind<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pos < self.pre.len() {
            let n = (self.pre.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.pre[start..start + n]);
            self.pos += n;
            if self.pos == self.pre.len() {
                self.pre = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewind<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(head: &str) -> u16 {
        check_head(head.as_bytes()).map_or_else(|r| r.0, |()| 200)
    }

    #[test]
    fn smuggling_and_malformed_heads_are_refused() {
        assert_eq!(code("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
        assert_eq!(
            code("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
            400
        );
        assert_eq!(
            code("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"),
            400
        );
        assert_eq!(
            code("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            501
        );
        assert_eq!(
            code("POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n"),
            400
        );
        assert_eq!(code("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"), 400);
        assert_eq!(code("GET  / HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(code("GET http://x/ HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(code("GET / HTTP/2.0\r\n\r\n"), 505);
        assert_eq!(code("GET /\u{e9} HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(code("GET / HTTP/1.1\nHost: x\r\n\r\n"), 400);
        assert_eq!(code("POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n"), 400);
    }
}
