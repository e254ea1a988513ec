//! Rules the service documents but the model cannot express as constraints.

use crate::model::{
    CancelCommandInput, CommandFilter, CommandFilterKey, CommandStatus, DescribeDocumentInput,
    DescribeInstanceInformationInput, GetCommandInvocationInput, ListCommandInvocationsInput,
    ListCommandsInput, ListDocumentsInput, SendCommandInput, Target,
};

use super::{Path, Pattern, Problems, Rule};

/// Documented semantics of one operation input, checked after its model constraints.
pub trait DocumentedRules {
    /// Records every broken documented rule under `path`.
    fn check_documented_rules(&self, path: &Path<'_>, problems: &mut Problems);
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

impl DocumentedRules for SendCommandInput {
    fn check_documented_rules(&self, path: &Path<'_>, problems: &mut Problems) {
        let has_ids = self.instance_ids.as_ref().is_some_and(|v| !v.is_empty());
        let has_targets = self.targets.as_ref().is_some_and(|v| !v.is_empty());
        const ONE_OF: Rule = Rule::ExactlyOneOf {
            members: &["InstanceIds", "Targets"],
        };
        match (has_ids, has_targets) {
            (true, true) => problems.push(&path.field("Targets"), ONE_OF),
            (false, false) => problems.push(&path.field("InstanceIds"), ONE_OF),
            _ => {}
        }
        if let Some(targets) = &self.targets {
            let path = path.field("Targets");
            for (i, target) in targets.iter().enumerate() {
                check_target(target, &path.index(i), problems);
            }
        }
        if self.document_hash.is_some() && self.document_hash_type.is_none() {
            problems.push(
                &path.field("DocumentHash"),
                Rule::Requires {
                    member: "DocumentHashType",
                },
            );
        }
    }
}

fn check_target(target: &Target, path: &Path<'_>, problems: &mut Problems) {
    match target.key.as_deref() {
        None => problems.push(&path.field("Key"), Rule::Required),
        Some(key) if !is_target_key(key) => problems.push(&path.field("Key"), Rule::TargetKey),
        Some(_) => {}
    }
    let values_path = path.field("Values");
    match &target.values {
        None => problems.push(&values_path, Rule::Required),
        Some(values) if values.is_empty() => problems.push(&values_path, Rule::TargetValuesEmpty),
        Some(values) => {
            if target.key.as_deref() == Some("InstanceIds") {
                for (i, value) in values.iter().enumerate() {
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

fn check_filters(filters: Option<&[CommandFilter]>, path: &Path<'_>, problems: &mut Problems) {
    let Some(filters) = filters else { return };
    let path = path.field("Filters");
    for (i, filter) in filters.iter().enumerate() {
        let (Some(key), Some(value)) = (&filter.key, &filter.value) else {
            continue; // missing members are reported as Required by the model checks
        };
        let expected = match key {
            CommandFilterKey::InvokedAfter | CommandFilterKey::InvokedBefore => {
                (!is_iso8601_timestamp(value))
                    .then_some("an ISO 8601 timestamp such as 2024-07-07T00:00:00Z")
            }
            CommandFilterKey::Status => (!CommandStatus::VALUES.contains(&value.as_str()))
                .then_some("a command status (Pending, InProgress, Success, Cancelled, Failed, TimedOut or Cancelling)"),
            CommandFilterKey::ExecutionStage => (!EXECUTION_STAGES.contains(&value.as_str()))
                .then_some("Executing or Complete"),
            _ => None,
        };
        if let Some(expected) = expected {
            let key: &'static str = match key {
                CommandFilterKey::InvokedAfter => "InvokedAfter",
                CommandFilterKey::InvokedBefore => "InvokedBefore",
                CommandFilterKey::Status => "Status",
                _ => "ExecutionStage",
            };
            problems.push(
                &path.index(i).field("value"),
                Rule::FilterValue { key, expected },
            );
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

impl DocumentedRules for ListCommandsInput {
    fn check_documented_rules(&self, path: &Path<'_>, problems: &mut Problems) {
        check_filters(self.filters.as_deref(), path, problems);
    }
}

impl DocumentedRules for ListCommandInvocationsInput {
    fn check_documented_rules(&self, path: &Path<'_>, problems: &mut Problems) {
        check_filters(self.filters.as_deref(), path, problems);
    }
}

/// Inputs whose model constraints say everything there is to say.
macro_rules! no_documented_rules {
    ($($input:ty),+) => {$(
        impl DocumentedRules for $input {
            fn check_documented_rules(&self, _path: &Path<'_>, _problems: &mut Problems) {}
        }
    )+};
}

no_documented_rules!(
    GetCommandInvocationInput,
    CancelCommandInput,
    DescribeInstanceInformationInput,
    DescribeDocumentInput,
    ListDocumentsInput
);

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
