//! Text tables for the terminal: each cell padded by one space on both sides, columns
//! separated by one space, and a line of `─` under the header. Widths count display
//! columns, so CJK text lines up.
//!
//! Written by hand because the tables can be large: `okr progress` on 10,000 goal files
//! prints over 100,000 rows, and laying them out with comfy-table took about a quarter
//! of its CPU time (perf).

use super::text::{cut_point, has_unsafe, is_printable_ascii, printable};
use rayon::prelude::*;
use std::borrow::Cow;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// Terminal style of a cell. The escape codes are written only when the table is
/// styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    Bold,
    Green,
    Yellow,
    Red,
    Grey,
}

impl Style {
    fn codes(self) -> Option<(&'static str, &'static str)> {
        match self {
            Style::Plain => None,
            Style::Bold => Some(("\x1b[1m", "\x1b[22m")),
            Style::Green => Some(("\x1b[32m", "\x1b[39m")),
            Style::Yellow => Some(("\x1b[33m", "\x1b[39m")),
            Style::Red => Some(("\x1b[31m", "\x1b[39m")),
            Style::Grey => Some(("\x1b[90m", "\x1b[39m")),
        }
    }
}

/// A table cell. Its text is borrowed where the text exists already, because large
/// tables have a million cells.
pub(crate) struct Cell<'a> {
    text: Cow<'a, str>,
    style: Style,
    /// The text's width in display columns, measured once.
    width: usize,
}

impl<'a> Cell<'a> {
    pub(crate) fn new(text: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::styled(text, Style::Plain)
    }

    /// Makes a cell with `style`. Line breaks and control characters in `text` are
    /// masked, so the cell stays on its line and sends no escape sequences.
    pub(crate) fn styled(text: impl Into<Cow<'a, str>>, style: Style) -> Cell<'a> {
        let text = text.into();
        // Most cells are printable ASCII, which is safe and one column per byte.
        if is_printable_ascii(&text) {
            let width = text.len();
            return Cell { text, style, width };
        }
        if has_unsafe(&text) {
            let text = printable(&text);
            let width = text.width();
            return Cell {
                text: Cow::Owned(text),
                style,
                width,
            };
        }
        let width = text.width();
        Cell { text, style, width }
    }

    /// Makes a cell of text the caller has checked: safe to print and `width` display
    /// columns wide.
    pub(crate) fn measured(text: impl Into<Cow<'a, str>>, style: Style, width: usize) -> Cell<'a> {
        let text = text.into();
        debug_assert!(!has_unsafe(&text) && text.width() == width, "{text:?}");
        Cell { text, style, width }
    }

    /// Cuts the text to `budget` display columns, ending in `…` when cut, as
    /// `truncate` does.
    pub(crate) fn cut(&mut self, budget: usize) {
        if self.width > budget {
            let end = cut_point(&self.text, budget);
            // Cut where the text is, since most cut cells own their text already.
            let text = self.text.to_mut();
            text.truncate(end);
            text.push('…');
            self.width = text.width();
        }
    }
}

/// Rows laid out by one task.
const LAYOUT_CHUNK: usize = 1024;

/// Rows laid out before their text is written, so memory stays bounded.
const LAYOUT_WINDOW: usize = 16 * LAYOUT_CHUNK;

/// A table with a header row.
pub(crate) struct Table<'a> {
    header: Vec<Cell<'a>>,
    rows: Vec<Vec<Cell<'a>>>,
    styled: bool,
}

impl<'a> Table<'a> {
    pub(crate) fn new(header: &[&'a str], styled: bool) -> Table<'a> {
        Table {
            header: header.iter().map(|name| Cell::new(*name)).collect(),
            rows: Vec::new(),
            styled,
        }
    }

    pub(crate) fn add_row(&mut self, row: Vec<Cell<'a>>) {
        self.rows.push(row);
    }

    pub(crate) fn extend(&mut self, rows: Vec<Vec<Cell<'a>>>) {
        self.rows.extend(rows);
    }

    /// Writes the table, each line ended by a newline.
    pub(crate) fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let widest = |mut widths: Vec<usize>, row: &Vec<Cell<'a>>| {
            for (column, cell) in row.iter().enumerate() {
                let width = cell.width;
                match widths.get_mut(column) {
                    Some(widest) => *widest = (*widest).max(width),
                    None => widths.push(width),
                }
            }
            widths
        };
        let header = widest(Vec::new(), &self.header);

        // Large tables are measured and laid out in parallel, then written in order.
        let widths = self.rows.par_iter().fold(|| header.clone(), widest).reduce(
            || header.clone(),
            |a, b| {
                let (mut long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
                for (widest, width) in long.iter_mut().zip(short) {
                    *widest = (*widest).max(width);
                }
                long
            },
        );
        let mut line = String::new();
        self.write_row(&self.header, &widths, &mut line);
        let rule: Vec<String> = widths.iter().map(|width| "─".repeat(width + 2)).collect();
        line.push_str(&rule.join(" "));
        line.push('\n');
        out.write_all(line.as_bytes())?;
        for window in self.rows.chunks(LAYOUT_WINDOW) {
            let text: Vec<String> = window
                .par_chunks(LAYOUT_CHUNK)
                .map(|rows| {
                    let mut text = String::new();
                    for row in rows {
                        self.write_row(row, &widths, &mut text);
                    }
                    text
                })
                .collect();
            for part in text {
                out.write_all(part.as_bytes())?;
            }
        }
        Ok(())
    }

    fn write_row(&self, row: &[Cell<'a>], widths: &[usize], line: &mut String) {
        for (column, &width) in widths.iter().enumerate() {
            if column > 0 {
                line.push(' ');
            }
            line.push(' ');
            let (text, style, text_width) = row.get(column).map_or(("", Style::Plain, 0), |cell| {
                (cell.text.as_ref(), cell.style, cell.width)
            });
            match style.codes().filter(|_| self.styled) {
                Some((on, off)) => {
                    line.push_str(on);
                    line.push_str(text);
                    line.push_str(off);
                }
                None => line.push_str(text),
            }
            let padding = width.saturating_sub(text_width) + 1;
            line.extend(std::iter::repeat_n(' ', padding));
        }
        line.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(table: &Table) -> String {
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pads_columns_to_the_widest_cell() {
        let mut table = Table::new(&["Goal", "Score"], false);
        table.add_row(vec![Cell::new("checkout"), Cell::new("54%")]);
        table.add_row(vec![Cell::new("数据"), Cell::new("7%")]);
        let expected = " Goal       Score \n\
                        ────────── ───────\n \
                        checkout   54%   \n \
                        数据       7%    \n";
        assert_eq!(render(&table), expected);
    }

    #[test]
    fn styles_only_when_asked() {
        let mut plain = Table::new(&["Status"], false);
        plain.add_row(vec![Cell::styled("on-track", Style::Green)]);
        assert!(!render(&plain).contains('\x1b'));
        let mut styled = Table::new(&["Status"], true);
        styled.add_row(vec![Cell::styled("on-track", Style::Green)]);
        assert!(render(&styled).contains(" \x1b[32mon-track\x1b[39m "));
    }

    #[test]
    fn control_characters_are_masked() {
        let mut table = Table::new(&["Reason"], false);
        table.add_row(vec![Cell::new("two\nlines \x1b[31mred")]);
        let text = render(&table);
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(!text.contains('\x1b'), "{text}");
    }

    #[test]
    fn bidirectional_overrides_are_masked() {
        let mut table = Table::new(&["Owner"], false);
        table.add_row(vec![Cell::new("ana\u{202E}olleh\u{2066}")]);
        let text = render(&table);
        assert!(!text.contains('\u{202E}'), "{text}");
        assert!(!text.contains('\u{2066}'), "{text}");
    }

    #[test]
    fn cells_are_cut_as_truncate_cuts() {
        use crate::render::text::truncate;
        let texts = [
            "  kr-1 · Cut checkout time",
            "  kr-2 · 数据驱动的增长",
            "plain ascii",
            "",
            "数据",
            "tab\tand\nbreak",
            "é́ combining",
        ];
        for text in texts {
            for budget in 0..30 {
                let mut cell = Cell::new(text);
                cell.cut(budget);
                let expected = truncate(&printable(text), budget);
                assert_eq!(cell.text, expected, "{text:?} in {budget}");
                assert_eq!(cell.width, expected.width(), "{text:?} in {budget}");
            }
        }
    }

    #[test]
    fn missing_cells_are_blank() {
        let mut table = Table::new(&["A", "B"], false);
        table.add_row(vec![Cell::new("x")]);
        assert_eq!(render(&table).lines().nth(2), Some(" x     "));
    }
}
