//! Objects as PowerShell prints them: `Format-List` (the `| fl` of tickets, wrapped
//! values, blank lines inside a certificate's `[Subject]` blocks, `[PS] C:\>` prompts
//! between outputs), `Format-Table` (the default of `Get-ExchangeCertificate`),
//! `Export-Csv` and `ConvertTo-Json`. Each object keeps the lines it came from, so that
//! whatever is judged from it can point at them.

use std::fmt;

/// One object of a cmdlet's output: its fields in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub fields: Vec<(String, String)>,
    /// The input it came from.
    pub source: String,
    /// The first and last line (from 1) of the input it was read from.
    pub lines: (usize, usize),
}

impl Object {
    /// A field's value; field names compare without case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A field's value when it is not empty.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }
}

/// Why an output could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ShellError {
    pub file: String,
    pub message: String,
}

/// Reads the objects of one text: CSV, JSON, a table or lists, whichever it is. A paste
/// of several outputs (lists and tables between prompts) gives the objects of all.
pub fn parse(text: &str, source: &str) -> Result<Vec<Object>, ShellError> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !is_prompt(l));
    match first {
        Some(l) if l.starts_with("#TYPE") || l.starts_with('"') => parse_csv(text, source),
        Some(l) if l.starts_with('{') || l.starts_with('[') && !l.starts_with("[PS]") => {
            parse_json(text, source)
        }
        _ => Ok(parse_lists_and_tables(text, source)),
    }
}

/// A shell prompt line (`[PS] C:\>Get-...`, `PS C:\Users\admin>`): a new output follows.
fn is_prompt(line: &str) -> bool {
    let l = line.trim_start();
    l.starts_with("[PS]") || (l.starts_with("PS ") && l.contains('>'))
}

/// The console's width, as the longest line of output shows it: Format-List breaks a
/// long value there, even inside a word, so a line that fills it continues on the next
/// without a space. Prompt lines (typed, not printed) do not count.
fn console_width(lines: &[&str]) -> usize {
    // Format-List cuts every long value at the console's width, so the lines followed
    // by a continuation mostly have that length; the most common of them is the width.
    // One longer line (a collection the console did not cut, a line a mail client
    // joined) must not raise it, or a value cut inside a word ("Berli" / "n") would be
    // joined with a stray space.
    let mut lengths: Vec<usize> = lines
        .windows(2)
        .filter_map(|pair| match pair {
            [line, next]
                if !is_prompt(line)
                    && next.starts_with("          ")
                    && key_line(next).is_none() =>
            {
                Some(line.chars().count()).filter(|&n| n >= 60)
            }
            _ => None,
        })
        .collect();
    lengths.sort_unstable();
    let mode = lengths
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| (run.len(), run.first().copied()))
        .and_then(|run| run.first().copied());
    mode.unwrap_or_else(|| {
        lines
            .iter()
            .filter(|l| !is_prompt(l))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    })
}

/// A `Key : value` line of Format-List: a name without spaces at the start of the line.
fn key_line(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let (k, v) = line.split_once(':')?;
    let k = k.trim();
    (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some((k, v))
}

/// The columns of a Format-Table: the header line and the dashes under it.
fn table_columns(header: &str, dashes: &str) -> Option<Vec<(String, usize)>> {
    let trimmed = dashes.trim();
    if trimmed.is_empty() || !trimmed.chars().all(|c| c == '-' || c == ' ') {
        return None;
    }
    let mut columns = Vec::new();
    let mut in_run = false;
    for (i, c) in dashes.char_indices() {
        if c == '-' && !in_run {
            columns.push(i);
        }
        in_run = c == '-';
    }
    let names: Vec<(String, usize)> = columns
        .iter()
        .map(|&start| {
            let name: String = header
                .get(start..)
                .unwrap_or_default()
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            (name, start)
        })
        .collect();
    names.iter().all(|(n, _)| !n.is_empty()).then_some(names)
}

/// Cuts a table row at the columns' starts.
fn table_row(line: &str, columns: &[(String, usize)]) -> Vec<(String, String)> {
    let chars: Vec<char> = line.chars().collect();
    columns
        .iter()
        .enumerate()
        .map(|(i, (name, start))| {
            let end = columns.get(i + 1).map_or(chars.len(), |(_, s)| *s);
            let cell: String = chars
                .get((*start).min(chars.len())..end.min(chars.len()))
                .unwrap_or_default()
                .iter()
                .collect();
            (name.clone(), cell.trim().to_owned())
        })
        .collect()
}

fn parse_lists_and_tables(text: &str, source: &str) -> Vec<Object> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let width = console_width(&lines);
    let full = |line: &str| width >= 60 && line.chars().count() >= width;
    let mut objects = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut first_line = 0;
    let mut last_line = 0;
    let finish = |objects: &mut Vec<Object>, fields: &mut Vec<(String, String)>, first, last| {
        if !fields.is_empty() {
            objects.push(Object {
                fields: std::mem::take(fields),
                source: source.to_owned(),
                lines: (first, last),
            });
        }
    };
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        let number = i + 1;
        if is_prompt(line) {
            finish(&mut objects, &mut fields, first_line, last_line);
            i += 1;
            continue;
        }
        // A table: a header, a line of dashes, then one row per object.
        if fields.is_empty()
            && let Some(columns) = lines.get(i + 1).and_then(|d| table_columns(line, d))
        {
            let mut j = i + 2;
            while let Some(&row) = lines.get(j) {
                if row.trim().is_empty() || is_prompt(row) {
                    break;
                }
                objects.push(Object {
                    fields: table_row(row, &columns),
                    source: source.to_owned(),
                    lines: (j + 1, j + 1),
                });
                j += 1;
            }
            i = j;
            continue;
        }
        if line.trim().is_empty() {
            // A blank line inside a value (a certificate's [Subject] ... [Thumbprint]
            // blocks) is followed by an indented line. One blank line before a key may
            // be the end of such a value or the end of the object: a key the object has
            // already tells (below). Two or more end the object.
            let blanks = lines
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|l| l.trim().is_empty())
                .count();
            let next = lines.get(i + blanks);
            let inside_value = !fields.is_empty()
                && next
                    .is_some_and(|l| l.starts_with(char::is_whitespace) && key_line(l).is_none());
            if inside_value {
                if let Some((_, value)) = fields.last_mut() {
                    value.push('\n');
                }
            } else if blanks >= 2 || next.is_none_or(|l| key_line(l).is_none()) {
                finish(&mut objects, &mut fields, first_line, last_line);
            }
            i += blanks;
            continue;
        }
        if let Some((key, value)) = key_line(line) {
            // A key the object already has: the next object has begun.
            if fields.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
                finish(&mut objects, &mut fields, first_line, last_line);
            }
            if fields.is_empty() {
                first_line = number;
            }
            fields.push((key.to_owned(), value.trim().to_owned()));
            last_line = number;
        } else if let Some((_, value)) = fields.last_mut() {
            // A wrapped value: Format-List continues it on an indented line.
            let more = line.trim();
            let cut = i
                .checked_sub(1)
                .and_then(|p| lines.get(p))
                .is_some_and(|prev| full(prev));
            if !value.is_empty() && !cut && !value.ends_with(['/', '\\', '-', '\n']) {
                value.push(' ');
            }
            value.push_str(more);
            last_line = number;
        }
        i += 1;
    }
    finish(&mut objects, &mut fields, first_line, last_line);
    objects
}

/// RFC 4180 CSV, as `Export-Csv` writes it (an optional `#TYPE` line first).
fn parse_csv(text: &str, source: &str) -> Result<Vec<Object>, ShellError> {
    let mut rows: Vec<(Vec<String>, usize)> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut at_line_start = true;
    let mut line = 1;
    let mut row_line = 1;
    while let Some(c) = chars.next() {
        if at_line_start && !quoted && c == '#' {
            // `#TYPE ...` or a comment: skip the line.
            for c in chars.by_ref() {
                if c == '\n' {
                    line += 1;
                    break;
                }
            }
            row_line = line;
            continue;
        }
        at_line_start = false;
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                if row.iter().any(|f| !f.is_empty()) {
                    rows.push((std::mem::take(&mut row), row_line));
                } else {
                    row.clear();
                }
                line += 1;
                row_line = line;
                at_line_start = true;
            }
            (c, _) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if quoted {
        return Err(ShellError {
            file: source.to_owned(),
            message: "CSV: a quoted value is not closed".into(),
        });
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row, row_line));
    }
    let mut rows = rows.into_iter();
    let Some((header, _)) = rows.next() else {
        return Ok(Vec::new());
    };
    Ok(rows
        .map(|(values, at)| Object {
            fields: header.iter().cloned().zip(values).collect(),
            source: source.to_owned(),
            lines: (at, at),
        })
        .collect())
}

/// `ConvertTo-Json`: one object or an array of them. Nested values are flattened to
/// text the way Format-List would print them; PowerShell 5's `"\/Date(ms)\/"` dates
/// become ISO 8601.
fn parse_json(text: &str, source: &str) -> Result<Vec<Object>, ShellError> {
    let value: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| ShellError {
        file: source.to_owned(),
        message: format!("JSON: {e}"),
    })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    let last = text.lines().count().max(1);
    Ok(items
        .into_iter()
        .filter_map(|item| match item {
            serde_json::Value::Object(map) => Some(Object {
                fields: map.into_iter().map(|(k, v)| (k, json_text(&v))).collect(),
                source: source.to_owned(),
                lines: (1, last),
            }),
            _ => None,
        })
        .collect())
}

fn json_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => match s
            .strip_prefix("/Date(")
            .and_then(|r| r.strip_suffix(")/"))
            .and_then(|ms| ms.split(['+', '-']).next())
            .and_then(|ms| ms.parse::<i64>().ok())
            .and_then(|ms| time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok())
        {
            Some(t) => t
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| s.clone()),
            None => s.clone(),
        },
        Value::Array(items) => format!(
            "{{{}}}",
            items.iter().map(json_text).collect::<Vec<_>>().join(", ")
        ),
        // A nested object (a certificate, an enum as {value, Value}): its fields.
        Value::Object(map) => map
            .get("value")
            .or_else(|| map.get("Value"))
            .map(json_text)
            .unwrap_or_else(|| {
                map.iter()
                    .map(|(k, v)| format!("{k}={}", json_text(v)))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
    }
}

/// `text` with the values Format-List cut at the console's width put back together:
/// a line that fills the width, followed by a deeply indented line, continues on it
/// without a space (the cut may fall inside a word: `Cry` / `ptographicException`).
pub fn dewrap(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let width = console_width(&lines);
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        let continued = i > 0
            && width >= 60
            && line.starts_with("          ")
            && lines
                .get(i - 1)
                .is_some_and(|prev| prev.chars().count() >= width);
        if continued {
            out.pop();
            out.push_str(line.trim_start());
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// A `{a, b, c...}` collection as PowerShell prints it: the items, and whether the
/// console cut the list short (`...`).
pub fn collection(value: &str) -> (Vec<String>, bool) {
    let inner = value.trim().trim_start_matches('{').trim_end_matches('}');
    let cut = inner.trim_end().ends_with("...");
    let inner = inner.trim_end().trim_end_matches("...");
    let items = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (items, cut)
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} lines {}-{}", self.source, self.lines.0, self.lines.1)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn lists_with_wrapped_values_blank_lines_inside_and_prompts() {
        let text = "[PS] C:\\>Get-FederationTrust | fl\r\n\
                    \r\n\
                    Name           : Microsoft Federation Gateway\r\n\
                    OrgCertificate : [Subject]\r\n\
                    \x20                  CN=Federation\r\n\
                    \r\n\
                    \x20                [Thumbprint]\r\n\
                    \x20                  0123\r\n\
                    TokenIssuerUri : uri:WindowsLiveID\r\n\
                    \r\n\
                    [PS] C:\\>Test-FederationTrust\r\n\
                    \r\n\
                    RunspaceId : 1\r\n\
                    Id         : StsCertificate\r\n\
                    Type       : Error\r\n\
                    Message    : The certificate has expired\r\n\
                    \x20            yesterday.\r\n\
                    RunspaceId : 1\r\n\
                    Id         : TokenRequest\r\n";
        let objects = parse(text, "paste").unwrap();
        assert_eq!(objects.len(), 3, "{objects:#?}");
        assert_eq!(objects[0].get("TokenIssuerUri"), Some("uri:WindowsLiveID"));
        assert_eq!(
            objects[0].get("OrgCertificate"),
            Some("[Subject] CN=Federation\n[Thumbprint] 0123")
        );
        assert_eq!(objects[0].lines, (3, 9));
        assert_eq!(
            objects[1].get("Message"),
            Some("The certificate has expired yesterday.")
        );
        assert_eq!(objects[2].get("Id"), Some("TokenRequest"));
    }

    #[test]
    fn a_value_cut_at_the_console_width_joins_without_a_space() {
        let text = "Issuer             : CN=COMODO High-Assurance Secure Server CA, O=COMODO CA Limited, L=Salford, S=G\n\
             \x20                    reater Manchester, C=GB\n\
             Subject            : CN=mail.contoso.com, OU=IT,\n\
             \x20                    O=Contoso\n";
        let objects = parse(text, "p").unwrap();
        assert_eq!(
            objects[0].get("Issuer"),
            Some(
                "CN=COMODO High-Assurance Secure Server CA, O=COMODO CA Limited, L=Salford, S=Greater Manchester, C=GB"
            )
        );
        assert_eq!(
            objects[0].get("Subject"),
            Some("CN=mail.contoso.com, OU=IT, O=Contoso")
        );
    }

    #[test]
    fn tables_csv_and_json() {
        let table = "Thumbprint                                Services   Subject\n\
                     ----------                                --------   -------\n\
                     7C4656C3061F7F4C0D67B319A855F60EBC11FC44  IP.WS..    CN=mail.contoso.com\n\
                     0123456789ABCDEF0123456789ABCDEF01234567  .....      CN=Federation\n";
        let rows = parse(table, "t").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].get("Subject"), Some("CN=Federation"));
        assert_eq!(rows[0].lines, (3, 3));

        let csv = "#TYPE Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate\n\
                   \"Thumbprint\",\"Subject\"\n\"7C46\",\"CN=a, O=b\"\n";
        let rows = parse(csv, "c").unwrap();
        assert_eq!(rows[0].get("Subject"), Some("CN=a, O=b"));
        assert_eq!(rows[0].lines, (3, 3));

        let json = r#"[{"Thumbprint":"7C46","NotAfter":"\/Date(1363287599000)\/","HasPrivateKey":true,"CertificateDomains":[{"Address":"mail.contoso.com"}]}]"#;
        let rows = parse(json, "j").unwrap();
        assert_eq!(rows[0].get("NotAfter"), Some("2013-03-14T18:59:59Z"));
        assert_eq!(rows[0].get("HasPrivateKey"), Some("True"));
    }

    #[test]
    fn collections_cut_by_the_console() {
        assert_eq!(
            collection("{mail.contoso.com, autodiscover.contoso.com, contoso.com...}"),
            (
                vec![
                    "mail.contoso.com".to_owned(),
                    "autodiscover.contoso.com".to_owned(),
                    "contoso.com".to_owned()
                ],
                true
            )
        );
    }
}
