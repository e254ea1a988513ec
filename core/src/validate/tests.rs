//! Both sides of every constraint on the eight inputs: a valid input passes, and
//! each broken rule is reported with its path — all of them at once.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::model::*;

const ID: &str = "i-0123456789abcdef0";
const CMD: &str = "0b2a9e8c-3c11-4b33-9d0a-1a2b3c4d5e6f";

fn s(v: &str) -> Option<String> {
    Some(String::from(v))
}

fn problems<T: Validate>(input: &T) -> Vec<(String, Rule)> {
    match input.validate() {
        Ok(()) => Vec::new(),
        Err(e) => e.problems.into_iter().map(|p| (p.path, p.rule)).collect(),
    }
}

fn valid_send() -> SendCommandInput {
    SendCommandInput {
        document_name: s("AWS-RunShellScript"),
        instance_ids: Some(vec![ID.into()]),
        parameters: Some(Sensitive(BTreeMap::from([(
            "commands".into(),
            vec!["uptime".into()],
        )]))),
        ..Default::default()
    }
}

fn full_send() -> SendCommandInput {
    SendCommandInput {
        instance_ids: None,
        targets: Some(vec![
            Target {
                key: s("tag:env"),
                values: Some(vec!["staging".into()]),
            },
            Target {
                key: s("InstanceIds"),
                values: Some(vec![ID.into(), "*".into()]),
            },
        ]),
        document_name: s("arn:aws:ssm:us-east-1:123456789012:document/My-Doc"),
        document_version: s("$LATEST"),
        document_hash: s("a".repeat(256).as_str()),
        document_hash_type: Some(DocumentHashType::Sha256),
        timeout_seconds: Some(30),
        comment: s("x".repeat(100).as_str()),
        output_s3_region: s("us-east-1"),
        output_s3_bucket_name: s("my-bucket"),
        output_s3_key_prefix: s("runs/"),
        max_concurrency: s("10%"),
        max_errors: s("0"),
        service_role_arn: s("arn:aws:iam::123456789012:role/SsmNotify"),
        notification_config: Some(NotificationConfig {
            notification_arn: s("arn:aws:sns:us-east-1:123456789012:topic"),
            notification_events: Some(vec![NotificationEvent::All]),
            notification_type: Some(NotificationType::Command),
        }),
        cloud_watch_output_config: Some(CloudWatchOutputConfig {
            cloud_watch_log_group_name: s("/ssm/run"),
            cloud_watch_output_enabled: Some(true),
        }),
        alarm_configuration: Some(AlarmConfiguration {
            ignore_poll_alarm_failure: Some(false),
            alarms: Some(vec![Alarm {
                name: s("cpu-high"),
            }]),
        }),
        parameters: Some(Sensitive(BTreeMap::new())),
    }
}

#[test]
fn valid_inputs_pass() {
    assert_eq!(problems(&valid_send()), []);
    assert_eq!(problems(&full_send()), []);
    assert_eq!(problems(&ListCommandsInput::default()), []);
    assert_eq!(problems(&ListCommandInvocationsInput::default()), []);
    assert_eq!(problems(&DescribeInstanceInformationInput::default()), []);
    assert_eq!(problems(&ListDocumentsInput::default()), []);
    let get = GetCommandInvocationInput {
        command_id: s(CMD),
        instance_id: s(ID),
        plugin_name: s("aws:runShellScript"),
    };
    assert_eq!(problems(&get), []);
    let cancel = CancelCommandInput {
        command_id: s(CMD),
        instance_ids: Some(vec![ID.into()]),
    };
    assert_eq!(problems(&cancel), []);
    let describe = DescribeDocumentInput {
        name: s("AWS-RunShellScript"),
        document_version: s("12"),
        version_name: s("v1.2_release"),
    };
    assert_eq!(problems(&describe), []);
}

#[test]
fn required_members() {
    assert_eq!(
        problems(&GetCommandInvocationInput::default()),
        [
            ("CommandId".into(), Rule::Required),
            ("InstanceId".into(), Rule::Required)
        ]
    );
    assert_eq!(
        problems(&CancelCommandInput::default()),
        [("CommandId".into(), Rule::Required)]
    );
    assert_eq!(
        problems(&DescribeDocumentInput::default()),
        [("Name".into(), Rule::Required)]
    );
    let input = SendCommandInput {
        document_name: None,
        ..valid_send()
    };
    assert_eq!(problems(&input), [("DocumentName".into(), Rule::Required)]);
}

#[test]
fn string_lengths_count_code_points() {
    let mut input = valid_send();
    input.comment = s(&"é".repeat(100)); // 200 bytes, 100 code points: fine
    assert_eq!(problems(&input), []);
    input.comment = s(&"é".repeat(101));
    assert_eq!(
        problems(&input),
        [(
            "Comment".into(),
            Rule::MaxLength {
                max: 100,
                actual: 101
            }
        )]
    );

    let mut input = valid_send();
    input.output_s3_bucket_name = s("ab");
    input.output_s3_region = s(&"r".repeat(21));
    input.output_s3_key_prefix = s(&"k".repeat(501));
    input.document_hash = s(&"h".repeat(257));
    input.document_hash_type = Some(DocumentHashType::Sha1);
    assert_eq!(
        problems(&input),
        [
            (
                "DocumentHash".into(),
                Rule::MaxLength {
                    max: 256,
                    actual: 257
                }
            ),
            (
                "OutputS3Region".into(),
                Rule::MaxLength {
                    max: 20,
                    actual: 21
                }
            ),
            (
                "OutputS3BucketName".into(),
                Rule::MinLength { min: 3, actual: 2 }
            ),
            (
                "OutputS3KeyPrefix".into(),
                Rule::MaxLength {
                    max: 500,
                    actual: 501
                }
            ),
        ]
    );
    let cmd_short = GetCommandInvocationInput {
        command_id: s(&CMD[..35]),
        instance_id: s(ID),
        plugin_name: s("aws"),
    };
    assert_eq!(
        problems(&cmd_short),
        [
            (
                "CommandId".into(),
                Rule::MinLength {
                    min: 36,
                    actual: 35
                }
            ),
            ("PluginName".into(), Rule::MinLength { min: 4, actual: 3 }),
        ]
    );
}

#[test]
fn numeric_ranges() {
    for (t, ok) in [
        (29, false),
        (30, true),
        (2_592_000, true),
        (2_592_001, false),
        (-1, false),
    ] {
        let input = SendCommandInput {
            timeout_seconds: Some(t),
            ..valid_send()
        };
        let expected: Vec<(String, Rule)> = if ok {
            vec![]
        } else {
            vec![(
                "TimeoutSeconds".into(),
                Rule::Range {
                    min: Some(30),
                    max: Some(2_592_000),
                    actual: i64::from(t),
                },
            )]
        };
        assert_eq!(problems(&input), expected, "{t}");
    }
    for (n, ok) in [(0, false), (1, true), (50, true), (51, false)] {
        let input = ListCommandsInput {
            max_results: Some(n),
            ..Default::default()
        };
        assert_eq!(problems(&input).is_empty(), ok, "ListCommands {n}");
        let input = ListDocumentsInput {
            max_results: Some(n),
            ..Default::default()
        };
        assert_eq!(problems(&input).is_empty(), ok, "ListDocuments {n}");
    }
    for (n, ok) in [(4, false), (5, true), (50, true), (51, false)] {
        let input = DescribeInstanceInformationInput {
            max_results: Some(n),
            ..Default::default()
        };
        assert_eq!(
            problems(&input).is_empty(),
            ok,
            "DescribeInstanceInformation {n}"
        );
    }
}

#[test]
fn list_sizes() {
    let ids = |n: usize| {
        Some(
            (0..n)
                .map(|i| alloc::format!("i-{i:017x}"))
                .collect::<Vec<_>>(),
        )
    };
    let input = SendCommandInput {
        instance_ids: ids(50),
        ..valid_send()
    };
    assert_eq!(problems(&input), []);
    let input = SendCommandInput {
        instance_ids: ids(51),
        ..valid_send()
    };
    assert_eq!(
        problems(&input),
        [(
            "InstanceIds".into(),
            Rule::MaxItems {
                max: 50,
                actual: 51
            }
        )]
    );

    let target = || Target {
        key: s("tag:env"),
        values: Some(vec!["a".into()]),
    };
    let input = SendCommandInput {
        instance_ids: None,
        targets: Some(vec![target(); 6]),
        ..valid_send()
    };
    assert_eq!(
        problems(&input),
        [("Targets".into(), Rule::MaxItems { max: 5, actual: 6 })]
    );
    let values = Some((0..51).map(|i| alloc::format!("v{i}")).collect());
    let input = SendCommandInput {
        instance_ids: None,
        targets: Some(vec![Target {
            key: s("tag:env"),
            values,
        }]),
        ..valid_send()
    };
    assert_eq!(
        problems(&input),
        [(
            "Targets[0].Values".into(),
            Rule::MaxItems {
                max: 50,
                actual: 51
            }
        )]
    );

    let filter = || CommandFilter {
        key: Some(CommandFilterKey::DocumentName),
        value: s("AWS-RunShellScript"),
    };
    let input = ListCommandsInput {
        filters: Some(vec![]),
        ..Default::default()
    };
    assert_eq!(
        problems(&input),
        [("Filters".into(), Rule::MinItems { min: 1, actual: 0 })]
    );
    let input = ListCommandsInput {
        filters: Some(vec![filter(); 6]),
        ..Default::default()
    };
    assert_eq!(
        problems(&input),
        [("Filters".into(), Rule::MaxItems { max: 5, actual: 6 })]
    );

    let mut alarms = full_send();
    alarms.alarm_configuration.as_mut().unwrap().alarms = Some(vec![]);
    assert_eq!(
        problems(&alarms),
        [(
            "AlarmConfiguration.Alarms".into(),
            Rule::MinItems { min: 1, actual: 0 }
        )]
    );

    let set = |n: usize| (0..n).map(|i| alloc::format!("v{i}")).collect::<Vec<_>>();
    let filter = |values| InstanceInformationStringFilter {
        key: s("tag:env"),
        values: Some(values),
    };
    let input = DescribeInstanceInformationInput {
        filters: Some(vec![filter(set(100))]),
        ..Default::default()
    };
    assert_eq!(problems(&input), []);
    let input = DescribeInstanceInformationInput {
        filters: Some(vec![filter(set(101)), filter(set(0))]),
        ..Default::default()
    };
    assert_eq!(
        problems(&input),
        [
            (
                "Filters[0].Values".into(),
                Rule::MaxItems {
                    max: 100,
                    actual: 101
                }
            ),
            (
                "Filters[1].Values".into(),
                Rule::MinItems { min: 1, actual: 0 }
            ),
        ]
    );
    let docs = ListDocumentsInput {
        filters: Some(vec![
            DocumentKeyValuesFilter {
                key: s("Owner"),
                values: Some(vec!["Self".into()])
            };
            7
        ]),
        ..Default::default()
    };
    assert_eq!(
        problems(&docs),
        [("Filters".into(), Rule::MaxItems { max: 6, actual: 7 })]
    );
}

#[test]
fn patterns_name_the_pattern() {
    let mut input = valid_send();
    input.document_name = s("x");
    input.document_version = s("0");
    input.instance_ids = Some(vec![ID.into(), "i-123".into()]);
    input.max_concurrency = s("0");
    input.max_errors = s("101%");
    assert_eq!(
        problems(&input),
        [
            ("InstanceIds[1]".into(), Rule::Pattern(Pattern::InstanceId)),
            ("DocumentName".into(), Rule::Pattern(Pattern::DocumentArn)),
            (
                "DocumentVersion".into(),
                Rule::Pattern(Pattern::DocumentVersion)
            ),
            (
                "MaxConcurrency".into(),
                Rule::Pattern(Pattern::MaxConcurrency)
            ),
            ("MaxErrors".into(), Rule::Pattern(Pattern::MaxErrors)),
        ]
    );
    let mut input = full_send();
    input.alarm_configuration.as_mut().unwrap().alarms = Some(vec![Alarm { name: s("   ") }]);
    assert_eq!(
        problems(&input),
        [(
            "AlarmConfiguration.Alarms[0].Name".into(),
            Rule::Pattern(Pattern::AlarmName)
        )]
    );
    let describe = DescribeDocumentInput {
        name: s("AWS-RunShellScript"),
        document_version: None,
        version_name: s("v 1"),
    };
    assert_eq!(
        problems(&describe),
        [(
            "VersionName".into(),
            Rule::Pattern(Pattern::DocumentVersionName)
        )]
    );
}

#[test]
fn unknown_enum_values_are_refused() {
    let mut input = valid_send();
    input.document_hash = s("abc");
    input.document_hash_type = Some(DocumentHashType::from("Md5"));
    input.notification_config = Some(NotificationConfig {
        notification_arn: None,
        notification_events: Some(vec![
            NotificationEvent::Success,
            NotificationEvent::from("Done"),
        ]),
        notification_type: Some(NotificationType::from("Everything")),
    });
    assert_eq!(
        problems(&input),
        [
            (
                "DocumentHashType".into(),
                Rule::Enum {
                    allowed: &["Sha256", "Sha1"]
                }
            ),
            (
                "NotificationConfig.NotificationEvents[1]".into(),
                Rule::Enum {
                    allowed: NotificationEvent::VALUES
                }
            ),
            (
                "NotificationConfig.NotificationType".into(),
                Rule::Enum {
                    allowed: &["Command", "Invocation"]
                }
            ),
        ]
    );
    let filters = InstanceInformationFilter {
        key: Some(InstanceInformationFilterKey::from("Color")),
        value_set: Some(vec!["x".into()]),
    };
    let input = DescribeInstanceInformationInput {
        instance_information_filter_list: Some(vec![filters]),
        ..Default::default()
    };
    assert_eq!(
        problems(&input),
        [(
            "InstanceInformationFilterList[0].key".into(),
            Rule::Enum {
                allowed: InstanceInformationFilterKey::VALUES
            }
        )]
    );
}

#[test]
fn instance_ids_xor_targets() {
    let one_of = Rule::ExactlyOneOf {
        members: &["InstanceIds", "Targets"],
    };
    let mut input = valid_send();
    input.targets = Some(vec![Target {
        key: s("tag:env"),
        values: Some(vec!["prod".into()]),
    }]);
    assert_eq!(problems(&input), [("Targets".into(), one_of.clone())]);
    input.instance_ids = None;
    input.targets = None;
    assert_eq!(problems(&input), [("InstanceIds".into(), one_of.clone())]);
    input.instance_ids = Some(vec![]);
    input.targets = Some(vec![]);
    assert_eq!(problems(&input), [("InstanceIds".into(), one_of)]);
}

#[test]
fn target_forms_and_values() {
    let t = |k: Option<&str>, v: Option<Vec<&str>>| Target {
        key: k.map(String::from),
        values: v.map(|v| v.into_iter().map(String::from).collect()),
    };
    let input = SendCommandInput {
        instance_ids: None,
        targets: Some(vec![
            t(Some("tag:env"), Some(vec!["staging"])),
            t(Some("Environment"), Some(vec!["x"])),
            t(None, Some(vec!["x"])),
            t(Some("InstanceIds"), Some(vec![ID, "*", "web-1"])),
            t(Some("resource-groups:Name"), Some(vec![])),
        ]),
        ..valid_send()
    };
    assert_eq!(
        problems(&input),
        [
            ("Targets[1].Key".into(), Rule::TargetKey),
            ("Targets[2].Key".into(), Rule::Required),
            (
                "Targets[3].Values[2]".into(),
                Rule::Pattern(Pattern::InstanceId)
            ),
            ("Targets[4].Values".into(), Rule::TargetValuesEmpty),
        ]
    );
    let input = SendCommandInput {
        instance_ids: None,
        targets: Some(vec![
            t(Some("tag-key"), None),
            t(Some("tag:a\nb"), Some(vec!["v"])),
        ]),
        ..valid_send()
    };
    assert_eq!(
        problems(&input),
        [
            ("Targets[1].Key".into(), Rule::Pattern(Pattern::TargetKey)),
            ("Targets[0].Values".into(), Rule::Required),
        ]
    );
}

#[test]
fn document_hash_needs_its_type() {
    let input = SendCommandInput {
        document_hash: s("abc"),
        ..valid_send()
    };
    assert_eq!(
        problems(&input),
        [(
            "DocumentHash".into(),
            Rule::Requires {
                member: "DocumentHashType"
            }
        )]
    );
}

#[test]
fn command_filter_values() {
    let f = |k: CommandFilterKey, v: &str| CommandFilter {
        key: Some(k),
        value: s(v),
    };
    let ok = ListCommandInvocationsInput {
        filters: Some(vec![
            f(CommandFilterKey::InvokedAfter, "2026-11-01T00:00:00Z"),
            f(
                CommandFilterKey::InvokedBefore,
                "2026-11-26T07:38:13.5+01:00",
            ),
            f(CommandFilterKey::Status, "InProgress"),
            f(CommandFilterKey::ExecutionStage, "Complete"),
            f(CommandFilterKey::DocumentName, "AWS-RunShellScript"),
        ]),
        ..Default::default()
    };
    assert_eq!(problems(&ok), []);
    let bad = ListCommandsInput {
        filters: Some(vec![
            f(CommandFilterKey::InvokedAfter, "yesterday"),
            f(CommandFilterKey::Status, "Done"),
            f(CommandFilterKey::ExecutionStage, "Running"),
            f(CommandFilterKey::DocumentName, ""),
            CommandFilter {
                key: None,
                value: None,
            },
        ]),
        ..Default::default()
    };
    let got: Vec<String> = problems(&bad).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        got,
        [
            "Filters[3].value", // min length 1
            "Filters[4].key",
            "Filters[4].value",
            "Filters[0].value",
            "Filters[1].value",
            "Filters[2].value",
        ]
    );
}

#[test]
fn every_problem_is_reported_at_once_with_a_readable_message() {
    let input = SendCommandInput {
        instance_ids: Some(vec!["bad".into()]),
        targets: Some(vec![Target {
            key: s("nope"),
            values: Some(vec![]),
        }]),
        document_name: None,
        timeout_seconds: Some(5),
        comment: s(&"c".repeat(101)),
        document_hash: s("h"),
        ..Default::default()
    };
    let err = input.validate().unwrap_err();
    assert_eq!(err.problems.len(), 8, "{err}");
    let text = alloc::format!("{err}");
    assert!(
        text.starts_with(
            "8 validation problems: InstanceIds[0]: must be an instance id such as \
             i-0123456789abcdef0 or mi-0123456789abcdef0 (pattern (^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$))"
        ),
        "{text}"
    );
    assert!(
        text.contains("TimeoutSeconds: must be between 30 and 2592000 (got 5)"),
        "{text}"
    );
    assert!(
        text.contains("Targets: specify exactly one of InstanceIds or Targets"),
        "{text}"
    );
    assert!(
        text.contains("DocumentHash: requires DocumentHashType to be set as well"),
        "{text}"
    );
}

#[test]
fn debug_of_inputs_hides_parameters() {
    let mut input = valid_send();
    input.parameters = Some(Sensitive(BTreeMap::from([(
        "password".into(),
        vec!["PARAM-SENTINEL".into()],
    )])));
    let shown = alloc::format!("{input:?}");
    assert!(!shown.contains("PARAM-SENTINEL"), "{shown}");
    assert!(shown.contains("redacted"));
}

#[test]
fn json_round_trips_through_the_schema_reader() {
    // parse_input builds inputs with the generated readers, not serde: both must agree.
    let full = full_send();
    let json = serde_json::to_vec(&full).unwrap();
    let parsed = parse_input::<SendCommand>(&json).unwrap();
    assert_eq!(parsed, full);
    assert_eq!(
        parsed,
        serde_json::from_slice::<SendCommandInput>(&json).unwrap()
    );
    let list = ListCommandInvocationsInput {
        command_id: s(CMD),
        instance_id: s(ID),
        max_results: Some(50),
        next_token: s("tok"),
        filters: Some(vec![CommandFilter {
            key: Some(CommandFilterKey::Status),
            value: s("Success"),
        }]),
        details: Some(true),
    };
    let json = serde_json::to_vec(&list).unwrap();
    assert_eq!(parse_input::<ListCommandInvocations>(&json).unwrap(), list);
    let describe = DescribeInstanceInformationInput {
        instance_information_filter_list: Some(vec![InstanceInformationFilter {
            key: Some(InstanceInformationFilterKey::PingStatus),
            value_set: Some(vec!["Online".into()]),
        }]),
        filters: Some(vec![InstanceInformationStringFilter {
            key: s("tag:env"),
            values: Some(vec!["prod".into()]),
        }]),
        max_results: Some(5),
        next_token: None,
    };
    let json = serde_json::to_vec(&describe).unwrap();
    assert_eq!(
        parse_input::<DescribeInstanceInformation>(&json).unwrap(),
        describe
    );
}

/// `Rule::code` reads a table by position (for size): each rule keeps its own code.
#[test]
fn every_rule_has_its_code() {
    let rules = [
        (Rule::Required, "required"),
        (Rule::MinLength { min: 1, actual: 0 }, "minLength"),
        (Rule::MaxLength { max: 1, actual: 2 }, "maxLength"),
        (Rule::MinItems { min: 1, actual: 0 }, "minItems"),
        (Rule::MaxItems { max: 1, actual: 2 }, "maxItems"),
        (
            Rule::Range {
                min: Some(1),
                max: None,
                actual: 0,
            },
            "range",
        ),
        (Rule::Pattern(Pattern::InstanceId), "pattern"),
        (Rule::Enum { allowed: &["A"] }, "enum"),
        (
            Rule::ExactlyOneOf {
                members: &["A", "B"],
            },
            "exactlyOneOf",
        ),
        (Rule::Requires { member: "A" }, "requires"),
        (Rule::TargetKey, "targetKey"),
        (Rule::TargetValuesEmpty, "targetValues"),
        (
            Rule::FilterValue {
                key: "Status",
                expected: FilterExpects::CommandStatus,
            },
            "filterValue",
        ),
        (
            Rule::Type {
                expected: Kind::String,
            },
            "type",
        ),
        (Rule::UnknownMember, "unknownMember"),
        (Rule::DuplicateMember, "duplicateMember"),
        (Rule::Json { line: 1, column: 1 }, "json"),
    ];
    for (rule, code) in rules {
        assert_eq!(rule.code(), code, "{rule:?}");
    }
}
