//! The words of a judgement, shared by every part of the policy: which rules apply
//! (the profile), what the gateway will do (the verdict), and where the private key is.

use crate::model::KeyMatch;

/// Which Exchange release's federation rules apply. They differ in one point: from
/// Exchange 2010 SP2 on, the self-signed certificate the New Federation Trust wizard
/// makes is accepted; before, only certificates issued directly by a listed CA were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Exchange 2010 RTM: issued directly by a CA on the list.
    #[default]
    Exchange2010,
    /// Exchange 2010 SP2 and later: also the wizard's self-signed certificate.
    Exchange2010Sp2,
}

impl Profile {
    /// The name `--profile` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Exchange2010 => "exchange2010",
            Self::Exchange2010Sp2 => "exchange2010-sp2",
        }
    }

    /// What the profile fits and accepts, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Exchange2010 => "Exchange 2010 RTM rules, issued directly by a listed CA",
            Self::Exchange2010Sp2 => {
                "Exchange 2010 SP2 and later, issued by a CA of the list in use or self-signed by the New Federation Trust wizard"
            }
        }
    }

    /// Whether a self-signed federation certificate can be accepted.
    pub fn accepts_self_signed(self) -> bool {
        self == Self::Exchange2010Sp2
    }
}

/// Will the MFG accept the certificate?
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Accepted,
    Rejected,
    /// The input lacks the evidence to decide: the issuer is named like a listed CA
    /// but nothing ties it to the listed key. Not a rejection: the certificate may be
    /// fine, and buying a new one because a file is missing would be wrong advice.
    Undetermined,
}

impl Verdict {
    /// The word reports print: `accepted`, `rejected` or `undetermined`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Undetermined => "undetermined",
        }
    }
}

/// The private key of the checked certificate, when a PKCS#12 input could hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyStatus {
    /// `KeyRing::keys[index]` is the leaf's key.
    Held { index: usize, by: KeyMatch },
    /// A PKCS#12 file was given, but no key in it belongs to the leaf.
    Missing,
}
