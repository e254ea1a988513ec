//! Rules the service documents but the model cannot express as constraints, checked on
//! an input whose types and model constraints the walker has checked.

use crate::json::Value;
use crate::model::OperationName;

use super::{shapes, Path, Pattern, Problems, Rule};

/// Records every documented rule `input` (of `operation`) breaks.
pub(crate) fn check(operation: OperationName, input: &Value, problems: &mut Problems) {
    match operation {
        OperationName::SendCommand => check_send_command(input, problems),
        OperationName::ListCommands | OperationName::ListCommandInvocations => {
            check_filters(input.get("Filters"), &Path::ROOT, problems);
        }
        _ => {}
    }
}

/// The Target keys SendCommand documents; `tag:<name>` is matched separately.
const TARGET_KEYS: &[&str] = &[
    "InstanceIds",
    "tag-key",
    "resource-groups:Name",
    "resource-groups:ResourceTypeFilters",
];

/// Values of the `ExecutionStage` command filter.
const EXECUTION_STAGES: &[&str] = &["Executing", "Complete"];

/// The items of a list member, `null` or absent read as none.
fn items<'v, 'a>(value: Option<&'v Value<'a>>) -> &'v [Value<'a>] {
    match value {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

fn present<'v, 'a>(value: Option<&'v Value<'a>>) -> Option<&'v Value<'a>> {
    value.filter(|v| !v.is_null())
}

fn check_send_command(input: &Value, problems: &mut Problems) {
    let path = &Path::ROOT;
    let has_ids = !items(input.get("InstanceIds")).is_empty();
    let targets = items(input.get("Targets"));
    const ONE_OF: Rule = Rule::ExactlyOneOf {
        members: &["InstanceIds", "Targets"],
    };
    match (has_ids, !targets.is_empty()) {
        (true, true) => problems.push(&path.field("Targets"), ONE_OF),
        (false, false) => problems.push(&path.field("InstanceIds"), ONE_OF),
        _ => {}
    }
    let targets_path = path.field("Targets");
    for (i, target) in targets.iter().enumerate() {
        check_target(target, &targets_path.index(i), problems);
    }
    if present(input.get("DocumentHash")).is_some()
        && present(input.get("DocumentHashType")).is_none()
    {
        problems.push(
            &path.field("DocumentHash"),
            Rule::Requires {
                member: "DocumentHashType",
            },
        );
    }
}

fn check_target(target: &Value, path: &Path<'_>, problems: &mut Problems) {
    let key = present(target.get("Key")).and_then(Value::as_str);
    match key {
        None => problems.push(&path.field("Key"), Rule::Required),
        Some(key) if !is_target_key(key) => problems.push(&path.field("Key"), Rule::TargetKey),
        Some(_) => {}
    }
    let values_path = path.field("Values");
    match present(target.get("Values")) {
        None => problems.push(&values_path, Rule::Required),
        Some(values) if items(Some(values)).is_empty() => {
            problems.push(&values_path, Rule::TargetValuesEmpty);
        }
        Some(values) => {
            if key == Some("InstanceIds") {
                for (i, value) in items(Some(values)).iter().enumerate() {
                    let value = value.as_str().unwrap_or_default();
                    // `*` targets every managed node in the account and Region.
                    if value != "*" && !Pattern::InstanceId.is_match(value) {
                        problems.push(&values_path.index(i), Rule::Pattern(Pattern::InstanceId));
                    }
                }
            }
        }
    }
}

/// Whether `key` is one of the documented Target key forms.
#[must_use]
pub fn is_target_key(key: &str) -> bool {
    TARGET_KEYS.contains(&key)
        || key
            .strip_prefix("tag:")
            .is_some_and(|name| !name.is_empty())
}

fn check_filters(filters: Option<&Value>, path: &Path<'_>, problems: &mut Problems) {
    let path = path.field("Filters");
    for (i, filter) in items(filters).iter().enumerate() {
        let key = present(filter.get("key")).and_then(Value::as_str);
        let value = present(filter.get("value")).and_then(Value::as_str);
        let (Some(key), Some(value)) = (key, value) else {
            continue; // missing members are reported as Required by the model checks
        };
        let (key, expected, fits): (&'static str, FilterExpects, bool) = match key {
            "InvokedAfter" => (
                "InvokedAfter",
                FilterExpects::Timestamp,
                is_iso8601_timestamp(value),
            ),
            "InvokedBefore" => (
                "InvokedBefore",
                FilterExpects::Timestamp,
                is_iso8601_timestamp(value),
            ),
            "Status" => (
                "Status",
                FilterExpects::CommandStatus,
                shapes::COMMAND_STATUS.contains(&value),
            ),
            "ExecutionStage" => (
                "ExecutionStage",
                FilterExpects::ExecutionStage,
                EXECUTION_STAGES.contains(&value),
            ),
            _ => continue,
        };
        if !fits {
            problems.push(
                &path.index(i).field("value"),
                Rule::FilterValue { key, expected },
            );
        }
    }
}

/// What a command filter's value must be, by its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterExpects {
    /// An ISO 8601 timestamp (`InvokedAfter`, `InvokedBefore`).
    Timestamp,
    /// A command status (`Status`).
    CommandStatus,
    /// `Executing` or `Complete` (`ExecutionStage`).
    ExecutionStage,
}

impl FilterExpects {
    /// A stable name for programs.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            FilterExpects::Timestamp => "timestamp",
            FilterExpects::CommandStatus => "commandStatus",
            FilterExpects::ExecutionStage => "executionStage",
        }
    }

    /// What the value must be, in words.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            FilterExpects::Timestamp => "an ISO 8601 timestamp such as 2024-07-07T00:00:00Z",
            FilterExpects::CommandStatus => "a command status (Pending, InProgress, Success, Cancelled, Failed, TimedOut or Cancelling)",
            FilterExpects::ExecutionStage => "Executing or Complete",
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`: the form the
/// InvokedAfter/InvokedBefore filters document.
fn is_iso8601_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: core::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let num = |r: core::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    if b.len() < 20
        || !(digits(0..4)
            && digits(5..7)
            && digits(8..10)
            && digits(11..13)
            && digits(14..16)
            && digits(17..19))
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return false;
    }
    let (month, day) = (num(5..7), num(8..10));
    let (hour, minute, second) = (num(11..13), num(14..16), num(17..19));
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            let year = num(0..4);
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
        _ => return false,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|d| d.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        b"Z" => true,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_key_forms() {
        for ok in [
            "InstanceIds",
            "tag:env",
            "tag:Name with space",
            "tag-key",
            "resource-groups:Name",
            "resource-groups:ResourceTypeFilters",
        ] {
            assert!(is_target_key(ok), "{ok}");
        }
        for bad in [
            "",
            "tag:",
            "instanceids",
            "tag",
            "tag-keys",
            "resource-groups:name",
            "Name",
        ] {
            assert!(!is_target_key(bad), "{bad}");
        }
    }

    #[test]
    fn iso8601_filter_timestamps() {
        for ok in [
            "2024-07-07T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2024-07-07T00:00:00.123Z",
            "2024-07-07T00:00:00+02:00",
            "2024-07-07T00:00:00-11:30",
        ] {
            assert!(is_iso8601_timestamp(ok), "{ok}");
        }
        for bad in [
            "",
            "2024-07-07",
            "2024-07-07 00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-07-07T24:00:00Z",
            "2024-07-07T00:00:00",
            "2024-07-07T00:00:00.Z",
            "2024-07-07T00:00:00+2:00",
            "2024-07-07T00:00:00+24:00",
            "1720310400",
        ] {
            assert!(!is_iso8601_timestamp(bad), "{bad}");
        }
    }
}
