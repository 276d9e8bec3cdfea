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

#![forbid(unsafe_code)]

pub mod chain;
pub mod connect;
pub mod load;
pub mod lync;
pub mod model;
pub mod policy;
pub mod report;
pub mod scan;
pub mod triage;

use time::OffsetDateTime;

use chain::{Budget, Chain, LeafError, LeafSelector, Pool};
use load::{LoadError, Password, RawCertificate};
use model::{Certificate, KeyRing, ParseError, PrivateKey};
use policy::{Allowlist, Assessment, PolicyOptions, Profile};

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
        keys.keys
            .extend(loaded.keys.into_iter().map(PrivateKey::from_raw));
        raws.extend(loaded.certificates);
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

/// Everything `inspect` shows: all certificates and keys, and who issued whom.
#[derive(Debug)]
pub struct Inspection {
    pub pool: Pool,
    pub keys: KeyRing,
    pub forest: chain::Forest,
}

/// Loads the inputs and works out the issuer tree they form, with no verdict.
pub fn inspect(inputs: &[Input], password: Option<&Password>) -> Result<Inspection, Error> {
    let Bundle { pool, keys } = load_bundle(inputs, password)?;
    let forest = chain::forest(&pool);
    Ok(Inspection { pool, keys, forest })
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
    let chain = chain::build_with(
        &pool,
        leaf,
        &anchors,
        options.at,
        options.budget,
        Some(&shared.signatures),
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
        },
    );
    Ok(Outcome {
        pool,
        keys,
        chain,
        assessment,
    })
}
