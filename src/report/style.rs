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

/// Word-wraps `text` (see [`wrap_hanging`]), white space folded.
fn wrap_words(text: &str, first: &str, next: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(first);
    let mut len = visible_len(first);
    let mut empty = true;
    for word in text.split_whitespace() {
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
    fn wrap_keeps_indent_and_width() {
        let w = wrap("aaa bbb ccc ddd", "  ", 9);
        assert_eq!(w, "  aaa bbb\n  ccc ddd\n");
        assert_eq!(wrap("", "  ", 10), "  \n");
    }
}
