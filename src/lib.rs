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
pub mod load;
pub mod model;
pub mod policy;
pub mod report;

use time::OffsetDateTime;

use chain::{Budget, Chain, LeafError, LeafSelector, Pool};
use load::{LoadError, RawCertificate};
use model::{Certificate, ParseError};
use policy::{Allowlist, Assessment, PolicyOptions};

/// One input: a name for messages (a path, or `<stdin>`) and its bytes.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Settings of a check.
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    /// Evaluation time for every date check and for the allowlist's since/until.
    pub at: OffsetDateTime,
    /// `expires-soon` fires within this many days of expiry.
    pub warn_days: u32,
    /// The certificate to check; chosen automatically when `None`.
    pub leaf: Option<LeafSelector>,
    pub budget: Budget,
}

impl CheckOptions {
    /// Defaults at evaluation time `at`: 30 warning days, automatic leaf, default budget.
    pub fn at(at: OffsetDateTime) -> Self {
        Self {
            at,
            warn_days: 30,
            leaf: None,
            budget: Budget::default(),
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
}

/// Everything a check produced, for the reports.
#[derive(Debug)]
pub struct Outcome {
    pub pool: Pool,
    pub chain: Chain,
    pub assessment: Assessment,
}

/// Loads every input into one pool of certificates (duplicates merged).
pub fn load_pool(inputs: &[Input]) -> Result<Pool, Error> {
    if inputs.is_empty() {
        return Err(Error::NoInput);
    }
    let mut raws: Vec<RawCertificate> = Vec::new();
    for input in inputs {
        raws.extend(load::load(&input.name, &input.bytes)?);
    }
    let certs = raws
        .into_iter()
        .map(Certificate::from_raw)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Pool::new(certs))
}

/// Checks the certificates in `inputs` against `allowlist`: the whole pipeline.
pub fn check(
    inputs: &[Input],
    allowlist: &Allowlist,
    options: &CheckOptions,
) -> Result<Outcome, Error> {
    let pool = load_pool(inputs)?;
    let leaf = pool.select_leaf(options.leaf.as_ref())?;
    let anchors = allowlist.anchors_at(options.at);
    let chain = chain::build(&pool, leaf, &anchors, options.at, options.budget);
    let assessment = policy::assess(
        &pool,
        &chain,
        allowlist,
        &PolicyOptions {
            at: options.at,
            warn_days: options.warn_days,
        },
    );
    Ok(Outcome {
        pool,
        chain,
        assessment,
    })
}
