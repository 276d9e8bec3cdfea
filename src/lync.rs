//! **Lync**: can public IM and A/V federation with Windows Live work, judged from the
//! output of `Get-CsExternalAccessPolicy` and `Get-CsMediaConfiguration`?
//!
//! Reads `Format-List` output (Lync 2010 and 2013, several objects per file, wrapped
//! values) and `Export-Csv` output, in any order and encoding. Windows Live has no
//! SRTP, so a media configuration that requires encryption makes every A/V call fail
//! with SIP 488 / ms-client-diagnostics 52017; the external access policy must allow
//! public cloud IM and, separately, A/V.

use std::fmt;

pub use crate::load::powershell::Object;

/// Which cmdlet printed an object.
fn kind(o: &Object) -> Option<Kind> {
    if o.get("EnablePublicCloudAccess").is_some() {
        Some(Kind::ExternalAccessPolicy)
    } else if o.get("EncryptionLevel").is_some() {
        Some(Kind::MediaConfiguration)
    } else {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    ExternalAccessPolicy,
    MediaConfiguration,
}

/// Why a file could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct LyncError {
    pub file: String,
    pub message: String,
}

/// Reads the objects of one output, `Format-List`, CSV or JSON.
pub fn parse(text: &str, source: &str) -> Result<Vec<Object>, LyncError> {
    crate::load::powershell::parse(text, source).map_err(|e| LyncError {
        file: e.file,
        message: e.message,
    })
}

/// One thing standing in the way, or worth knowing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Issue {
    /// `public-im-disabled`, `public-av-disabled`, `encryption-required`, `video-vga`,
    /// `setting-missing`.
    #[schemars(extend("enum" = ["public-im-disabled", "public-av-disabled", "encryption-required", "video-vga", "setting-missing"]))]
    pub code: &'static str,
    /// Whether it stops IM or A/V with Windows Live (else informational).
    pub blocking: bool,
    pub message: String,
}

/// What one scope says.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ScopeReport {
    /// `Global`, `Site:Redmond`, `Tag:AllowWLM`.
    pub scope: String,
    /// `external-access-policy` or `media-configuration`.
    #[schemars(extend("enum" = ["external-access-policy", "media-configuration"]))]
    pub kind: &'static str,
    /// `[name, value]` pairs, as the output gave them.
    pub settings: Vec<(String, String)>,
    pub issues: Vec<Issue>,
    /// The commands that fix the blocking issues, scope kept.
    pub commands: Vec<String>,
    pub source: String,
}

impl ScopeReport {
    pub fn ready(&self) -> bool {
        !self.issues.iter().any(|i| i.blocking)
    }
}

/// The verdict over all inputs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct LyncReport {
    pub scopes: Vec<ScopeReport>,
    /// Every scope given is ready and both outputs were given: one alone cannot show
    /// that IM and A/V work, so it is never ready.
    pub ready: bool,
    /// The cmdlets whose output is missing (`Get-CsMediaConfiguration`, ...).
    pub missing: Vec<String>,
    /// `ready`, `changes-needed` or `incomplete` (nothing to change in what was
    /// given, but an output is missing).
    #[schemars(extend("enum" = ["ready", "changes-needed", "incomplete"]))]
    pub verdict: &'static str,
    pub reminders: Vec<String>,
}

/// The `-Identity` a Set-Cs cmdlet takes for a scope: per-user policies by name alone.
fn identity_arg(scope: &str) -> String {
    let name = match scope.split_once(':') {
        Some((tag, name)) if tag.eq_ignore_ascii_case("Tag") => name,
        _ => scope,
    };
    if name.contains(char::is_whitespace) {
        format!("\"{name}\"")
    } else {
        name.to_owned()
    }
}

fn is_true(v: Option<&str>) -> Option<bool> {
    match v.map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("true") || v == "$true" => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") || v == "$false" => Some(false),
        _ => None,
    }
}

fn scope_order(scope: &str) -> (u8, String) {
    let lower = scope.to_ascii_lowercase();
    let rank = if lower == "global" {
        0
    } else if lower.starts_with("site:") {
        1
    } else if lower.starts_with("service:") {
        2
    } else {
        3
    };
    (rank, lower)
}

fn policy_report(o: &Object, scope: &str) -> ScopeReport {
    let mut issues = Vec::new();
    let im = is_true(o.get("EnablePublicCloudAccess"));
    let av = is_true(o.get("EnablePublicCloudAudioVideoAccess"));
    match im {
        Some(true) => {}
        Some(false) => issues.push(Issue {
            code: "public-im-disabled",
            blocking: true,
            message:
                "EnablePublicCloudAccess is False: no IM with public networks such as Windows Live."
                    .into(),
        }),
        None => issues.push(Issue {
            code: "setting-missing",
            blocking: true,
            message: "EnablePublicCloudAccess is not in the output.".into(),
        }),
    }
    match av {
        Some(true) => {}
        Some(false) => issues.push(Issue {
            code: "public-av-disabled",
            blocking: true,
            message: "EnablePublicCloudAudioVideoAccess is False: no audio or video with Windows Live (a hidden setting, only in the Management Shell).".into(),
        }),
        None => issues.push(Issue {
            code: "setting-missing",
            blocking: true,
            message: "EnablePublicCloudAudioVideoAccess is not in the output (Lync 2010 and later have it; an older output?).".into(),
        }),
    }
    let commands = if im == Some(true) && av == Some(true) {
        Vec::new()
    } else {
        vec![format!(
            "Set-CsExternalAccessPolicy -Identity {} -EnablePublicCloudAccess $true -EnablePublicCloudAudioVideoAccess $true",
            identity_arg(scope)
        )]
    };
    let settings = [
        "EnablePublicCloudAccess",
        "EnablePublicCloudAudioVideoAccess",
    ]
    .iter()
    .filter_map(|k| o.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
    .collect();
    ScopeReport {
        scope: scope.to_owned(),
        kind: "external-access-policy",
        settings,
        issues,
        commands,
        source: o.source.clone(),
    }
}

fn media_report(o: &Object, scope: &str) -> ScopeReport {
    let mut issues = Vec::new();
    let mut commands = Vec::new();
    let level = o.get("EncryptionLevel").unwrap_or_default().trim();
    if level.eq_ignore_ascii_case("RequireEncryption") {
        issues.push(Issue {
            code: "encryption-required",
            blocking: true,
            message: "EncryptionLevel is RequireEncryption: Windows Live has no SRTP, so every A/V call fails with SIP 488 Not Acceptable Here, ms-client-diagnostics 52017 \"Encryption levels dont match\". SupportEncryption still prefers encryption and falls back.".into(),
        });
        commands.push(format!(
            "Set-CsMediaConfiguration -Identity {} -EncryptionLevel SupportEncryption",
            identity_arg(scope)
        ));
    }
    let video = o.get("MaxVideoRateAllowed").map(str::trim);
    if let Some(v) = video {
        if !v.eq_ignore_ascii_case("Hd720p15M") {
            issues.push(Issue {
                code: "video-vga",
                blocking: false,
                message: format!(
                    "MaxVideoRateAllowed is {v}: video up to {}; Hd720p15M allows 720p with Windows Live when both ends can (Set-CsMediaConfiguration -Identity {} -MaxVideoRateAllowed Hd720p15M).",
                    match v.to_ascii_lowercase().as_str() {
                        "vga600k" => "640x480",
                        "cif250k" => "352x288",
                        _ => "that rate",
                    },
                    identity_arg(scope)
                ),
            });
        }
    }
    let settings = ["EncryptionLevel", "MaxVideoRateAllowed"]
        .iter()
        .filter_map(|k| o.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
        .collect();
    ScopeReport {
        scope: scope.to_owned(),
        kind: "media-configuration",
        settings,
        issues,
        commands,
        source: o.source.clone(),
    }
}

/// Judges every policy and media configuration found. `None` when the inputs hold
/// neither.
pub fn assess(objects: &[Object]) -> Option<LyncReport> {
    let mut scopes: Vec<ScopeReport> = objects
        .iter()
        .filter_map(|o| {
            let scope = o.get("Identity").unwrap_or("Global").trim().to_owned();
            match kind(o)? {
                Kind::ExternalAccessPolicy => Some(policy_report(o, &scope)),
                Kind::MediaConfiguration => Some(media_report(o, &scope)),
            }
        })
        .collect();
    if scopes.is_empty() {
        return None;
    }
    scopes.sort_by(|a, b| (a.kind, scope_order(&a.scope)).cmp(&(b.kind, scope_order(&b.scope))));
    let scopes_ready = scopes.iter().all(ScopeReport::ready);
    let mut missing = Vec::new();
    if !scopes.iter().any(|s| s.kind == "media-configuration") {
        missing.push("Get-CsMediaConfiguration".to_owned());
    }
    if !scopes.iter().any(|s| s.kind == "external-access-policy") {
        missing.push("Get-CsExternalAccessPolicy".to_owned());
    }
    let ready = scopes_ready && missing.is_empty();
    let verdict = match (scopes_ready, missing.is_empty()) {
        (true, true) => "ready",
        (false, _) => "changes-needed",
        (true, false) => "incomplete",
    };
    let mut reminders = vec![
        "Public IM Connectivity must be provisioned for the organisation (a request to Microsoft) before any of this works.".to_owned(),
        "Changes reach the Front End in about 5 minutes; users then sign out of Lync and back in. Configuration Information (Ctrl + right-click the tray icon) then shows \"AV Encryption Supported\".".to_owned(),
        "The Windows Live user needs Windows Live Messenger 2011 (user agent WLM/15.4 or later).".to_owned(),
    ];
    if !scopes.iter().any(|s| s.kind == "media-configuration") {
        reminders.push("No Get-CsMediaConfiguration output was given: EncryptionLevel (RequireEncryption by default) was not checked.".into());
    }
    if !scopes.iter().any(|s| s.kind == "external-access-policy") {
        reminders.push("No Get-CsExternalAccessPolicy output was given: public IM and A/V access were not checked.".into());
    }
    Some(LyncReport {
        scopes,
        ready,
        missing,
        verdict,
        reminders,
    })
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_list_with_wrapping_and_several_objects() {
        let text = "\r\nIdentity                          : Global\r\nDescription                       : A long description that\r\n                                    wraps here\r\nEnablePublicCloudAccess           : False\r\n\r\nIdentity                          : Tag:AllowWLM\r\nEnablePublicCloudAccess           : True\r\nEnablePublicCloudAudioVideoAccess : True\r\n";
        let objects = parse(text, "policy.txt").unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(
            objects[0].get("description"),
            Some("A long description that wraps here")
        );
        assert_eq!(objects[1].get("Identity"), Some("Tag:AllowWLM"));
    }

    #[test]
    fn csv_as_export_csv_writes_it() {
        let text = "#TYPE Microsoft.Rtc.Management.WritableConfig.Policy.Media.MediaConfiguration\r\n\"Identity\",\"EncryptionLevel\",\"MaxVideoRateAllowed\"\r\n\"Global\",\"RequireEncryption\",\"VGA600K\"\r\n\"Site:Redmond\",\"SupportEncryption\",\"Hd720p15M\"\r\n";
        let objects = parse(text, "media.csv").unwrap();
        assert_eq!(objects.len(), 2);
        let report = assess(&objects).unwrap();
        assert!(!report.ready);
        assert_eq!(
            report.scopes[0].commands,
            ["Set-CsMediaConfiguration -Identity Global -EncryptionLevel SupportEncryption"]
        );
        assert!(report.scopes[1].ready());
        assert!(parse("\"Identity\n", "bad.csv").is_err());
    }

    #[test]
    fn per_user_policies_are_named_without_tag() {
        assert_eq!(identity_arg("Tag:AllowWLM"), "AllowWLM");
        assert_eq!(identity_arg("Site:Redmond"), "Site:Redmond");
        assert_eq!(identity_arg("Global"), "Global");
    }
}
