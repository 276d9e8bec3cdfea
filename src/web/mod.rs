//! `mfgcheck serve`: the helpdesk's page and an HTTP API, a front end beside the CLI.
//!
//! Like the CLI, it only turns requests into library calls and documents into
//! responses; the verdicts are the library's. Nothing uploaded is written to disk or
//! logged: one line per request on stderr (method, path, status, duration, body size).

mod api;
mod assets;
mod guard;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use mfgcheck::policy::{Allowlist, Profile};
use mfgcheck::triage::KnowledgeBase;

/// What the server was started with.
pub(crate) struct Config {
    pub listen: SocketAddr,
    /// The allowlists of each profile: the file given, or the built-in ones.
    pub allowlist_rtm: Allowlist,
    pub allowlist_sp2: Allowlist,
    pub kb: KnowledgeBase,
    pub profile: Profile,
    pub max_body: usize,
    pub open: bool,
    /// Host names the API answers for besides the address it listens on.
    pub allow_hosts: Vec<String>,
}

/// Shared by every request.
pub(crate) struct App {
    pub allowlist_rtm: Allowlist,
    pub allowlist_sp2: Allowlist,
    pub kb: KnowledgeBase,
    pub profile: Profile,
}

impl App {
    pub fn allowlist(&self, profile: Profile) -> &Allowlist {
        match profile {
            Profile::Exchange2010 => &self.allowlist_rtm,
            Profile::Exchange2010Sp2 => &self.allowlist_sp2,
        }
    }
}

/// A request may take this long, body included: a slow client cannot hold a worker.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The security headers of every response: no script but our own, no framing, no
/// sniffing, no referrer.
fn security_headers(router: Router) -> Router {
    let set = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    router
        .layer(set(
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ))
        .layer(set("x-content-type-options", "nosniff"))
        .layer(set("referrer-policy", "no-referrer"))
        .layer(set("x-frame-options", "DENY"))
}

/// A POST from a page of another origin is refused: a web site elsewhere must not be
/// able to drive a helpdesk's local instance. Requests without `Origin` (curl) pass.
async fn same_origin(headers: HeaderMap, request: Request, next: Next) -> Response {
    if request.method() == Method::POST
        && let Some(origin) = headers.get(header::ORIGIN)
    {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let origin = origin.to_str().unwrap_or_default();
        let allowed = [format!("http://{host}"), format!("https://{host}")];
        if !allowed.iter().any(|a| a == origin) {
            return api::error(
                StatusCode::FORBIDDEN,
                format!("cross-origin request refused (Origin {origin})"),
            );
        }
    }
    next.run(request).await
}

/// One line per request: method, path, status, duration, body size. Never a body.
async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // A client chooses the path: a 64 KB one is logged cut, with its length.
    let path = guard::cut(request.uri().path(), 256);
    let size = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("0")
        .to_owned();
    let response = next.run(request).await;
    eprintln!(
        "mfgcheck serve: {method} {path} {} {:.1} ms {size} bytes",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

fn router(app: Arc<App>, max_body: usize, hosts: guard::Hosts) -> Router {
    let routes = Router::new()
        .route("/", get(assets::index))
        .route("/allowlist", get(assets::index))
        .route("/app.js", get(assets::script))
        .route("/style.css", get(assets::style))
        .route("/healthz", get(|| async { "ok\n" }))
        // Browsers ask for it; an empty answer keeps a 404 out of their console.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/allowlist", get(api::allowlist))
        .route("/api/check", post(api::check))
        .route("/api/analyze", post(api::analyze))
        .route("/api/triage", post(api::triage))
        .route("/api/thumbprint", post(api::thumbprint))
        .route("/api/lync", post(api::lync))
        .fallback(|| async { api::error(StatusCode::NOT_FOUND, "no such page".into()) })
        .with_state(app)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(same_origin))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn_with_state(
            max_body,
            guard::announced_size,
        ))
        .layer(middleware::from_fn_with_state(Arc::new(hosts), guard::host))
        .layer(middleware::from_fn(guard::json_errors));
    security_headers(routes).layer(middleware::from_fn(log))
}

/// Starts the server and serves until Ctrl-C or SIGTERM; requests in flight finish.
pub(crate) fn serve(config: Config) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    // A bug in one request must not stop the server (the CLI's hook exits): say it on
    // one line; the request's task ends with a 500 and the others go on.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("mfgcheck serve: internal error{place} (this is a bug; please report it)");
    }));
    let served = runtime.block_on(async move {
        let listener = listen(config.listen).map_err(|e| format!("--listen {}: {e}", config.listen))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("--listen {}: {e}", config.listen))?;
        // Without a final slash, so that a script's "$URL/api/check" is a path the
        // API answers.
        let url = format!("http://{address}");
        if !address.ip().is_loopback() {
            eprintln!(
                "mfgcheck serve: warning: listening on {address}, not only this machine: anyone who can reach it can use it"
            );
        }
        // The URL on stdout, alone on its line: scripts and tests read it.
        println!("{url}");
        eprintln!("mfgcheck serve: serving {url} (Ctrl-C stops)");
        if config.open {
            open_browser(&url);
        }
        let app = Arc::new(App {
            allowlist_rtm: config.allowlist_rtm,
            allowlist_sp2: config.allowlist_sp2,
            kb: config.kb,
            profile: config.profile,
        });
        let hosts = guard::Hosts::new(address, &config.allow_hosts);
        accept(listener, router(app, config.max_body, hosts), descriptor_room()).await;
        Ok(())
    });
    // Checks still running on blocking threads (a request that timed out, say) are not
    // waited for: the process ends within a second of the drain.
    runtime.shutdown_timeout(Duration::from_secs(1));
    if served.is_ok() {
        eprintln!("mfgcheck serve: stopped");
    }
    served
}

/// Ctrl-C everywhere; SIGTERM too where there is one.
/// Limits on connections, each against a client that holds one open.
struct Limits;

impl Limits {
    /// A client must send a request's headers within this: 100 clients sending a byte a
    /// second are closed after it (and an idle keep-alive connection too: hyper's timer
    /// starts as soon as it waits for the next request's first byte).
    const HEADER_READ: Duration = Duration::from_secs(10);
    /// Connections open at once with the full header-read time; past it, a new one gets
    /// [`Limits::HEADER_READ_CROWDED`]: a flood of idle sockets is shed within a second
    /// while a real request, which sends its headers at once, is still answered.
    const OPEN: usize = 256;
    /// The header-read time of a connection past [`Limits::OPEN`].
    const HEADER_READ_CROWDED: Duration = Duration::from_secs(1);
    /// Connections open at most; past it, a new one is closed at once, so that 20,000
    /// idle sockets cannot exhaust the process's descriptors.
    const MOST: usize = 4096;
    /// Connections the kernel may hold before they are accepted. A crowd arriving while
    /// the accept loop waits its turn would otherwise overflow tokio's default (1,024)
    /// and every connection past it, /healthz's included, waits a second for its SYN to
    /// be sent again. The kernel caps it (Linux's somaxconn, 4,096 by default).
    const BACKLOG: u32 = 4096;
    /// After SIGTERM or Ctrl-C, requests in flight get this long to finish.
    const DRAIN: Duration = Duration::from_secs(5);
}

/// The connections the server may keep open: [`Limits::MOST`], or fewer when the
/// process may not open that many descriptors. The soft limit is raised to what the cap
/// needs first, within the hard limit, as Go's runtime does: the usual soft limits
/// (1,024 on Linux, 256 on macOS) are below the cap, and at the limit `accept` fails and
/// even /healthz waits in the backlog. 64 descriptors stay for files and the listener.
fn descriptor_room() -> usize {
    const SPARE: u64 = 64;
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        // `None` is unlimited.
        let current = limit.current.unwrap_or(u64::MAX);
        let wanted = (Limits::MOST as u64 + SPARE).min(limit.maximum.unwrap_or(u64::MAX));
        let granted = if current < wanted {
            let raised = Rlimit {
                current: Some(wanted),
                maximum: limit.maximum,
            };
            setrlimit(Resource::Nofile, raised).map_or(current, |()| wanted)
        } else {
            current
        };
        usize::try_from(granted.saturating_sub(SPARE))
            .unwrap_or(usize::MAX)
            .min(Limits::MOST)
    }
    #[cfg(not(unix))]
    {
        // Windows has no per-process descriptor limit of this kind for sockets.
        let _ = SPARE;
        Limits::MOST
    }
}

/// A listening socket with room for [`Limits::BACKLOG`] connections not yet accepted.
fn listen(address: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if address.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As std and tokio do, so that a restart does not wait for old connections' TIME_WAIT.
    #[cfg(not(windows))]
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(Limits::BACKLOG)
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM: every connection with a
/// header-read timeout (short when crowded), at most `most` at once, and a
/// drain with a deadline.
async fn accept(listener: tokio::net::TcpListener, router: Router, most: usize) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let service = hyper_util::service::TowerToHyperService::new(router);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let roomy = Arc::new(tokio::sync::Semaphore::new(Limits::OPEN.min(most)));
    let any = Arc::new(tokio::sync::Semaphore::new(most));
    let stop = shutdown();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let Ok((stream, _)) = accepted else {
            // Out of descriptors, say: wait a little rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Ok(permit) = Arc::clone(&any).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let roomy = Arc::clone(&roomy).try_acquire_owned().ok();
        let header_read = if roomy.is_some() {
            Limits::HEADER_READ
        } else {
            Limits::HEADER_READ_CROWDED
        };
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(header_read)
            .keep_alive(true);
        let connection = http.serve_connection(TokioIo::new(stream), service.clone());
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop((permit, roomy));
        });
    }
    drop(listener);
    api::stop_taking_checks();
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Limits::DRAIN) => {
            eprintln!("mfgcheck serve: requests still running after {} s; stopping anyway", Limits::DRAIN.as_secs());
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The default browser, as each system opens a URL.
fn open_browser(url: &str) {
    let command = if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if let Err(e) = command {
        eprintln!("mfgcheck serve: could not open a browser ({e}); open {url} yourself");
    }
}

/// Keeps `State` in use for the handlers' signatures.
pub(crate) type AppState = State<Arc<App>>;
