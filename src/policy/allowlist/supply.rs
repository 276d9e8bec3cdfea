//! Where a certificate the gateway accepts can come from on a given day: the CAs of the
//! list that can issue then, in words; the advice and several fixes say it.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{Allowlist, Authority, Issuance, Kind, Supply};
use crate::model::date::format_day;

impl Allowlist {
    /// [`supply_at`], answered from the allowlist's memo when the date is the same.
    pub fn supply(&self, at: OffsetDateTime) -> Arc<Supply> {
        if let Some((when, kept)) = self.supply.lock().as_deref().and_then(Option::as_ref)
            && *when == at
        {
            return Arc::clone(kept);
        }
        let supply = Arc::new(supply_at(self, at));
        if let Some(mut kept) = self.supply.lock() {
            *kept = Some((at, Arc::clone(&supply)));
        }
        supply
    }
}

fn supply_at(allowlist: &Allowlist, at: OffsetDateTime) -> Supply {
    let day = format_day(at);
    let can: Vec<&Authority> = allowlist.recommended_at(at).collect();
    let names = can
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let route = "The practical route is then the self-signed federation certificate that the New Federation Trust wizard of Exchange 2010 SP2 and later creates (check it with --profile exchange2010-sp2).";
    if can.is_empty() {
        return Supply {
            text: format!(
                "No CA of {} can issue a certificate the MFG accepts on {day}: none is accepted then with a confirmed identity and a certificate still valid. {route}",
                allowlist.describe_source()
            ),
            self_signed_only: true,
        };
    }
    if allowlist.issuance() == Issuance::Chain {
        return Supply {
            text: format!(
                "Get a federation certificate whose chain ends at one of the roots {} accepts on {day}: {names}. (The later list names roots; the Exchange 2010 RTM gateway wanted the direct issuer listed, so on RTM servers prefer the self-signed certificate of the wizard.)",
                allowlist.describe_source()
            ),
            self_signed_only: false,
        };
    }
    if can.iter().all(|a| a.kind == Some(Kind::Root)) {
        return Supply {
            text: format!(
                "The CAs of {} that are accepted and still valid on {day} are all roots ({names}), and public CAs no longer issue server certificates directly from a root (the CA/Browser Forum Baseline Requirements forbid it), so no certificate on sale is issued directly by a listed CA. {route}",
                allowlist.describe_source()
            ),
            self_signed_only: true,
        };
    }
    Supply {
        text: format!(
            "Get a federation certificate issued directly by one of the CAs accepted on {day} ({}): {names}. Ask the vendor which CA certificate will sign it: its name must be the new certificate's Issuer, not a root above an intermediate.",
            allowlist.source()
        ),
        self_signed_only: false,
    }
}
