//! The JSON document of `run` (SPEC.md's fixed core, and more).
//!
//! [`write_json`] streams it to any writer (standard output, a file), so the document is
//! never held in memory whole; every character a terminal could act on (controls,
//! bidirectional overrides: [`crate::error::is_unprintable`]) is written as a JSON
//! `\uXXXX` escape, so the output is safe to print and still valid JSON.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::Summary;
use crate::error::is_unprintable;

/// Writes the summary as pretty-printed JSON with a final newline.
pub fn write_json<W: Write>(summary: &Summary, out: W) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Printable::new());
    summary.serialize(&mut serializer).map_err(io::Error::other)?;
    serializer.into_inner().write_all(b"\n")
}

/// The summary as a pretty-printed JSON document with a final newline.
pub fn to_json(summary: &Summary) -> String {
    let mut bytes = Vec::new();
    write_json(summary, &mut bytes).expect("a summary always serialises");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// Any value as a pretty-printed JSON document with a final newline, its unprintable
/// characters escaped as in [`write_json`]: the documents of `staff`, `compare` and
/// `erlang`.
pub fn to_pretty_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, Printable::new());
    value.serialize(&mut serializer).expect("a report always serialises");
    bytes.push(b'\n');
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// serde_json's pretty printer (two spaces a level, the same bytes), with unprintable
/// characters in strings escaped, and each line break written with its indentation in
/// one piece (a long run's document has a million of them).
struct Printable {
    depth: usize,
    has_value: bool,
    /// `",\n"` and as many spaces as the deepest indentation yet.
    breaks: Vec<u8>,
}

impl Printable {
    fn new() -> Printable {
        Printable {
            depth: 0,
            has_value: false,
            breaks: b",\n".to_vec(),
        }
    }

    /// A line break (after a comma with `comma`) and the current indentation.
    fn line<W: ?Sized + Write>(&mut self, writer: &mut W, comma: bool) -> io::Result<()> {
        let end = 2 + 2 * self.depth;
        if self.breaks.len() < end {
            self.breaks.resize(end, b' ');
        }
        writer.write_all(&self.breaks[usize::from(!comma)..end])
    }
}

impl Formatter for Printable {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        // Keys and most names are printable ASCII: one pass over the bytes decides.
        let ascii = fragment.bytes().all(|b| (0x20..0x7f).contains(&b));
        if ascii || !fragment.chars().any(is_unprintable) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut buf = [0u8; 4];
        for c in fragment.chars() {
            if is_unprintable(c) {
                // Every unprintable character lies in the Basic Multilingual Plane.
                write!(writer, "\\u{:04x}", c as u32)?;
            } else {
                writer.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            }
        }
        Ok(())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(writer, false)?;
        }
        writer.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.line(writer, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(writer, false)?;
        }
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.line(writer, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_is_serde_jsons_pretty_printers() {
        let value = serde_json::json!({
            "a": [1, [], {}, [2, [3, {"b": null}]], {"c": {"d": [true, false]}}],
            "e": {},
            "f": "text",
            "g": {"h": [], "i": [{}], "j": 1.5}
        });
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, Printable::new());
        value.serialize(&mut serializer).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    #[test]
    fn unprintable_characters_are_json_escapes() {
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, Printable::new());
        ["a\u{1b}[2J", "b\u{202e}c", "d\u{85}", "plain é ✓"]
            .serialize(&mut serializer)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(r#""a\u001b[2J""#) && text.contains(r#""b\u202ec""#) && text.contains(r#""d\u0085""#),
            "{text}"
        );
        assert!(text.contains("\"plain é ✓\""), "{text}");
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, ["a\u{1b}[2J", "b\u{202e}c", "d\u{85}", "plain é ✓"]);
    }

    #[test]
    fn every_document_escapes_alike_and_ends_with_a_newline() {
        // staff's, compare's and erlang's documents: serde_json's pretty layout, with
        // unprintable characters escaped, so the terminal never sees them raw.
        let value = serde_json::json!({ "name": "b\u{202e}c", "n": [1.5, 2] });
        let text = to_pretty_json(&value);
        assert_eq!(
            text,
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value)
                    .unwrap()
                    .replace('\u{202e}', "\\u202e")
            )
        );
        assert!(text.contains(r#""b\u202ec""#) && !text.contains('\u{202e}'), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }
}
