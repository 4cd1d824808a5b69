//! Reasons given in commit messages: a `Reason:` or `Approved-by:` trailer, or body
//! text other than trailers (`Signed-off-by:` alone explains nothing).

/// Returns the reason a commit message gives for its change, if any.
pub(crate) fn message_reason(message: &str) -> Option<String> {
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
    fn subject_and_sign_off_are_not_reasons() {
        assert_eq!(message_reason("Lower target"), None);
        assert_eq!(
            message_reason("Lower target\n\nSigned-off-by: A <a@b>\n"),
            None
        );
    }
}
