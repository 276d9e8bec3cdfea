//! What every request passes before a handler sees it, and what every answer passes on
//! its way out: the Host it names (DNS rebinding), its announced size, and errors in the
//! one JSON shape. Each is a small middleware, layered in one place (`router`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::api;

/// The names a request's `Host` may carry: any address with the server's port,
/// `localhost` when it listens on a loopback (or every) address, and each `--allow-host`.
#[derive(Clone, Debug)]
pub(crate) struct Hosts {
    allowed: Vec<String>,
    port: u16,
}

impl Hosts {
    pub(crate) fn new(listen: std::net::SocketAddr, extra: &[String]) -> Self {
        let port = listen.port();
        let mut allowed = Vec::new();
        if listen.ip().is_loopback() || listen.ip().is_unspecified() {
            allowed.push(format!("localhost:{port}"));
        }
        for name in extra {
            let name = name.to_ascii_lowercase();
            allowed.push(format!("{name}:{port}"));
            allowed.push(name);
        }
        Self { allowed, port }
    }

    /// Whether `host` (a Host header) names this server. An address (`10.0.0.5:8480`,
    /// `[::1]`) always does: rebinding needs a name. A browser sends the port only when
    /// it is not the scheme's default, so a name without one matches on port 80.
    fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let address = host.parse::<std::net::SocketAddr>().is_ok()
            || bare.parse::<std::net::IpAddr>().is_ok();
        address
            || self.allowed.contains(&host)
            || (self.port == 80 && self.allowed.contains(&format!("{host}:80")))
    }
}

/// A request naming another host is refused (421): a page on another site that points
/// its own name at 127.0.0.1 (DNS rebinding) reaches the port, but its requests carry
/// that name, not ours.
pub(crate) async fn host(
    State(hosts): State<Arc<Hosts>>,
    request: Request,
    next: Next,
) -> Response {
    let named = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("(not text)").to_owned());
    match named {
        Some(h) if !hosts.allows(&h) => api::error(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this server does not answer for the host \"{}\" (start it with --allow-host NAME to add a name)",
                cut(&h, 100)
            ),
        ),
        _ => next.run(request).await,
    }
}

/// A body announced larger than the limit is refused at once (413), before a byte of
/// it is read.
pub(crate) async fn announced_size(
    State(max_body): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > max_body as u64) {
        return api::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the upload is larger than the server's limit (--max-body)".into(),
        );
    }
    next.run(request).await
}

/// The largest error text kept when an error answer is turned into JSON.
const ERROR_TEXT: usize = 4096;

/// Every error is a JSON document with `error`: the answers of axum's own extractors
/// (a form that does not parse, a body over the limit) come as text and are wrapped.
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, ERROR_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    let mut wrapped = api::error(parts.status, message);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            wrapped.headers_mut().insert(name.clone(), value.clone());
        }
    }
    wrapped
}

/// `text` cut to `most` characters, with its length when cut: what a log line or an
/// error shows of something a client chose.
pub(crate) fn cut(text: &str, most: usize) -> String {
    let count = text.chars().count();
    if count <= most {
        return text.to_owned();
    }
    let head: String = text.chars().take(most).collect();
    format!("{head}… ({count} characters)")
}
