//! Reasons given in commit messages: a `Reason:` or `Approved-by:` trailer, or body
//! text other than trailers (`Signed-off-by:` alone explains nothing).

/// Returns the reason a commit message gives for its change, if any.
pub(crate) fn message_reason(message: &str) -> Option<String> {
    match squashed_messages(message) {
        Some(messages) => messages.iter().find_map(|message| own_reason(message)),
        None => own_reason(message),
    }
}

/// Splits the message `git merge --squash` writes into the messages of the squashed
/// commits, without their `commit`, `Author:` and `Date:` headers and their indent.
/// Text above the first header counts as a message of its own. Returns `None` for a
/// message without such headers.
fn squashed_messages(message: &str) -> Option<Vec<String>> {
    let is_header = |line: &str| {
        line.strip_prefix("commit ")
            .is_some_and(|id| id.len() >= 40 && id.chars().take(40).all(|c| c.is_ascii_hexdigit()))
    };
    if !message.lines().any(is_header) {
        return None;
    }
    let mut messages = vec![String::new()];
    let mut in_header = false;
    for line in message.lines() {
        if is_header(line) {
            messages.push(String::new());
            in_header = true;
            continue;
        }
        let header_field = [
            "Author:",
            "Date:",
            "Merge:",
            "Commit:",
            "AuthorDate:",
            "CommitDate:",
        ]
        .iter()
        .any(|field| line.starts_with(field));
        if in_header && header_field {
            continue;
        }
        in_header = false;
        let current = messages.last_mut().expect("starts with one message");
        current.push_str(line.strip_prefix("    ").unwrap_or(line));
        current.push('\n');
    }
    // Each squashed commit's text starts with the blank line after its headers.
    Some(
        messages
            .into_iter()
            .map(|text| text.trim_start_matches('\n').to_owned())
            .collect(),
    )
}

/// Returns the reason one commit message gives, from its trailers or its body.
fn own_reason(message: &str) -> Option<String> {
    let paragraphs: Vec<Vec<&str>> = message
        .split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim_end)
                .filter(|line| !line.trim().is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|lines| !lines.is_empty())
        .collect();
    let body = paragraphs.get(1..).unwrap_or_default();
    let (text, trailers) = match body.split_last() {
        Some((last, rest)) if last.iter().all(|line| is_trailer(line)) => (rest, last.as_slice()),
        _ => (body, &[][..]),
    };
    for line in trailers {
        let (key, value) = line.split_once(':').unwrap_or((line, ""));
        if key.eq_ignore_ascii_case("reason") || key.eq_ignore_ascii_case("approved-by") {
            return Some(format!("{key}: {}", value.trim()));
        }
    }
    text.first().map(|lines| {
        lines
            .iter()
            .map(|line| line.trim())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// `Key: value`, where the key is a word of letters, digits and dashes.
fn is_trailer(line: &str) -> bool {
    let Some((key, value)) = line.split_once(':') else {
        return false;
    };
    !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && !value.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_give_reasons() {
        let message = "Lower the signup target\n\nReason: the launch moved to Q1\n";
        assert_eq!(
            message_reason(message).as_deref(),
            Some("Reason: the launch moved to Q1")
        );
        let approved = "Lower target\n\nApproved-by: Dana <dana@example.com>\n";
        assert_eq!(
            message_reason(approved).as_deref(),
            Some("Approved-by: Dana <dana@example.com>")
        );
    }

    #[test]
    fn body_text_is_a_reason() {
        let message = "Lower target\n\nThe vendor slipped two weeks,\nso 80 is realistic.\n\nSigned-off-by: A <a@b>\n";
        assert_eq!(
            message_reason(message).as_deref(),
            Some("The vendor slipped two weeks, so 80 is realistic.")
        );
    }

    #[test]
    fn squash_message_reads_squashed_commits() {
        let header = "commit 0123456789abcdef0123456789abcdef01234567\n\
                      Author: Ana <ana@example.com>\nDate:   Mon Nov 2 09:00:00 2026 +0000\n";
        let without =
            format!("Squashed commit of the following:\n\n{header}\n    Lower the target\n");
        assert_eq!(message_reason(&without), None, "headers are no reason");
        let with = format!(
            "Squashed commit of the following:\n\n{header}\n    Lower the target\n\n    \
             Reason: the launch moved\n\n{header}\n    Fix a typo\n"
        );
        assert_eq!(
            message_reason(&with).as_deref(),
            Some("Reason: the launch moved")
        );
        let edited = format!("Ease the target\n\nThe vendor slipped.\n\n{header}\n    Ease\n");
        assert_eq!(
            message_reason(&edited).as_deref(),
            Some("The vendor slipped.")
        );
    }

    #[test]
    fn subject_and_sign_off_are_not_reasons() {
        assert_eq!(message_reason("Lower target"), None);
        assert_eq!(
            message_reason("Lower target\n\nSigned-off-by: A <a@b>\n"),
            None
        );
    }
}
