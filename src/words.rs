//! Default word lists and the text tests that rules share: words, inflections,
//! CJK detection. Rules built on these lists default to `warn` because lists misfire.

mod numbers;

use std::borrow::Cow;

pub(crate) use numbers::{changes, measured_amount};

/// Vague words and bare comparatives (English and Chinese); okr.toml may add or remove.
/// "more" and "less" are left out because precise titles use them ("no more than").
pub(crate) const VAGUE: &[&str] = &[
    "improve",
    "enhance",
    "optimize",
    "optimise",
    "boost",
    "strengthen",
    "streamline",
    "better",
    "faster",
    "fewer",
    "easier",
    "simpler",
    "smoother",
    "cheaper",
    "提升",
    "优化",
    "改进",
    "改善",
    "加强",
    "增强",
    "完善",
    "更好",
    "更快",
    "更少",
    "更稳定",
    "更简单",
];

/// Output verbs: a title led by one describes an activity, not an outcome.
pub(crate) const TASK_VERBS: &[&str] = &[
    "launch", "ship", "release", "publish", "deploy", "set up", "organise", "organize", "hold",
    "hire", "write", "document", "conduct", "build", "上线", "发布", "完成", "招聘", "组织",
    "举办", "编写",
];

/// Units that make a number in an objective title a metric. Words match whole, with
/// a plural -s; CJK units match right after the number. Magnitudes such as "k" and
/// "万" are left out because "10k customers" is a count.
pub(crate) const UNITS: &[&str] = &[
    "ms", "s", "sec", "second", "min", "minute", "h", "hr", "hour", "day", "week", "month", "kb",
    "mb", "gb", "tb", "pp", "x", "rps", "qps", "毫秒", "秒", "分钟", "小时", "天", "个月", "倍",
    "元", "美元",
];

/// Currency signs and codes: touching a digit, they make a number a metric.
pub(crate) const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥', '￥', '₹'];
pub(crate) const CURRENCY_CODES: &[&str] = &["usd", "eur", "gbp", "jpy", "cny", "rmb"];

/// The placeholder values `okr new` writes into a new goal file. `okr new` takes its
/// placeholders from this list, so `placeholder-text` finds every one left in place.
pub(crate) const NEW_FILE_PLACEHOLDERS: &[&str] = &[
    "objective-id",
    "key-result-id",
    "Objective title",
    "Key result title",
    "Initiative title",
    "owner-name",
];

/// Verbs whose direction is unambiguous, for `direction-mismatch`.
pub(crate) const UP_VERBS: &[&str] = &["increase", "raise", "grow", "double", "提高", "增加"];
pub(crate) const DOWN_VERBS: &[&str] = &["reduce", "cut", "lower", "halve", "降低", "减少"];

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// A title is CJK when most of its letters are CJK characters.
pub(crate) fn is_cjk_title(title: &str) -> bool {
    // CJK characters are outside ASCII, and most titles are ASCII.
    if title.is_ascii() {
        return false;
    }
    let letters = title.chars().filter(|c| c.is_alphabetic()).count();
    let cjk = title.chars().filter(|c| is_cjk(*c)).count();
    letters > 0 && cjk * 2 > letters
}

pub(crate) fn cjk_count(title: &str) -> usize {
    if title.is_ascii() {
        return 0;
    }
    title.chars().filter(|c| is_cjk(*c)).count()
}

/// Returns the first `count` whitespace-separated words, lowercased, with surrounding
/// punctuation stripped. Words already in lowercase are borrowed, so most titles
/// allocate only the list.
fn first_words(title: &str, count: usize) -> Vec<Cow<'_, str>> {
    if title.is_ascii() {
        return first_ascii_words(title, count);
    }
    first_unicode_words(title, count)
}

fn first_unicode_words(title: &str, count: usize) -> Vec<Cow<'_, str>> {
    title
        .split_whitespace()
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric() && c != '%'))
        .filter(|word| !word.is_empty())
        .take(count)
        .map(lowercase)
        .collect()
}

/// True when `word` is `base` or one of its plain inflections (-s, -es, -ed, -d, -ing).
pub(crate) fn inflects(word: &str, base: &str) -> bool {
    if word == base {
        return true;
    }
    let Some(rest) = word.strip_prefix(base) else {
        let stem = base.strip_suffix('e').unwrap_or("");
        return !stem.is_empty() && word.strip_prefix(stem) == Some("ing");
    };
    if matches!(rest, "s" | "es" | "ed" | "d" | "ing") {
        return true;
    }
    // A doubled last consonant: "shipped", "shipping".
    base.chars().last().is_some_and(|last| {
        rest.strip_prefix(last)
            .is_some_and(|ending| ending == "ed" || ending == "ing")
    })
}

/// A word list prepared once for matching many titles: each entry lowercased and
/// marked as CJK or not, so that matching a title does not redo that for every entry.
pub(crate) struct WordList<'w> {
    entries: Vec<ListEntry<'w>>,
    /// The largest number of words in one entry.
    longest: usize,
}

struct ListEntry<'w> {
    /// The entry as the list gives it, for messages.
    text: &'w str,
    lowercase: Cow<'w, str>,
    /// True when the lowercased entry contains a CJK character, so that it matches as a
    /// substring of the title rather than as whole words.
    cjk: bool,
}

impl<'w> ListEntry<'w> {
    fn new(text: &'w str) -> Self {
        let lowercase = lowercase(text);
        let cjk = lowercase.chars().any(is_cjk);
        ListEntry {
            text,
            lowercase,
            cjk,
        }
    }
}

impl<'w> WordList<'w> {
    pub(crate) fn new(entries: impl IntoIterator<Item = &'w str>) -> Self {
        let entries: Vec<ListEntry<'w>> = entries.into_iter().map(ListEntry::new).collect();
        let longest = entries
            .iter()
            .map(|entry| entry.lowercase.split_whitespace().count())
            .max()
            .unwrap_or(0);
        WordList { entries, longest }
    }

    /// Returns the largest number of words in one entry: matching entries at the start
    /// of a title needs no more of its words than this.
    pub(crate) fn longest_entry(&self) -> usize {
        self.longest
    }

    /// Returns the first entry that leads the title (see `TitleWords::leads_entry`).
    pub(crate) fn find_leading(&self, title: &TitleWords<'_>) -> Option<&'w str> {
        self.entries
            .iter()
            .find(|entry| title.leads_entry(entry))
            .map(|entry| entry.text)
    }

    /// Returns the first entry that the title contains (see `TitleWords::contains_entry`).
    pub(crate) fn find_contained(&self, title: &TitleWords<'_>) -> Option<&'w str> {
        self.entries
            .iter()
            .find(|entry| title.contains_entry(entry))
            .map(|entry| entry.text)
    }
}

/// A title split into words once, so matching it against a whole word list does not
/// split and lowercase it again for every entry.
pub(crate) struct TitleWords<'t> {
    title: &'t str,
    words: Vec<Cow<'t, str>>,
    /// The ASCII bytes that start a word, one bit each, to reject list entries cheaply.
    initials: u128,
    /// True when the whole title is ASCII, so that no CJK entry can match it.
    ascii: bool,
}

impl<'t> TitleWords<'t> {
    pub(crate) fn new(title: &'t str) -> Self {
        TitleWords::leading(title, usize::MAX)
    }

    /// Splits only the first `count` words of the title: enough to find the entries of a
    /// list that lead it when none has more words (see `WordList::longest_entry`). `len`
    /// then counts those words only.
    pub(crate) fn leading(title: &'t str, count: usize) -> Self {
        let words = first_words(title, count);
        let initials = words
            .iter()
            .filter_map(|word| word.bytes().next())
            .filter(u8::is_ascii)
            .fold(0, |set, byte| set | 1u128 << byte);
        TitleWords {
            title,
            words,
            initials,
            ascii: title.is_ascii(),
        }
    }

    /// True when no word can match `entry`: it is ASCII, starts with a lowercase letter,
    /// and that letter starts no word of the title. An inflection keeps the first letter.
    /// Entries with other characters may be CJK, which match anywhere in the title.
    fn cannot_match(&self, entry: &str, only_first_word: bool) -> bool {
        let Some(&initial) = entry.as_bytes().first() else {
            return false;
        };
        if !initial.is_ascii_lowercase() || !entry.is_ascii() {
            return false;
        }
        if only_first_word {
            return self.words.first().and_then(|word| word.bytes().next()) != Some(initial);
        }
        self.initials & (1u128 << initial) == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    #[cfg(test)]
    pub(crate) fn leads(&self, phrase: &str) -> bool {
        self.leads_entry(&ListEntry::new(phrase))
    }

    /// True when the title is led by the entry. A CJK entry must start the title. Other
    /// entries must be the title's first words, the first of them in any plain
    /// inflection ("ships", "improving", "setting up").
    fn leads_entry(&self, entry: &ListEntry<'_>) -> bool {
        if self.cannot_match(entry.text, true) {
            return false;
        }
        if entry.cjk {
            // A CJK character is outside ASCII, so an ASCII title cannot start with it.
            return !self.ascii
                && self
                    .title
                    .trim_start()
                    .starts_with(entry.lowercase.as_ref());
        }
        // Called for every entry of every word list on every title: no allocation here.
        // The verb comes first in a phrase ("set up", "roll out"), so it is the word
        // that inflects.
        let mut words = self.words.iter();
        let mut matched_any = false;
        for (position, part) in entry.lowercase.split_whitespace().enumerate() {
            let Some(word) = words.next() else {
                return false;
            };
            let matches = if position == 0 {
                inflects(word, part)
            } else {
                word == part
            };
            if !matches {
                return false;
            }
            matched_any = true;
        }
        matched_any
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.contains_entry(&ListEntry::new(word))
    }

    /// True when the title contains the entry anywhere: CJK entries as substrings, others
    /// as whole words in any plain inflection.
    fn contains_entry(&self, entry: &ListEntry<'_>) -> bool {
        if self.cannot_match(entry.text, false) {
            return false;
        }
        if entry.cjk {
            // A CJK character is outside ASCII, so an ASCII title cannot contain it.
            return !self.ascii && self.title.contains(entry.lowercase.as_ref());
        }
        self.words
            .iter()
            .any(|candidate| inflects(candidate, &entry.lowercase))
    }
}

/// `first_words` for ASCII titles, by bytes. Every title of every item is split, and
/// decoding characters took about a tenth of the rules' time on large repositories.
/// In ASCII text the ASCII tests match the same bytes as the Unicode ones.
fn first_ascii_words(title: &str, count: usize) -> Vec<Cow<'_, str>> {
    let bytes = title.as_bytes();
    let is_space = |byte: u8| matches!(byte, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let is_word_byte = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'%';
    let mut words = Vec::with_capacity(count.min(8));
    let mut at = 0;
    while at < bytes.len() && words.len() < count {
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && !is_space(bytes[at]) {
            at += 1;
        }
        let word = &bytes[start..at];
        let Some(first) = word.iter().position(|&byte| is_word_byte(byte)) else {
            continue;
        };
        let last = word
            .iter()
            .rposition(|&byte| is_word_byte(byte))
            .unwrap_or(first);
        let word = &title[start + first..=start + last];
        words.push(if word.bytes().any(|byte| byte.is_ascii_uppercase()) {
            Cow::Owned(word.to_ascii_lowercase())
        } else {
            Cow::Borrowed(word)
        });
    }
    words
}

/// Lowercases only when needed: word lists are stored lowercased already, and most
/// words of a title are too.
fn lowercase(text: &str) -> Cow<'_, str> {
    // In ASCII text, the ASCII tests and mappings give the same result, faster.
    if text.is_ascii() {
        return if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        };
    }
    if text.chars().any(char::is_uppercase) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// True when the title is led by `phrase`: for CJK phrases, the title starts with it; for
/// others, the first words (lowercased, punctuation stripped) are the phrase, the last
/// word in any plain inflection ("set up", "ships", "improving").
#[cfg(test)]
pub(crate) fn leads(title: &str, phrase: &str) -> bool {
    TitleWords::new(title).leads(phrase)
}

/// Tests for a decimal digit, ASCII or full-width. "A number" in a title means one of
/// these.
pub(crate) fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c)
}

pub(crate) fn has_digit(text: &str) -> bool {
    // Full-width digits are outside ASCII, so ASCII text needs only a byte scan.
    if text.is_ascii() {
        return text.bytes().any(|byte| byte.is_ascii_digit());
    }
    text.chars().any(is_digit)
}

/// Counts the whitespace-separated words, as `split_whitespace` would.
pub(crate) fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    // The ASCII characters that Unicode counts as white space, vertical tab included.
    let is_space = |byte: u8| matches!(byte, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let mut count = 0;
    let mut in_word = false;
    for byte in text.bytes() {
        let space = is_space(byte);
        if !space && !in_word {
            count += 1;
        }
        in_word = !space;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_words_find_the_same_entries() {
        let list = WordList::new(TASK_VERBS.iter().copied());
        let longest = list.longest_entry();
        assert_eq!(longest, 2);
        for title in [
            "Launch the new checkout",
            "Set up billing alerts for every team",
            "Setting up on-call",
            "Customers pay in one step",
            "上线新的结账流程",
            "  (Ship) it now",
        ] {
            assert_eq!(
                list.find_leading(&TitleWords::leading(title, longest)),
                list.find_leading(&TitleWords::new(title)),
                "{title}"
            );
        }
    }

    #[test]
    fn ascii_words_match_the_unicode_split() {
        for title in [
            "",
            "   ",
            "Reduce p95 search latency",
            "  (Ship) it now!  ",
            "Raise NPS from 30% to 45%",
            "vertical\x0Btab\tand\r\nnewlines\x0Cfeed",
            "-- ... --",
            "ALL CAPS, Mixed-Case and under_score",
            "100% of teams",
        ] {
            for count in [0, 1, 2, 4, usize::MAX] {
                assert_eq!(
                    first_ascii_words(title, count),
                    first_unicode_words(title, count),
                    "{title:?} {count}"
                );
            }
        }
    }

    #[test]
    fn word_count_matches_split_whitespace() {
        for text in [
            "",
            "  ",
            "one",
            " two  words ",
            "tab\tand\nnewline",
            "vertical\x0Btab",
            "form\x0Cfeed\r\n",
            "数据 驱动",
            "non\u{a0}breaking space",
        ] {
            assert_eq!(
                word_count(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn digits_are_found_in_ascii_and_full_width() {
        assert!(has_digit("p95 latency"));
        assert!(has_digit("提高到９"));
        assert!(!has_digit("no numbers here"));
        assert!(!has_digit("数据驱动"));
    }

    #[test]
    fn inflections_match() {
        assert!(inflects("improves", "improve"));
        assert!(inflects("improved", "improve"));
        assert!(inflects("improving", "improve"));
        assert!(inflects("ships", "ship"));
        assert!(inflects("shipped", "ship"));
        assert!(inflects("shipping", "ship"));
        assert!(inflects("launches", "launch"));
        assert!(!inflects("shipment", "ship"));
        assert!(!inflects("hold", "holder"));
    }

    #[test]
    fn leading_phrases() {
        assert!(leads("Ship the new billing page", "ship"));
        assert!(leads("Set up an on-call rotation", "set up"));
        assert!(leads("Setting up an on-call rotation", "set up"));
        assert!(leads("Sets up an on-call rotation", "set up"));
        assert!(!leads("Set ups for the on-call rotation", "set up"));
        assert!(!leads("Settle up on-call debts", "set up"));
        assert!(leads("Rolled out the new billing page", "roll out"));
        assert!(leads("上线新的结算页面", "上线"));
        assert!(!leads("Relationship health", "ship"));
    }

    #[test]
    fn mixed_entries_match_inside_cjk_titles() {
        let title = TitleWords::new("让kpi好看");
        assert!(title.contains("kpi好看"));
        assert!(!title.contains("kpi"), "no whole word `kpi` in a CJK title");
    }

    #[test]
    fn cjk_titles_are_detected() {
        assert!(is_cjk_title("提升数据质量"));
        assert!(is_cjk_title("将 API 错误率降到 1% 以下"));
        assert!(!is_cjk_title("Make checkout fast"));
    }
}
