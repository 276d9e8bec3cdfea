//! mfgcheck: will the Microsoft Federation Gateway accept this certificate?
//!
//! `New-FederationTrust` fails with "HTTP status 403: Forbidden" when the federation
//! certificate is not issued *directly* by a CA on Microsoft's list, even when the chain
//! validates to a listed root. This library answers the question before the admin buys,
//! submits or deploys a certificate, and says why and what to do when the answer is no.
//!
//! Data flows one way, one module per stage:
//! [`load`] (bytes to DER) → [`model`] (parsed certificates) → [`chain`] (issuer
//! path proven by signatures) → [`policy`] (allowlist, requirements, findings,
//! verdict) → [`report`] (text and JSON). The library never prints and never exits;
//! the `mfgcheck` binary is a thin layer over [`check`] and [`report`].
//!
//! Code that reaches other machines lives in one room, `network` (features `connect`
//! and `fetch`), beside [`load`]: it hands bytes to the engine, and no other room
//! imports it. Built with `--no-default-features`, the library has neither the
//! network nor the command line nor the server; `tests/architecture.rs` keeps the
//! imports flowing one way.

#![forbid(unsafe_code)]

pub mod chain;
pub mod load;
pub mod lync;
pub mod model;
#[cfg(any(feature = "connect", feature = "fetch"))]
pub mod network;
pub mod policy;
pub mod report;
pub mod scan;
pub mod triage;

use time::OffsetDateTime;

use chain::{Budget, Chain, LeafError, LeafSelector, Pool, Top};
use load::{LoadError, Password, RawCertificate};
use model::{Certificate, KeyRing, ParseError, PrivateKey};
use policy::{Allowlist, Assessment, Code, Finding, PolicyOptions, Profile};

/// One input: a name for messages (a path, or `<stdin>`) and its bytes.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Settings of a check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Evaluation time for every date check and for the allowlist's since/until.
    pub at: OffsetDateTime,
    /// `expires-soon` fires within this many days of expiry.
    pub warn_days: u32,
    /// The certificate to check; chosen automatically when `None`.
    pub leaf: Option<LeafSelector>,
    pub budget: Budget,
    /// Opens PKCS#12 inputs; without one, the empty and the absent password are tried.
    pub password: Option<Password>,
    /// Which Exchange release's rules apply.
    pub profile: Profile,
    /// Keep every step of the path search in [`Chain::trace`] (`check -v`).
    pub trace: bool,
    /// Write [`policy::Assessment::next_steps`]. A scan's records carry none, so a
    /// scan turns this off and spares every bundle their words (one of them lists
    /// every accepted CA).
    pub next_steps: bool,
}

impl CheckOptions {
    /// Defaults at evaluation time `at`: 30 warning days, automatic leaf, default budget.
    pub fn at(at: OffsetDateTime) -> Self {
        Self {
            at,
            warn_days: 30,
            leaf: None,
            budget: Budget::default(),
            password: None,
            profile: Profile::default(),
            trace: false,
            next_steps: true,
        }
    }
}

/// Why a check could not be made (exit code 2 in the CLI). Each names its input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("{0}")]
    Leaf(#[from] LeafError),
    #[error("no input: give at least one certificate file")]
    NoInput,
    #[error("{files}: only a private key, no certificate: nothing to check")]
    KeyOnly { files: String },
    #[error(
        "{files}: {count} certificates, more than the {MAX_CERTIFICATES} one check reads; split the bundle"
    )]
    TooManyCertificates { files: String, count: usize },
}

/// Certificates one check reads at most: real bundles hold a handful, a CA store a few
/// hundred; more is a mistake or an attack on the path search.
pub const MAX_CERTIFICATES: usize = 10_000;

/// Everything a check produced, for the reports.
#[derive(Debug)]
pub struct Outcome {
    pub pool: Pool,
    pub keys: KeyRing,
    pub chain: Chain,
    pub assessment: Assessment,
}

/// The certificates and private keys of all inputs.
#[derive(Debug)]
pub struct Bundle {
    pub pool: Pool,
    pub keys: KeyRing,
}

/// Shared state that makes many checks cheaper than one each: CA certificates parsed
/// once, their signatures verified once, and extra issuers (a scan's chain directory).
/// Results never depend on what the caches hold.
#[derive(Debug, Default)]
pub struct Shared {
    pub parsed: model::ParseCache,
    pub signatures: chain::SignatureCache,
    /// PEM bodies decoded before: the CA certificates repeated in every bundle.
    pub bodies: load::PemBodies,
    /// CA certificates every bundle may use as issuers.
    pub extras: Vec<Certificate>,
}

/// Loads every input: certificates into one pool (duplicates merged), PKCS#12
/// private keys (their public halves) beside it.
pub fn load_bundle(inputs: &[Input], password: Option<&Password>) -> Result<Bundle, Error> {
    load_bundle_with(inputs, password, &Shared::default(), &[])
}

/// [`load_bundle`] with the caches and extra issuers of `shared`, and `local` issuers
/// besides (a scan's issuer files of the same directory).
pub fn load_bundle_with(
    inputs: &[Input],
    password: Option<&Password>,
    shared: &Shared,
    local: &[Certificate],
) -> Result<Bundle, Error> {
    if inputs.is_empty() {
        return Err(Error::NoInput);
    }
    let mut raws: Vec<RawCertificate> = Vec::new();
    let mut keys = KeyRing::default();
    for input in inputs {
        let loaded = load::load_with(&input.name, &input.bytes, password, Some(&shared.bodies))?;
        let pkcs12 = !loaded.keys.is_empty()
            || loaded
                .certificates
                .iter()
                .any(|c| c.origin.format == load::Format::Pkcs12);
        if pkcs12 {
            keys.pkcs12_files.push(input.name.clone());
        }
        keys.protections.extend(
            loaded
                .pfx
                .into_iter()
                .map(|protection| model::PfxProtection {
                    file: input.name.clone(),
                    protection,
                }),
        );
        keys.keys
            .extend(loaded.keys.into_iter().map(PrivateKey::from_raw));
        // One input, as a scan gives: its list is the bundle's, not copied into another.
        if raws.is_empty() {
            raws = loaded.certificates;
        } else {
            raws.extend(loaded.certificates);
        }
        if raws.len() > MAX_CERTIFICATES {
            return Err(Error::TooManyCertificates {
                files: inputs
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                count: raws.len(),
            });
        }
    }
    if raws.is_empty() {
        return Err(Error::KeyOnly {
            files: keys.pkcs12_files.join(", "),
        });
    }
    let certs = raws
        .into_iter()
        .map(|raw| Certificate::from_raw_cached(raw, Some(&shared.parsed)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Bundle {
        pool: Pool::with_extras(certs, shared.extras.iter().chain(local)),
        keys,
    })
}

/// Where `--fetch-missing` gets missing issuers: the bytes at the address a
/// certificate names for its issuer (AIA caIssuers). The library never connects:
/// `network::aia::Client` does (feature `fetch`), and tests give addresses of their own.
pub trait IssuerSource: Send + Sync + std::fmt::Debug {
    /// The answer at `url`, or why there is none.
    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError>;
}

/// Why an issuer could not be fetched from its address, in words an admin can act on
/// (the `aia-fetch-failed` warning says them after the address).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Not an `http:` address (`a file: address`, `"x", not an address`), given or
    /// redirected to: refused by its scheme, never requested.
    #[error("{}{what}, which is not fetched: only http:// addresses are (RFC 5280 caIssuers)", if *.redirected { "redirected to " } else { "" })]
    Scheme { what: String, redirected: bool },
    #[error("timed out")]
    TimedOut,
    #[error("more than {0} redirects (a loop?)")]
    Redirects(u32),
    #[error("a redirect without a Location")]
    NoLocation,
    #[error("the server answered HTTP {code} {reason}")]
    Status { code: u16, reason: String },
    #[error("the answer is larger than {kib} KiB")]
    TooLarge { kib: u64 },
    /// Another failure of the connection or the HTTP exchange, in words.
    #[error("{0}")]
    Http(String),
}

/// Addresses one check follows at most: real chains are two or three CAs deep, and a
/// loop of addresses must end.
pub const MAX_FETCHES: usize = 4;

/// The certificates at `url` named like the issuer of `cert`: what a fetch may add.
/// Anything else in the answer is left out (it would only be "unrelated"), and an
/// answer without the issuer is a failure. Whether the key really made the signature
/// is the path builder's to prove, as for any certificate.
fn issuers_at(
    source: &dyn IssuerSource,
    url: &str,
    cert: &Certificate,
    shared: &Shared,
) -> Result<Vec<Certificate>, String> {
    let bytes = source.fetch(url).map_err(|e| e.to_string())?;
    let loaded = load::load(url, &bytes, None)
        .map_err(|e| format!("the answer is not a certificate ({})", e.problem))?;
    let mut found = Vec::new();
    let mut other = Vec::new();
    for mut raw in loaded.certificates {
        raw.origin.fetched = true;
        let parsed = Certificate::from_raw_cached(raw, Some(&shared.parsed))
            .map_err(|e| format!("the answer is not a readable certificate ({})", e.reason))?;
        if parsed.subject().matches(cert.issuer()) {
            found.push(parsed);
        } else {
            other.push(format!("\"{}\"", parsed.subject().short()));
        }
    }
    if found.is_empty() {
        return Err(format!(
            "the answer holds no certificate named \"{}\" (it holds {})",
            cert.issuer().short(),
            other.join(", ")
        ));
    }
    Ok(found)
}

/// [`check_bundle`] that completes the path from AIA addresses: while the path stops at
/// a certificate whose issuer is absent and that names an address not yet tried (at
/// most [`MAX_FETCHES`]), the issuer is fetched from `source` and the bundle rebuilt
/// by `reload` with the fetched issuers (as extras: never the leaf, never "unused").
/// A failed fetch is an `aia-fetch-failed` warning naming the address; the check goes
/// on with what it has.
pub fn check_fetching(
    first: Bundle,
    reload: impl Fn(&[Certificate]) -> Result<Bundle, Error>,
    allowlist: &Allowlist,
    options: &CheckOptions,
    shared: &Shared,
    source: &dyn IssuerSource,
) -> Result<Outcome, Error> {
    let mut outcome = check_bundle(first, allowlist, options, shared)?;
    let mut fetched: Vec<Certificate> = Vec::new();
    let mut tried: Vec<String> = Vec::new();
    let mut failures: Vec<Finding> = Vec::new();
    while tried.len() < MAX_FETCHES && matches!(outcome.chain.top, Top::IssuerAbsent { .. }) {
        let top = outcome.pool.get(outcome.chain.top_cert());
        let Some(url) = top
            .ca_issuers()
            .iter()
            .find(|u| !tried.contains(u))
            .cloned()
        else {
            break;
        };
        tried.push(url.clone());
        match issuers_at(source, &url, top, shared) {
            Ok(issuers) => fetched.extend(issuers),
            Err(reason) => {
                let message = format!(
                    "The issuer of \"{}\" ({}), \"{}\", could not be fetched from {url}: {reason}.",
                    top.subject().short(),
                    top.sha1(),
                    top.issuer().short()
                );
                failures.push(
                    Finding::new(Code::AiaFetchFailed, message)
                        .fix("Download the issuer's certificate from the CA's web site and give it beside this one; behind a proxy, set HTTP_PROXY.")
                        .about(*top.sha1()),
                );
                continue;
            }
        }
        outcome = check_bundle(reload(&fetched)?, allowlist, options, shared)?;
    }
    if !failures.is_empty() {
        let findings = &mut outcome.assessment.findings;
        findings.extend(failures);
        findings.sort_by_key(Finding::severity);
    }
    Ok(outcome)
}

/// [`check_with`], completing the path from AIA addresses (see [`check_fetching`]).
pub fn check_with_fetching(
    inputs: &[Input],
    allowlist: &Allowlist,
    options: &CheckOptions,
    shared: &Shared,
    source: &dyn IssuerSource,
) -> Result<Outcome, Error> {
    let load = |fetched: &[Certificate]| {
        load_bundle_with(inputs, options.password.as_ref(), shared, fetched)
    };
    check_fetching(load(&[])?, load, allowlist, options, shared, source)
}

/// Everything `inspect` shows: all certificates and keys, and who issued whom.
#[derive(Debug)]
pub struct Inspection {
    pub pool: Pool,
    pub keys: KeyRing,
    pub forest: chain::Forest,
    /// With --fetch-missing: the addresses that gave no issuer, each with the reason
    /// (`http://...: timed out`).
    pub fetch_failures: Vec<String>,
}

/// Loads the inputs and works out the issuer tree they form, with no verdict.
pub fn inspect(inputs: &[Input], password: Option<&Password>) -> Result<Inspection, Error> {
    let Bundle { pool, keys } = load_bundle(inputs, password)?;
    let forest = chain::forest(&pool);
    Ok(Inspection {
        pool,
        keys,
        forest,
        fetch_failures: Vec::new(),
    })
}

/// Addresses `inspect --fetch-missing` follows at most: a few per orphan certificate.
pub const MAX_INSPECT_FETCHES: usize = 2 * MAX_FETCHES;

/// [`inspect`], with the issuers missing above any certificate fetched from the
/// addresses it names (AIA caIssuers), as [`check_fetching`] does for one path.
pub fn inspect_fetching(
    inputs: &[Input],
    password: Option<&Password>,
    source: &dyn IssuerSource,
) -> Result<Inspection, Error> {
    let shared = Shared::default();
    let mut fetched: Vec<Certificate> = Vec::new();
    let mut tried: Vec<String> = Vec::new();
    let mut fetch_failures = Vec::new();
    loop {
        let Bundle { pool, keys } = load_bundle_with(inputs, password, &shared, &fetched)?;
        let forest = chain::forest(&pool);
        let next = pool
            .iter()
            .filter(|(id, _)| matches!(forest.link(*id), chain::Link::Absent))
            .find_map(|(_, c)| {
                let url = c.ca_issuers().iter().find(|u| !tried.contains(u))?;
                Some((url.clone(), c.clone()))
            })
            .filter(|_| tried.len() < MAX_INSPECT_FETCHES);
        let Some((url, orphan)) = next else {
            return Ok(Inspection {
                pool,
                keys,
                forest,
                fetch_failures,
            });
        };
        tried.push(url.clone());
        match issuers_at(source, &url, &orphan, &shared) {
            Ok(issuers) => fetched.extend(issuers),
            Err(reason) => fetch_failures.push(format!("{url}: {reason}")),
        }
    }
}

/// Loads every input into one pool of certificates (no PKCS#12 password).
pub fn load_pool(inputs: &[Input]) -> Result<Pool, Error> {
    load_bundle(inputs, None).map(|b| b.pool)
}

/// Checks the certificates in `inputs` against `allowlist`: the whole pipeline.
pub fn check(
    inputs: &[Input],
    allowlist: &Allowlist,
    options: &CheckOptions,
) -> Result<Outcome, Error> {
    check_with(inputs, allowlist, options, &Shared::default())
}

/// [`check`] with caches and extra issuers shared between many checks.
pub fn check_with(
    inputs: &[Input],
    allowlist: &Allowlist,
    options: &CheckOptions,
    shared: &Shared,
) -> Result<Outcome, Error> {
    let bundle = load_bundle_with(inputs, options.password.as_ref(), shared, &[])?;
    check_bundle(bundle, allowlist, options, shared)
}

/// The check of a bundle already loaded (by [`load_bundle_with`]).
pub fn check_bundle(
    bundle: Bundle,
    allowlist: &Allowlist,
    options: &CheckOptions,
    shared: &Shared,
) -> Result<Outcome, Error> {
    let Bundle { pool, keys } = bundle;
    // A PFX says which certificate is the server's: the one its private key belongs to.
    let leaf = match (&options.leaf, pool.key_holder(&keys.keys)) {
        (None, Some(holder)) => holder,
        (selector, _) => pool.select_leaf(selector.as_ref())?,
    };
    let anchors = allowlist.anchors_at(options.at);
    let chain = chain::build_traced(
        &pool,
        leaf,
        &anchors,
        options.at,
        options.budget,
        Some(&shared.signatures),
        options.trace,
    );
    let assessment = policy::assess(
        &pool,
        &chain,
        &keys,
        allowlist,
        &PolicyOptions {
            at: options.at,
            warn_days: options.warn_days,
            profile: options.profile,
            next_steps: options.next_steps,
        },
    );
    Ok(Outcome {
        pool,
        keys,
        chain,
        assessment,
    })
}
