//! Colours and wrapping shared by the text renderers.

use anstyle::{AnsiColor, Style};

pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const GREEN: Style = AnsiColor::Green.on_default();
pub(crate) const RED: Style = AnsiColor::Red.on_default();
pub(crate) const YELLOW: Style = AnsiColor::Yellow.on_default();

pub(crate) fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// A list item: `indent- text`, continuation lines indented under the text.
pub(crate) fn wrap_item(text: &str, indent: &str, width: usize) -> String {
    let body = wrap(text, &format!("{indent}  "), width);
    let start = indent.len() + 2;
    format!("{indent}- {}", body.get(start..).unwrap_or_default())
}

/// A row `indent label value`: the label dimmed and padded to `column` characters, the
/// value wrapping under itself. The key-value views of inspect, allowlist and triage.
pub(crate) fn labelled(
    indent: usize,
    label: &str,
    column: usize,
    value: &str,
    width: usize,
) -> String {
    let first = format!(
        "{:indent$}{} ",
        "",
        paint(DIM, &format!("{label:<column$}"))
    );
    wrap_hanging(value, &first, &" ".repeat(indent + column + 1), width)
}

/// Commands on lines of their own, after the words that say what they do, never
/// wrapped: a wrapped command pasted into a shell runs as two.
pub(crate) fn command_lines(out: &mut String, commands: &[String], indent: &str) {
    for c in commands {
        out.push_str(indent);
        out.push_str(&paint(BOLD, c));
        out.push('\n');
    }
}

/// Word-wraps `text` to `width` columns, every line starting with `indent`.
pub(crate) fn wrap(text: &str, indent: &str, width: usize) -> String {
    wrap_hanging(text, indent, indent, width)
}

/// Columns a string takes on screen: colour escape sequences take none.
pub(crate) fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

/// Word-wraps `text` to `width` columns: the first line starts with `first`, the
/// others with `next` (a tree's rail, a list's hanging indent). A word longer than
/// the line (a thumbprint, a URL) stands alone rather than being cut.
pub(crate) fn wrap_hanging(text: &str, first: &str, next: &str, width: usize) -> String {
    // A line that fits is kept as it is, its spacing included.
    if !text.contains('\n') && visible_len(first) + visible_len(text) <= width {
        return format!("{first}{text}\n");
    }
    // Columns set apart by two spaces ("SHA-1 ...  RSA 2048  sha1RSA  dates") break
    // between columns, not inside one.
    let columns: Vec<&str> = text
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if columns.len() > 1 && !text.contains('\n') {
        let mut out = String::new();
        let mut line = String::from(first);
        let mut start = true;
        for column in columns {
            let fits = visible_len(&line) + 2 + visible_len(column) <= width;
            if start || fits {
                if !start {
                    line.push_str("  ");
                }
                line.push_str(column);
                start = false;
                continue;
            }
            push_line(&mut out, &line, next, width);
            line = format!("{next}{column}");
        }
        push_line(&mut out, &line, next, width);
        return out;
    }
    wrap_words(text, first, next, width)
}

/// Adds one assembled line; one that is still too long (a single long column) is
/// word-wrapped after its prefix.
fn push_line(out: &mut String, line: &str, next: &str, width: usize) {
    if visible_len(line) <= width {
        out.push_str(line);
        out.push('\n');
        return;
    }
    let body = line.strip_prefix(next).unwrap_or(line);
    let prefix = &line[..line.len() - body.len()];
    out.push_str(&wrap_words(body, prefix, next, width));
}

/// Where a command to paste starts: the cmdlets and tools the fixes name.
const COMMANDS: &[&str] = &[
    "New-FederationTrust",
    "Set-FederationTrust",
    "Get-FederationTrust",
    "Test-FederationTrust",
    "Test-FederationTrustCertificate",
    "Remove-FederationTrust",
    "New-ExchangeCertificate",
    "Get-ExchangeCertificate",
    "Import-ExchangeCertificate",
    "Export-ExchangeCertificate",
    "Enable-ExchangeCertificate",
    "Export-PfxCertificate",
    "Set-CsExternalAccessPolicy",
    "Set-CsMediaConfiguration",
    "Grant-CsExternalAccessPolicy",
    "certutil",
    "openssl",
    "mfgcheck",
];

/// The words `mfgcheck` and `openssl` take first when they are a command, not prose
/// ("mfgcheck cannot tell").
const SUBCOMMANDS: &[&str] = &[
    "check",
    "inspect",
    "bundle",
    "thumbprint",
    "allowlist",
    "scan",
    "triage",
    "serve",
    "lync",
    "pkcs12",
    "x509",
    "verify",
    "req",
];

/// Whether `word`, followed by `after` and `then`, starts a command to paste: a cmdlet
/// or tool of [`COMMANDS`] followed by a parameter, a pipe or a placeholder, or by a
/// subcommand that is followed by an argument in turn ("mfgcheck check cert.cer", not
/// "mfgcheck thumbprint shows ...").
fn starts_command(word: &str, after: Option<&str>, then: Option<&str>) -> bool {
    let Some(after) = after else {
        return false;
    };
    let argument = |w: &str| {
        w.starts_with(['-', '|', '<', '"'])
            || w.contains(['.', '/', '\\'])
            || ["list", "show", "search", "lint"].contains(&w)
    };
    COMMANDS.contains(&word)
        && (after.starts_with(['-', '|', '<', '"'])
            || (SUBCOMMANDS.contains(&after.trim_end_matches([',', '.', ';', ':']))
                && then.is_none_or(argument)))
}

/// The words of `text`, white space folded, with each command to paste kept whole as
/// one word: a reader who pastes half a wrapped command runs the cmdlet without its
/// thumbprint. A command runs to the end of its clause: a word ending in `,`, `;`, `:`
/// or `.` (outside quotes and parentheses of its own), or before a parenthesis of prose.
fn words(text: &str) -> Vec<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let all: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::with_capacity(all.len());
    let mut i = 0;
    while let Some(&word) = all.get(i) {
        if !starts_command(word, all.get(i + 1).copied(), all.get(i + 2).copied()) {
            out.push(Cow::Borrowed(word));
            i += 1;
            continue;
        }
        let mut span = String::from(word);
        let (mut quoted, mut depth) = (false, 0i32);
        i += 1;
        while let Some(&next) = all.get(i) {
            let prose = !quoted
                && depth == 0
                && next.starts_with('(')
                && next.chars().nth(1).is_some_and(char::is_lowercase);
            if prose {
                break;
            }
            span.push(' ');
            span.push_str(next);
            i += 1;
            for c in next.chars() {
                match c {
                    '"' => quoted = !quoted,
                    '(' if !quoted => depth += 1,
                    ')' if !quoted => depth -= 1,
                    _ => {}
                }
            }
            let ends = next.ends_with([',', ';', '.', ':']) || (next.ends_with(')') && depth < 0);
            if !quoted && depth <= 0 && ends {
                break;
            }
        }
        out.push(Cow::Owned(span));
    }
    out
}

/// Word-wraps `text` (see [`wrap_hanging`]), white space folded; a command to paste is
/// one word ([`words`]), on a line of its own when it does not fit beside the others.
fn wrap_words(text: &str, first: &str, next: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(first);
    let mut len = visible_len(first);
    let mut empty = true;
    for word in words(text) {
        let word = word.as_ref();
        let w = visible_len(word);
        if !empty && len + 1 + w > width {
            out.push_str(&line);
            out.push('\n');
            line = String::from(next);
            len = visible_len(next);
            empty = true;
        }
        if !empty {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn hanging_wrap_and_colour_codes_take_no_width() {
        let w = super::wrap_hanging("aa bb cc", "> ", "  ", 7);
        assert_eq!(w, "> aa bb\n  cc\n");
        let red = super::paint(super::RED, "xx");
        assert_eq!(
            super::wrap(&format!("{red} yy"), "", 5),
            format!("{red} yy\n")
        );
    }

    #[test]
    fn commands_to_paste_are_never_broken() {
        let fix = "Move the trust: Set-FederationTrust -Identity \"Microsoft Federation Gateway\" -Thumbprint <new thumbprint>, then run it again. mfgcheck cannot tell.";
        let w = wrap(fix, "  ", 30);
        assert!(
            w.lines().any(|l| l.trim()
                == "Set-FederationTrust -Identity \"Microsoft Federation Gateway\" -Thumbprint <new thumbprint>,"),
            "{w}"
        );
        // Prose that names a tool is wrapped as prose.
        assert!(
            w.contains("mfgcheck\n") || w.contains("mfgcheck cannot"),
            "{w}"
        );
        let w = wrap(
            "Export it: Export-ExchangeCertificate -Thumbprint <t> -BinaryEncoded -Password (Get-Credential).Password, or the console (\"Yes\").",
            "",
            20,
        );
        assert!(
            w.lines().any(|l| l
                == "Export-ExchangeCertificate -Thumbprint <t> -BinaryEncoded -Password (Get-Credential).Password,"),
            "{w}"
        );
        let w = wrap(
            "Create it: New-FederationTrust -Name \"X\" -Thumbprint AB (type it, or copy it).",
            "",
            20,
        );
        assert!(
            w.lines()
                .any(|l| l == "New-FederationTrust -Name \"X\" -Thumbprint AB"),
            "{w}"
        );
    }

    #[test]
    fn wrap_keeps_indent_and_width() {
        let w = wrap("aaa bbb ccc ddd", "  ", 9);
        assert_eq!(w, "  aaa bbb\n  ccc ddd\n");
        assert_eq!(wrap("", "  ", 10), "  \n");
    }
}
