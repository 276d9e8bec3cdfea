//! `mfgcheck thumbprint`: what a pasted value is.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mfgcheck::policy::look_up;
use mfgcheck::report::{self, Compared};

use super::{
    AllowlistArg, Fatal, Format, FormatArg, PasswordArgs, read_inputs, read_text, with_password,
    write_stdout,
};

pub(super) const EXAMPLES: &str = "\
Examples:
  A value copied from the Windows certificate dialog (invisible marks and all):
    mfgcheck thumbprint \"‎7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44\"

  What Technet printed for DigiCert Global Root CA (it is a serial number):
    mfgcheck thumbprint 083B:E056:9042:46B1:A175:6AC9:5991:C74A

  Is this the certificate I have?
    mfgcheck thumbprint 7C4656C3061F7F4C0D67B319A855F60EBC11FC44 --file federation.pfx

  Several values, one per line, from a file or the clipboard:
    Get-Clipboard | mfgcheck thumbprint -

Unquoted groups of 2 or 4 hex digits (7c 46 56 ...) are read as one value.
Exit status: 0 every value is a SHA-1 or SHA-256 thumbprint (and, with --file, one of your
certificates'), 1 otherwise, 2 a file, the allowlist or the arguments could not be used.";

#[derive(Debug, clap::Args)]
pub(super) struct ThumbprintArgs {
    /// The values, as pasted (quote values with spaces); `-` reads one per line from
    /// standard input.
    #[arg(value_name = "TEXT", required = true)]
    texts: Vec<String>,

    /// Compare with the certificates in this file (any format `check` reads); may be
    /// given several times.
    #[arg(long = "file", value_name = "CERT", help_heading = "Input")]
    files: Vec<PathBuf>,

    #[command(flatten)]
    allowlist: AllowlistArg,

    #[command(flatten)]
    format: FormatArg,

    #[command(flatten)]
    password: PasswordArgs,
}

/// The values to read: lines of standard input for `-`; one value for unquoted groups
/// of hex digits (`7c 46 56 ...` typed without quotes); else each argument.
fn values(texts: &[String]) -> Result<Vec<String>, Fatal> {
    if texts == ["-"] {
        let (_, text) = read_text(Path::new("-"))?;
        let lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if lines.is_empty() {
            return Err(Fatal::of("<stdin>", "no value to read"));
        }
        return Ok(lines);
    }
    let groups = texts.len() > 1
        && texts
            .iter()
            .all(|t| matches!(t.len(), 2 | 4) && t.chars().all(|c| c.is_ascii_hexdigit()));
    Ok(if groups {
        vec![texts.join(" ")]
    } else {
        texts.to_vec()
    })
}

pub(super) fn run(args: ThumbprintArgs) -> Result<ExitCode, Fatal> {
    let allowlist = args.allowlist.load()?;
    let lookups: Vec<_> = values(&args.texts)?
        .iter()
        .map(|v| look_up(v, &allowlist))
        .collect();
    let bundle = if args.files.is_empty() {
        None
    } else {
        let inputs = read_inputs(&args.files, "thumbprint")?;
        Some(with_password(&args.password, |password| {
            mfgcheck::load_bundle(&inputs, password)
        })?)
    };
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let compared = bundle.as_ref().map(|b| Compared {
        pool: &b.pool,
        files: &names,
    });
    let rendered = match args.format.format {
        Format::Text => report::lookup_text(&lookups, &allowlist, compared.as_ref()),
        Format::Json => report::to_text(&report::lookup_json(
            &lookups,
            &allowlist,
            compared.as_ref(),
        )),
    };
    write_stdout(&rendered)?;
    let all_ok = lookups
        .iter()
        .all(|l| report::lookup_ok(l, compared.as_ref()));
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_hex_groups_are_one_value() {
        let args = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            values(&args(&["801D", "62D0", "7B44"])).ok().unwrap(),
            ["801D 62D0 7B44"]
        );
        assert_eq!(values(&args(&["7c", "46"])).ok().unwrap(), ["7c 46"]);
        let two = args(&["7C4656C3061F7F4C0D67B319A855F60EBC11FC44", "AB"]);
        assert_eq!(values(&two).ok().unwrap(), two);
    }
}
