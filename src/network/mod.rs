//! **Network**: the only room that reaches other machines, beside [`crate::load`] as
//! the other way bytes come in. Each part returns what it read with where it came from,
//! for the engine to judge like any input; no engine room imports this one.
//!
//! - [`connect`] (feature `connect`): the chain a TLS server presents (`--connect`,
//!   `scan --connect-list`), with STARTTLS and the old servers' TLS 1.0;
//! - [`aia`] (feature `fetch`): a missing issuer from the address its child names
//!   (`--fetch-missing`), as the [`crate::IssuerSource`] of [`crate::check_fetching`].
//!
//! Every operation has one overall deadline and a size limit.

#[cfg(feature = "fetch")]
pub mod aia;
#[cfg(feature = "connect")]
pub mod connect;
