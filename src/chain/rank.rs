//! How complete paths rank against each other: what makes a path invalid ([`Flaw`]),
//! the order of the ranking ([`Score`]) and which part of it decided ([`Decider`], for
//! `check -v`). A valid path beats every invalid one; among equals, the one reaching a
//! listed CA nearest the leaf, then the one ending best.

use super::pool::CertId;

/// Why a complete path is not fully valid (RFC 5280 6.1, and what Windows refuses). A
/// path with any flaw loses to every path without one, however short: a cross-signed CA
/// reached through an expired cross-certificate must not hide its current root. The
/// leaf's own dates and extensions are the same on every path and are not flaws here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flaw {
    /// This CA certificate is outside its validity period at the evaluation time.
    OutOfDate(CertId),
    /// The signature on this certificate uses an algorithm that cannot be verified, so
    /// the link to its issuer is not proven.
    Unverified(CertId),
    /// This certificate signed the one below it but is not a CA certificate (a v3
    /// certificate without basicConstraints cA=TRUE, or without keyCertSign).
    NotCa(CertId),
    /// This CA's pathLenConstraint allows fewer intermediate CAs below it than the path has.
    PathLen(CertId),
    /// This CA certificate has a critical extension Windows does not know.
    UnknownCritical(CertId),
}

/// Which part of the ranking set one complete path before another (`check -v`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decider {
    /// One path is fully valid, the other has flaws.
    Flaws,
    /// One reaches a listed CA nearer the leaf (or at all).
    Anchor,
    /// One ends better: at a root, rather than at an absent issuer, a bad signature or
    /// the budget.
    Ending,
    /// Both have flaws; one has fewer.
    FlawCount,
    /// They rank the same; the one found first stays.
    Tie,
}

/// Ranking of complete paths; smaller is better, compared field by field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Score {
    /// A flaw, a bad signature at the top or a truncated search: such a path decides
    /// the verdict only when no valid path exists.
    pub(super) flawed: bool,
    /// Position of the first listed authority (1 = the leaf's direct issuer), or
    /// `usize::MAX` if the path reaches none.
    pub(super) anchor: usize,
    /// 0 for a path ending at a root, 1 for one ending at an absent issuer or a
    /// loop, 2 for a bad signature, 3 for a truncated search.
    pub(super) ending: u8,
    /// How many flaws, between flawed paths.
    pub(super) flaws: usize,
}

impl Score {
    /// Nothing can beat a valid path whose leaf was issued directly by an authority
    /// and which ends at a root.
    pub(super) fn is_best(self) -> bool {
        !self.flawed && self.anchor == 1 && self.ending == 0
    }

    /// Which field sets `self` apart from `other`.
    pub(super) fn decider(self, other: Self) -> Decider {
        if self.flawed != other.flawed {
            Decider::Flaws
        } else if self.anchor != other.anchor {
            Decider::Anchor
        } else if self.ending != other.ending {
            Decider::Ending
        } else if self.flaws != other.flaws {
            Decider::FlawCount
        } else {
            Decider::Tie
        }
    }
}
