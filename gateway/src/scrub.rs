//! Upstream error messages with the upstream's identity taken out. AWS refusals name
//! the caller (`User: arn:aws:iam::123456789012:user/gateway is not authorized …`):
//! relayed verbatim they would tell every gateway user the upstream account and role.
//! The caller gets the message with every ARN and every 12-digit account id replaced;
//! the audit line keeps the full text.

/// What an ARN is replaced with.
pub const ARN_PLACEHOLDER: &str = "arn:(hidden)";
/// What a 12-digit account id is replaced with.
pub const ACCOUNT_PLACEHOLDER: &str = "(account)";

/// `message` without ARNs and account ids.
#[must_use]
pub fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(c) = rest.chars().next() {
        if starts_arn(rest) {
            out.push_str(ARN_PLACEHOLDER);
            let end = rest.find(ends_arn).unwrap_or(rest.len());
            rest = &rest[end..];
        } else if c.is_ascii_digit() {
            let run = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if run == 12 {
                out.push_str(ACCOUNT_PLACEHOLDER);
            } else {
                out.push_str(&rest[..run]);
            }
            rest = &rest[run..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            // Letters glued to digits ("i-0123456789ab") are not account ids: copy the
            // whole word.
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                let word = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(rest.len());
                if !starts_arn(rest) {
                    out.push_str(&rest[..word]);
                    rest = &rest[word..];
                }
            }
        }
    }
    out
}

/// Whether `text` starts an ARN (`arn:` followed by a partition name), in any case.
fn starts_arn(text: &str) -> bool {
    text.get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("arn:"))
        && text[4..].starts_with(|c: char| c.is_ascii_alphabetic())
}

/// Where an ARN ends: white space, quotes and the punctuation that ends a sentence.
fn ends_arn(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | ';' | ')' | ']' | '}' | '>')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_account_ids_are_taken_out() {
        assert_eq!(
            scrub("User: arn:aws:iam::123456789012:user/gw-upstream is not authorized to perform: ssm:SendCommand on resource: arn:aws:ssm:us-east-1:123456789012:document/Secret because no identity-based policy allows the ssm:SendCommand action"),
            "User: arn:(hidden) is not authorized to perform: ssm:SendCommand on resource: arn:(hidden) because no identity-based policy allows the ssm:SendCommand action"
        );
        assert_eq!(
            scrub("account 123456789012 (\"ARN:aws-cn:iam::210987654321:role/x\")"),
            "account (account) (\"arn:(hidden)\")"
        );
    }

    #[test]
    fn everything_else_is_kept() {
        for text in [
            "Instances [i-0123456789abcdef0] not in a valid state",
            "1 validation error detected: Value at 'timeoutSeconds' failed to satisfy constraint: Member must have value less than or equal to 2592000",
            "Rate exceeded",
            "command 7f3a1b2c-1234-4cde-8f00-123456789012x is not found",
            "1234567890123 is 13 digits; 12345678901 is 11",
            "ünïcödé stays",
            "",
        ] {
            assert_eq!(scrub(text), text);
        }
    }
}
