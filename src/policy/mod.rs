//! **Policy**: what the Microsoft Federation Gateway accepts, applied to a chain.
//!
//! Owns the allowlist, the finding codes and the verdict. It reads chains and
//! certificates; it never loads or parses input itself.

mod advice;
pub mod allowlist;
mod assess;
pub mod finding;
mod groups;
mod lookup;
mod pfx;
mod verdict;

pub use allowlist::{
    Allowlist, AllowlistError, Authority, Identity, Issuance, MatchedBy, Standing, Status,
};
pub use assess::{Assessment, DirectIssuer, KeyStatus, PolicyOptions, Profile, Verdict, assess};
pub use finding::{Code, Finding, Severity, Step};
pub use lookup::{Field, Lookup, Removed, ValueKind, look_up};
pub use pfx::pfx_findings;
