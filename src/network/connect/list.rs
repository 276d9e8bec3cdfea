//! The endpoint list of `scan --connect-list`: one server per line, as a team keeps
//! it in its repository beside its certificates.
//!
//! ```text
//! # Exchange 2010, Contoso
//! mail.contoso.com                       # OWA, EWS, Autodiscover (443)
//! mail.contoso.com:25 starttls=smtp      # transport
//! sip.contoso.com:5061                   # Lync Edge federation
//! 10.0.0.5:443 servername=mail.contoso.com
//! ```

use std::fmt;

use super::{DEFAULT_PORT, Endpoint, StartTls};

/// One line of the list: where to connect, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub endpoint: Endpoint,
    pub starttls: Option<StartTls>,
    pub servername: Option<String>,
}

/// The target as reports name it, like the path of a file: `host:port` and the
/// options that make it a different check (`mail.contoso.com:25 starttls=smtp`).
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.endpoint)?;
        if let Some(s) = self.starttls {
            write!(f, " starttls={s}")?;
        }
        if let Some(name) = &self.servername {
            write!(f, " servername={name}")?;
        }
        Ok(())
    }
}

/// A line that could not be read, with its number (from 1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ListError {
    pub line: usize,
    pub problem: String,
}

/// Reads the list: blank lines and `#` comments (whole lines or after an entry)
/// are skipped; the default port is 443, or 25 with `starttls=smtp`.
pub fn parse_list(text: &str) -> Result<Vec<Target>, ListError> {
    let mut targets = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fail = |problem: String| ListError {
            line: index + 1,
            problem,
        };
        let content = line.split_once('#').map_or(line, |(before, _)| before);
        let mut words = content.split_whitespace();
        let Some(address) = words.next() else {
            continue;
        };
        let mut starttls = None;
        let mut servername = None;
        for word in words {
            match word.split_once('=') {
                Some(("starttls", "smtp")) => starttls = Some(StartTls::Smtp),
                Some(("starttls", other)) => {
                    return Err(fail(format!("starttls={other}: the only protocol is smtp")));
                }
                Some(("servername", name)) if !name.is_empty() => {
                    servername = Some(name.to_owned());
                }
                _ => {
                    return Err(fail(format!(
                        "'{word}': expected starttls=smtp or servername=NAME after the address"
                    )));
                }
            }
        }
        let default_port = match starttls {
            Some(StartTls::Smtp) => 25,
            None => DEFAULT_PORT,
        };
        let endpoint = Endpoint::parse(address, default_port).map_err(|e| fail(e.to_string()))?;
        targets.push(Target {
            endpoint,
            starttls,
            servername,
        });
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn entries_comments_and_options() {
        let text = "# Contoso\r\n\
                    mail.contoso.com   # OWA\r\n\
                    \r\n\
                    mail.contoso.com starttls=smtp\r\n\
                    10.0.0.5:8443 servername=mail.contoso.com starttls=smtp\r\n\
                    [::1]:5061\r\n";
        let targets: Vec<String> = parse_list(text)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            targets,
            [
                "mail.contoso.com:443",
                "mail.contoso.com:25 starttls=smtp",
                "10.0.0.5:8443 starttls=smtp servername=mail.contoso.com",
                "[::1]:5061",
            ]
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        let error = parse_list("a.test\nb.test starttls=imap\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.problem.contains("smtp"), "{error}");
        let error = parse_list("a.test:99999").unwrap_err();
        assert_eq!(error.line, 1);
        assert!(error.problem.contains("port"), "{error}");
        let error = parse_list("a.test sni=x").unwrap_err();
        assert!(error.problem.contains("'sni=x'"), "{error}");
        assert_eq!(parse_list("# nothing\n\n").unwrap(), Vec::new());
    }
}
