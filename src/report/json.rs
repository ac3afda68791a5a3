//! The JSON document of `run` (SPEC.md's fixed core, and more).

use crate::Summary;

/// The summary as a pretty-printed JSON document with a final newline.
pub fn to_json(summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("a summary always serialises");
    s.push('\n');
    s
}
