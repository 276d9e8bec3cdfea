//! SMTP up to STARTTLS (RFC 3207): the greeting, EHLO, STARTTLS, and the 220 that
//! hands the connection to TLS. Exchange's transport serves its certificate there.

use std::io::{BufRead, BufReader, Read, Write};

use super::Problem;

/// The longest reply line read, and the most lines of one reply: a server that
/// talks more is not an SMTP server worth waiting for.
const MAX_LINE: usize = 4096;
const MAX_LINES: usize = 100;

/// One reply: its code and its lines (text after the code).
struct Reply {
    code: u16,
    lines: Vec<String>,
}

fn read_reply(reader: &mut impl BufRead) -> Result<Reply, Problem> {
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader
            .by_ref()
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .map_err(Problem::from_io)?;
        if n == 0 {
            return Err(Problem::Closed("the SMTP conversation".into()));
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        let code = text
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| Problem::NotSmtp(text.chars().take(60).collect()))?;
        let more = text.as_bytes().get(3) == Some(&b'-');
        lines.push(text.get(4..).unwrap_or_default().to_owned());
        if !more {
            return Ok(Reply { code, lines });
        }
        if lines.len() >= MAX_LINES {
            return Err(Problem::NotSmtp("a reply of more than 100 lines".into()));
        }
    }
}

/// `reply` when it has `code`; else the refusal, saying which step it answered.
fn expect(reply: Reply, code: u16, step: &str) -> Result<Reply, Problem> {
    if reply.code == code {
        return Ok(reply);
    }
    Err(Problem::StartTlsRefused(format!(
        "{step} answered {} {}",
        reply.code,
        reply.lines.join(" ")
    )))
}

/// Runs the conversation on `stream` until the server is ready for TLS.
pub(super) fn starttls<S: Read + Write>(stream: &mut S) -> Result<(), Problem> {
    let mut reader = BufReader::with_capacity(MAX_LINE, &mut *stream);
    expect(read_reply(&mut reader)?, 220, "the greeting")?;
    // Nothing is buffered past a reply: the server waits for our command.
    drop(reader);
    stream
        .write_all(b"EHLO mfgcheck.invalid\r\n")
        .map_err(Problem::from_io)?;
    let mut reader = BufReader::with_capacity(MAX_LINE, &mut *stream);
    let ehlo = expect(read_reply(&mut reader)?, 250, "EHLO")?;
    drop(reader);
    let offered = ehlo
        .lines
        .iter()
        .any(|l| l.trim().eq_ignore_ascii_case("STARTTLS"));
    if !offered {
        return Err(Problem::StartTlsNotOffered);
    }
    stream
        .write_all(b"STARTTLS\r\n")
        .map_err(Problem::from_io)?;
    // Read the answer byte by byte: whatever follows it is the TLS handshake's.
    let mut reader = BufReader::with_capacity(1, &mut *stream);
    expect(read_reply(&mut reader)?, 220, "STARTTLS")?;
    Ok(())
}
