//! The API: each endpoint answers with the JSON document of the CLI command it stands
//! for (same `schema_version`), 422 with `{"error": ...}` for input that cannot be
//! used (the CLI's exit-2 message), 413 over the body limit. The work itself runs off
//! the async threads: PFX key derivation and signature checks are CPU-bound.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mfgcheck::chain::LeafSelector;
use mfgcheck::report::{AnalyzeDocument, ApiError, Presented};
use time::OffsetDateTime;

use mfgcheck::load::{LoadError, Password, Problem, StopFlag, watching};
use mfgcheck::policy::{Allowlist, Profile, look_up};
use mfgcheck::{CheckOptions, Input, report};

use super::AppState;

/// Why a request gives no document.
pub(crate) struct Failure {
    pub status: StatusCode,
    pub message: String,
    /// A PFX needs a password, or another one: the page asks for it.
    pub password_needed: bool,
    /// The certificate to check could not be chosen: the page offers these.
    pub candidates: Vec<Presented>,
}

impl Failure {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            password_needed: false,
            candidates: Vec::new(),
        }
    }

    fn unusable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    fn password(message: impl Into<String>) -> Self {
        Self {
            password_needed: true,
            ..Self::unusable(message)
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = ApiError {
            error: self.message,
            password_needed: self.password_needed,
            candidates: self.candidates,
        };
        (self.status, Json(body)).into_response()
    }
}

/// `{"error": message}` with `status`.
pub(crate) fn error(status: StatusCode, message: String) -> Response {
    let body = ApiError {
        error: message,
        password_needed: false,
        candidates: Vec::new(),
    };
    (status, Json(body)).into_response()
}

/// Evaluation time and profile, as the CLI's `--at` and `--profile` take them.
#[derive(Default, serde::Deserialize)]
pub(crate) struct Settings {
    at: Option<String>,
    profile: Option<String>,
    /// The certificate to check, as `--leaf` takes it.
    leaf: Option<String>,
}

impl Settings {
    fn at(&self) -> Result<OffsetDateTime, Failure> {
        match self.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => Ok(OffsetDateTime::now_utc()),
            Some(text) => mfgcheck::model::date::parse_at(text)
                .map_err(|e| Failure::unusable(format!("at: {e}"))),
        }
    }

    fn profile(&self, default: Profile) -> Result<Profile, Failure> {
        match self
            .profile
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => Ok(default),
            Some("exchange2010") => Ok(Profile::Exchange2010),
            Some("exchange2010-sp2") => Ok(Profile::Exchange2010Sp2),
            Some(other) => Err(Failure::unusable(format!(
                "profile: '{other}' is neither exchange2010 nor exchange2010-sp2"
            ))),
        }
    }

    /// The certificate to check, read as `--leaf` reads it; `None` when not given.
    fn leaf(&self) -> Result<Option<LeafSelector>, Failure> {
        self.leaf
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| LeafSelector::parse(l).map_err(|e| Failure::unusable(format!("leaf: {e}"))))
            .transpose()
    }
}

/// What a form brought: files, pasted text, a password, settings, and perhaps an
/// allowlist of the user's own (name, text).
#[derive(Default)]
struct Upload {
    files: Vec<Input>,
    text: Option<String>,
    password: Option<String>,
    settings: Settings,
    allowlist: Option<(String, String)>,
}

async fn read_form(mut form: Multipart) -> Result<Upload, Failure> {
    let mut upload = Upload::default();
    let too_big = |e: axum::extract::multipart::MultipartError| {
        Failure::new(
            e.status(),
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "the upload is larger than the server's limit (--max-body)".into()
            } else {
                format!("the form could not be read: {}", e.body_text())
            },
        )
    };
    while let Some(field) = form.next_field().await.map_err(too_big)? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(too_big)?;
        let text = || mfgcheck::load::decode_text(&bytes).into_owned();
        // A browser sends an empty, nameless part when no file was chosen.
        let chosen = file_name.as_deref().is_some_and(|f| !f.is_empty());
        match name.as_str() {
            "file" if chosen || !bytes.is_empty() => upload.files.push(Input {
                name: file_name
                    .filter(|f| !f.is_empty())
                    .unwrap_or_else(|| format!("upload {}", upload.files.len() + 1)),
                bytes: bytes.to_vec(),
            }),
            "text" if !text().trim().is_empty() => upload.text = Some(text()),
            "password" if !bytes.is_empty() => upload.password = Some(text()),
            "allowlist" if chosen || !bytes.is_empty() => {
                upload.allowlist = Some((file_name.unwrap_or_else(|| "allowlist".into()), text()));
            }
            "at" => upload.settings.at = Some(text()),
            "profile" => upload.settings.profile = Some(text()),
            "leaf" => upload.settings.leaf = Some(text()),
            _ => {}
        }
    }
    Ok(upload)
}

/// Checks running at once, at most: each may open a PFX (up to 256 MiB of scrypt) and
/// spend seconds of CPU. More wait their turn within the request's time, so 16 uploads
/// of scrypt-protected PFX take at most 4 x 256 MiB, not 4 GB, and the cores stay shared.
const HEAVY_AT_ONCE: usize = 4;

static HEAVY: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HEAVY_AT_ONCE);

/// Called when the server stops: checks still waiting for their turn are answered 503
/// at once, so the drain waits only for those running, each bounded by the PFX budget.
pub(super) fn stop_taking_checks() {
    HEAVY.close();
}

/// Runs CPU-bound work off the async threads, [`HEAVY_AT_ONCE`] at a time; a panic is a
/// 500, and the server goes on.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let Ok(turn) = HEAVY.acquire().await else {
        return Err(Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is stopping",
        ));
    };
    // Dropped with this future: when the request times out (408), its client leaves or
    // the server stops, the work stops at its next key derivation instead of running on.
    let flag = StopFlag::new();
    let _raise = RaiseOnDrop(flag.clone());
    // The turn goes with the work, not the request: an abandoned check holds it until
    // it has stopped, so abandoned ones cannot pile up past the cap.
    let run = move || {
        let _turn = turn;
        let (result, stopped) = watching(&flag, work);
        if stopped {
            eprintln!("mfgcheck serve: a check stopped early: its request had ended");
        }
        result
    };
    tokio::task::spawn_blocking(run).await.unwrap_or_else(|_| {
        Err(Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error (a bug; please report it)",
        ))
    })
}

/// Raises its flag when dropped, whether the request finished or was abandoned.
struct RaiseOnDrop(StopFlag);

impl Drop for RaiseOnDrop {
    fn drop(&mut self) {
        self.0.raise();
    }
}

/// A document with its keys in alphabetical order, as the CLI writes it (through a
/// `Value`, whose map sorts them), in compact form; or the failure.
fn answer<T: serde::Serialize>(result: Result<T, Failure>) -> Response {
    match result.map(serde_json::to_value) {
        Ok(Ok(doc)) => Json(doc).into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(f) => f.into_response(),
    }
}

/// The check of `files` with `password`, as `mfgcheck check --format json`.
/// The uploaded allowlist, read as `--allowlist FILE` reads one.
fn own_allowlist(upload: Option<&(String, String)>) -> Result<Option<Allowlist>, Failure> {
    upload
        .map(|(name, text)| {
            Allowlist::parse(text, name).map_err(|e| Failure::unusable(e.to_string()))
        })
        .transpose()
}

fn check_files(
    app: &super::App,
    files: Vec<Input>,
    password: Option<String>,
    settings: &Settings,
    own: Option<&Allowlist>,
) -> Result<report::CheckDocument, Failure> {
    if files.is_empty() {
        return Err(Failure::unusable(
            "no input: give at least one certificate file",
        ));
    }
    let profile = settings.profile(app.profile)?;
    let allowlist = own.unwrap_or_else(|| app.allowlist(profile));
    let mut options = CheckOptions::at(settings.at()?);
    options.profile = profile;
    options.password = password.map(Password::new);
    options.leaf = settings.leaf()?;
    match mfgcheck::check(&files, allowlist, &options) {
        Ok(outcome) => Ok(report::json(&outcome, allowlist)),
        Err(mfgcheck::Error::Load(LoadError {
            file,
            problem: Problem::PasswordNeeded,
        })) => Err(Failure::password(mfgcheck::load::password_needed(&file))),
        Err(
            e @ mfgcheck::Error::Load(LoadError {
                problem: Problem::WrongPassword,
                ..
            }),
        ) => Err(Failure::password(e.to_string())),
        // Where the CLI says "choose one with --leaf", the page offers the choices.
        Err(mfgcheck::Error::Leaf(e)) => Err(Failure {
            candidates: e
                .choices()
                .unwrap_or_default()
                .iter()
                .map(|(sha1, subject)| Presented {
                    sha1: sha1.clone(),
                    subject: subject.clone(),
                })
                .collect(),
            ..Failure::unusable(e.to_string())
        }),
        Err(e) => Err(Failure::unusable(e.to_string())),
    }
}

/// `POST /api/check`: multipart `file` (repeatable), `password`, `at`, `profile`, `leaf`.
pub(crate) async fn check(State(app): AppState, form: Multipart) -> Response {
    let upload = match read_form(form).await {
        Ok(u) => u,
        Err(f) => return f.into_response(),
    };
    answer(
        blocking(move || {
            let own = own_allowlist(upload.allowlist.as_ref())?;
            check_files(
                &app,
                upload.files,
                upload.password,
                &upload.settings,
                own.as_ref(),
            )
        })
        .await,
    )
}

fn triage_text(
    app: &super::App,
    text: &str,
    settings: &Settings,
    own: Option<&Allowlist>,
) -> Result<report::TriageDocument, Failure> {
    if text.trim().is_empty() {
        return Err(Failure::unusable("the text is empty"));
    }
    let profile = settings.profile(app.profile)?;
    let options = mfgcheck::triage::TriageOptions {
        at: settings.at()?,
        profile,
    };
    let allowlist = own.unwrap_or_else(|| app.allowlist(profile));
    let t = mfgcheck::triage::triage(text, &app.kb, allowlist, options);
    Ok(report::triage_json(&t, &app.kb))
}

/// Values one `/api/thumbprint` request looks up at most, and the characters read of
/// each: a paste holds a few; 10 MiB of lines (or of invisible marks in one line) must
/// not make an answer of hundreds of MB. What is left out is counted in `left_out`.
const MAX_VALUES: usize = 1000;
const MAX_VALUE_CHARS: usize = 512;

fn thumbprint_text(app: &super::App, text: &str) -> Result<report::ThumbprintDocument, Failure> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let values: Vec<String> = lines
        .by_ref()
        .take(MAX_VALUES)
        .map(|v| v.chars().take(MAX_VALUE_CHARS).collect())
        .collect();
    let left_out = lines.count();
    if values.is_empty() {
        return Err(Failure::unusable(
            "no value: paste a thumbprint or a serial number",
        ));
    }
    let allowlist = app.allowlist(app.profile);
    let lookups: Vec<_> = values.iter().map(|v| look_up(v, allowlist)).collect();
    let mut doc = report::lookup_json(&lookups, allowlist, None);
    doc.left_out = Some(left_out);
    Ok(doc)
}

fn lync_text(text: &str) -> Result<report::LyncDocument, Failure> {
    let objects =
        mfgcheck::lync::parse(text, "paste").map_err(|e| Failure::unusable(e.to_string()))?;
    let report = mfgcheck::lync::assess(&objects).ok_or_else(|| {
        Failure::unusable(
            "paste: no Get-CsExternalAccessPolicy or Get-CsMediaConfiguration output found (save it with | Format-List or Export-Csv)",
        )
    })?;
    Ok(report::lync_json(&report))
}

/// `POST /api/triage`: the text as the body; `?at=&profile=`.
pub(crate) async fn triage(
    State(app): AppState,
    Query(settings): Query<Settings>,
    body: Bytes,
) -> Response {
    let text = mfgcheck::load::decode_text(&body).into_owned();
    answer(blocking(move || triage_text(&app, &text, &settings, None)).await)
}

/// `POST /api/thumbprint`: one value per line.
pub(crate) async fn thumbprint(State(app): AppState, body: Bytes) -> Response {
    let text = mfgcheck::load::decode_text(&body).into_owned();
    answer(blocking(move || thumbprint_text(&app, &text)).await)
}

/// `POST /api/lync`: Get-CsExternalAccessPolicy and Get-CsMediaConfiguration output.
pub(crate) async fn lync(body: Bytes) -> Response {
    let text = mfgcheck::load::decode_text(&body).into_owned();
    answer(blocking(move || lync_text(&text)).await)
}

/// `GET /api/allowlist`: every authority, as `mfgcheck allowlist --format json`.
pub(crate) async fn allowlist(State(app): AppState, Query(settings): Query<Settings>) -> Response {
    let result = (|| {
        let profile = settings.profile(app.profile)?;
        let list = app.allowlist(profile);
        let all: Vec<usize> = (0..list.authorities().len()).collect();
        Ok(report::allowlist_json(list, &all, settings.at()?))
    })();
    answer(result)
}

/// What pasted text is, from its content, as the CLI would take it.
fn kind_of(text: &str) -> &'static str {
    let lower = text.to_ascii_lowercase();
    if lower.contains("-----begin") {
        return "check";
    }
    if lower.contains("encryptionlevel") || lower.contains("enablepubliccloudaccess") {
        return "lync";
    }
    let short = text.trim().lines().count() <= 4 && text.trim().len() <= 400;
    let hex_like = text.trim().lines().all(|l| {
        let digits = l.chars().filter(char::is_ascii_hexdigit).count();
        let letters = l
            .chars()
            .filter(|c| c.is_alphabetic() && !c.is_ascii_hexdigit())
            .count();
        digits >= 8 && letters <= 12
    });
    if short && hex_like {
        "thumbprint"
    } else {
        "triage"
    }
}

/// The text of an uploaded `.txt` (or `.log`, `.eml`) file that is not certificates:
/// what a helpdesk saves a ticket or a mail as. `None` for anything else.
fn ticket_text(file: &Input) -> Option<String> {
    let name = file.name.to_ascii_lowercase();
    if ![".txt", ".log", ".eml"].iter().any(|e| name.ends_with(e)) {
        return None;
    }
    let text = mfgcheck::load::decode_text(&file.bytes).into_owned();
    (kind_of(&text) != "check").then_some(text)
}

/// `POST /api/analyze`: what the page sends. Files are checked; pasted text is
/// recognised from its content (certificates, a thumbprint, Lync settings, or an error
/// to triage). Answers `{"kind": ..., "result": <that command's document>}`.
pub(crate) async fn analyze(State(app): AppState, form: Multipart) -> Response {
    let upload = match read_form(form).await {
        Ok(u) => u,
        Err(f) => return f.into_response(),
    };
    let result = blocking(move || {
        let Upload {
            mut files,
            text,
            password,
            settings,
            allowlist,
        } = upload;
        let own = own_allowlist(allowlist.as_ref())?;
        // A ticket saved as .txt and dropped on the page is text to read, not a
        // certificate file; a .txt holding PEM is still checked.
        let mut text = text;
        files.retain(|f| {
            let Some(words) = ticket_text(f) else {
                return true;
            };
            let joined = text.take().filter(|t| !t.trim().is_empty());
            text = Some(match joined {
                Some(t) => format!("{t}\n{words}"),
                None => words,
            });
            false
        });
        let kind = match &text {
            _ if !files.is_empty() => "check",
            Some(t) => kind_of(t),
            None => {
                return Err(Failure::unusable(
                    "nothing given: drop a file or paste a text",
                ));
            }
        };
        let text = text.unwrap_or_default();
        Ok(match kind {
            "check" => {
                if files.is_empty() {
                    files.push(Input {
                        name: "pasted text".into(),
                        bytes: text.into_bytes(),
                    });
                }
                let doc = check_files(&app, files, password, &settings, own.as_ref())?;
                AnalyzeDocument::Check(Box::new(doc))
            }
            "lync" => AnalyzeDocument::Lync(Box::new(lync_text(&text)?)),
            "thumbprint" => AnalyzeDocument::Thumbprint(Box::new(thumbprint_text(&app, &text)?)),
            _ => AnalyzeDocument::Triage(Box::new(triage_text(
                &app,
                &text,
                &settings,
                own.as_ref(),
            )?)),
        })
    })
    .await;
    answer(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_text_is_recognised_from_its_content() {
        assert_eq!(
            kind_of("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
            "check"
        );
        assert_eq!(
            kind_of("\u{200e}7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44"),
            "thumbprint"
        );
        assert_eq!(
            kind_of("Identity : Global\nEncryptionLevel : RequireEncryption"),
            "lync"
        );
        assert_eq!(
            kind_of("New-FederationTrust : The request failed with HTTP status 403: Forbidden."),
            "triage"
        );
    }

    /// Runs `blocking` with work that waits for the test's word, then opens the heavy
    /// PFX; `abandon` drops the request first, as a 408 or a client leaving does.
    fn open_heavy_pfx(abandon: bool) -> Result<(), Problem> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (started, has_started) = std::sync::mpsc::channel();
        let (go, wait_for_go) = std::sync::mpsc::channel::<()>();
        let (done, result) = std::sync::mpsc::channel();
        let heavy = include_bytes!("../../certs-testdata/hostile-heavy.pfx");
        let request = runtime.spawn(blocking(move || {
            started.send(()).unwrap();
            wait_for_go.recv().unwrap();
            let password = Password::new("Fed2010!".into());
            let opened = mfgcheck::load::load("hostile-heavy.pfx", heavy, Some(&password));
            done.send(opened.map(|_| ()).map_err(|e| e.problem))
                .unwrap();
            Ok(())
        }));
        has_started.recv().unwrap();
        if abandon {
            request.abort();
            assert!(runtime.block_on(request).err().unwrap().is_cancelled());
            // The abandoned work still holds its turn: no other check starts beside it.
            assert_eq!(HEAVY.available_permits(), HEAVY_AT_ONCE - 1);
            go.send(()).unwrap();
        } else {
            go.send(()).unwrap();
            assert!(runtime.block_on(request).unwrap().is_ok());
        }
        result.recv().unwrap()
    }

    #[test]
    fn an_abandoned_request_stops_its_key_derivations() {
        assert_eq!(open_heavy_pfx(false), Ok(()));
        assert_eq!(open_heavy_pfx(true), Err(Problem::Stopped));
    }
}
