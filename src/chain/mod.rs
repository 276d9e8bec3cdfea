//! **Chain**: which certificate issued which, proven by signatures.
//!
//! Takes the parsed certificates, merges them into a [`Pool`], picks the leaf and
//! builds the path above it. It knows nothing of allowlists: the policy layer tells
//! it which certificates are worth reaching through the [`Anchors`] trait.

mod forest;
mod path;
mod pool;
mod rank;
pub mod signature;

pub use forest::{FOREST_SIGNATURE_BUDGET, Forest, Link, forest};
pub use path::{
    Anchors, Budget, Chain, Decider, Exhausted, Flaw, NoAnchors, Step, Top, build, build_traced,
    build_with,
};
pub use pool::{CertId, Duplicate, LeafError, LeafSelector, Pool};
pub use signature::{SignatureCache, Verification, Weakness};
