//! Goal file text as read from disk (or from a git blob), with the byte order mark
//! removed, and the mapping from byte offsets to 1-based line and column.

use std::ops::Range;
use std::sync::OnceLock;

/// One file's text. Offsets everywhere in the program index `text`, which never
/// starts with a byte order mark, so columns count from after it.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Path relative to the repository root, with `/` separators.
    pub(crate) path: String,
    /// Owned, not shared: the text of every goal file is kept for the whole run, and a
    /// shared copy would mean copying each file once more after reading it.
    pub(crate) text: String,
    /// Offsets where lines start, computed on the first `position` call because most
    /// files never need them.
    line_starts: OnceLock<Vec<usize>>,
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl SourceFile {
    pub(crate) fn new(path: String, text: &str) -> Self {
        SourceFile::owned(path, text.to_owned())
    }

    /// Keeps `text` as it is, without its byte order mark.
    fn owned(path: String, mut text: String) -> Self {
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        SourceFile {
            path,
            text,
            line_starts: OnceLock::new(),
        }
    }

    /// Decodes raw bytes. For a file that is not UTF-8 it returns the path and bytes
    /// back with the offset of the first bad byte.
    pub(crate) fn from_bytes(
        path: String,
        bytes: Vec<u8>,
    ) -> Result<Self, (String, Vec<u8>, usize)> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::owned(path, text)),
            Err(error) => {
                let offset = error.utf8_error().valid_up_to();
                Err((path, error.into_bytes(), offset))
            }
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
            starts
        })
    }

    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = line_starts[line];
        let column = self.text[line_start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        Position {
            line: line + 1,
            column: column + 1,
        }
    }

    /// Returns the byte offset where the 1-based `line` starts (the text's end past the
    /// last line).
    pub(crate) fn line_start(&self, line: usize) -> usize {
        let starts = self.line_starts();
        starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Clamps a span into the text so renderers never slice out of bounds.
    pub(crate) fn clamp(&self, span: Range<usize>) -> Range<usize> {
        let end = span.end.min(self.text.len());
        span.start.min(end)..end
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_characters_after_bom() {
        let file = SourceFile::new("a.toml".into(), "\u{feff}a = 1\r\n标题 = \"x\"\n");
        assert_eq!(file.position(0), Position { line: 1, column: 1 });
        let offset = file.text.find('=').unwrap();
        assert_eq!(file.position(offset).column, 3);
        let second = file.text.rfind('=').unwrap();
        assert_eq!(file.position(second), Position { line: 2, column: 4 });
    }

    #[test]
    fn position_past_end_is_clamped() {
        let file = SourceFile::new("a.toml".into(), "ab");
        assert_eq!(file.position(99), Position { line: 1, column: 3 });
    }
}
