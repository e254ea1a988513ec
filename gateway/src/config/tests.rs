//! Reading the configuration: defaults, rules, and every problem at once.
use super::*;
use crate::route::RegionEndpoint;
use std::collections::HashMap;

fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

/// The one problem of a refused configuration.
fn only<T: std::fmt::Debug>(result: Result<T, Vec<ConfigError>>) -> ConfigError {
    match result {
        Err(mut problems) if problems.len() == 1 => problems.remove(0),
        other => panic!("not exactly one problem: {other:?}"),
    }
}

const BASE: &[(&str, &str)] = &[
    ("UPSTREAM_ACCESS_KEY_ID", "AKIDUPSTREAM"),
    (
        "UPSTREAM_SECRET_ACCESS_KEY",
        "upstream-secret-value-0123456789",
    ),
    ("JWT_ISSUER", "https://issuer.example"),
    ("JWT_AUDIENCE", "ssm-edge"),
    ("JWT_JWKS_URL", "https://issuer.example/jwks.json"),
];

#[test]
fn defaults_resolve_the_regional_endpoint() {
    let config = Config::from_lookup(lookup(BASE)).unwrap();
    assert_eq!(
        config.routes.regions,
        [RegionEndpoint {
            region: "us-east-1".into(),
            url: "https://ssm.us-east-1.amazonaws.com".into(),
            logs_url: "https://logs.us-east-1.amazonaws.com".into(),
        }]
    );
    assert_eq!(config.routes.caller_regions(), ["us-east-1"]);
    assert!(config.routes.accounts.is_empty());
    assert_eq!(
        config.rate_limit,
        Some(RateLimit {
            per_minute: 120,
            burst: 20
        })
    );
    assert!(!format!("{config:?}").contains("upstream-secret-value"));
    assert_eq!(config.routes.home_account_id, None);
    // The digest key is derived from the upstream secret.
    let values = ["nginx".to_owned()];
    assert_eq!(
        config.audit_digest().unwrap().digest(&values),
        DigestKey::derived("upstream-secret-value-0123456789").digest(&values)
    );
}

#[test]
fn account_id_and_digest_key_are_read() {
    let key = "an-audit-digest-key-of-32-chars-or-more";
    let mut pairs = BASE.to_vec();
    pairs.extend([
        ("UPSTREAM_ACCOUNT_ID", "123456789012"),
        ("UPSTREAM_REGION", "cn-north-1"),
        ("AUDIT_DIGEST_KEY", key),
    ]);
    let config = Config::from_lookup(lookup(&pairs)).unwrap();
    let home = config.routes.choose(None, |_| None).unwrap();
    assert_eq!(
        home.scope(),
        crate::policy::UpstreamScope {
            partition: "aws-cn".to_owned(),
            region: "cn-north-1".to_owned(),
            account_id: Some("123456789012".to_owned()),
        }
    );
    let values = ["nginx".to_owned()];
    assert_eq!(
        config.audit_digest().unwrap().digest(&values),
        DigestKey::new(key).digest(&values)
    );
    assert!(!format!("{config:?}").contains(key));
    pairs.push(("AUDIT_PARAMETER_VALUES", "true"));
    assert!(Config::from_lookup(lookup(&pairs))
        .unwrap()
        .audit_digest()
        .is_none());
}

#[test]
fn errors_name_the_variable_and_rule() {
    let mut pairs = BASE.to_vec();
    pairs.push(("UPSTREAM_TIMEOUT_MS", "soon"));
    let e = only(Config::from_lookup(lookup(&pairs)));
    assert_eq!(
        e.to_string(),
        "UPSTREAM_TIMEOUT_MS: milliseconds, 1 or more"
    );

    let e = only(Config::from_lookup(lookup(&BASE[..2])));
    assert_eq!(e.name, "GATEWAY_KEYS");

    let mut pairs = BASE.to_vec();
    pairs.push(("CORS_ALLOWED_ORIGINS", "https://ops.example.com/"));
    assert_eq!(
        only(Config::from_lookup(lookup(&pairs))).name,
        "CORS_ALLOWED_ORIGINS"
    );

    for (name, bad) in [
        ("UPSTREAM_ACCOUNT_ID", "12345678901"),
        ("UPSTREAM_ACCOUNT_ID", "1234567890123"),
        ("UPSTREAM_ACCOUNT_ID", "12345678901a"),
        ("AUDIT_DIGEST_KEY", "short-key"),
        ("OUTPUT_LOG_GROUP", "no spaces in a group"),
        (
            "OUTPUT_LOG_GROUP",
            "arn:aws:logs:us-east-1:123456789012:log-group:x",
        ),
    ] {
        let mut pairs = BASE.to_vec();
        pairs.push((name, bad));
        let e = only(Config::from_lookup(lookup(&pairs)));
        assert_eq!(e.name, name, "{bad}");
        // A secret is never echoed.
        assert!(!e.to_string().contains("short-key"), "{e}");
    }

    let mut pairs = BASE.to_vec();
    pairs.push(("OUTPUT_LOG_GROUP", " /ssm-edge/output "));
    let config = Config::from_lookup(lookup(&pairs)).unwrap();
    assert_eq!(config.output_log_group.as_deref(), Some("/ssm-edge/output"));

    let mut pairs = BASE.to_vec();
    pairs.push(("UPSTREAM_ENDPOINT", "not a url"));
    assert_eq!(
        only(Config::from_lookup(lookup(&pairs))).name,
        "UPSTREAM_ENDPOINT"
    );
}

#[test]
fn the_jwks_refresh_has_a_floor() {
    let refresh = |value: &str| {
        let mut pairs = BASE.to_vec();
        pairs.push(("JWT_JWKS_REFRESH_SECS", value));
        Config::from_lookup(lookup(&pairs))
            .map(|c| c.jwt.unwrap().jwks_refresh_secs)
            .map_err(|p| only::<()>(Err(p)))
    };
    assert_eq!(
        Config::from_lookup(lookup(BASE))
            .unwrap()
            .jwt
            .unwrap()
            .jwks_refresh_secs,
        30
    );
    assert_eq!(refresh("5"), Ok(MIN_JWKS_REFRESH_SECS));
    assert_eq!(refresh("600"), Ok(600));
    for bad in ["0", "4", "-1", "soon"] {
        let e = refresh(bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            "JWT_JWKS_REFRESH_SECS: seconds between forced JWKS fetches, 5 or more",
            "{bad}"
        );
    }
}

#[test]
fn token_principals_are_prefixed_and_keys_may_not_take_the_prefix() {
    let keys = |principal: &str| {
        format!(
            r#"[{{"accessKeyId":"GWKEYROOT0000001","secretAccessKey":"root-secret-0123456789abcdef0123456789","principal":"{principal}"}}]"#
        )
    };
    let prefix = |pairs: &[(&str, &str)]| {
        Config::from_lookup(lookup(pairs)).map(|c| c.jwt.unwrap().principal_prefix)
    };
    assert_eq!(prefix(BASE), Ok("jwt:".to_owned()));
    let mut pairs = BASE.to_vec();
    pairs.push(("JWT_PRINCIPAL_PREFIX", "sso/"));
    assert_eq!(prefix(&pairs), Ok("sso/".to_owned()));
    let none = {
        let mut p = BASE.to_vec();
        p.push(("JWT_PRINCIPAL_PREFIX", "none"));
        p
    };
    assert_eq!(prefix(&none), Ok(String::new()));

    // A key principal that looks like a token's is refused, naming the entry.
    let taken = keys("jwt:root");
    let mut pairs = BASE.to_vec();
    pairs.push(("GATEWAY_KEYS", &taken));
    let e = only(Config::from_lookup(lookup(&pairs)));
    assert_eq!(e.name, "GATEWAY_KEYS");
    assert!(
        e.rule.starts_with(
            r#"GATEWAY_KEYS[0].principal: "jwt:root" starts with JWT_PRINCIPAL_PREFIX "jwt:""#
        ),
        "{e}"
    );
    assert!(!e.rule.contains("root-secret"), "{e}");
    // Even with bearer tokens off (turning them on later must not merge the two).
    let e = only(Config::from_lookup(lookup(&[
        BASE[0],
        BASE[1],
        ("GATEWAY_KEYS", &taken),
    ])));
    assert_eq!(e.name, "GATEWAY_KEYS");
    // With another prefix, or none, the same key is fine.
    pairs.push(("JWT_PRINCIPAL_PREFIX", "sso/"));
    assert_eq!(prefix(&pairs), Ok("sso/".to_owned()));
    let fine = keys("root");
    let mut pairs = BASE.to_vec();
    pairs.push(("GATEWAY_KEYS", &fine));
    assert!(Config::from_lookup(lookup(&pairs)).is_ok());
}

#[test]
fn every_problem_is_reported_at_once() {
    let problems = Config::from_lookup(lookup(&[
        (
            "UPSTREAM_SECRET_ACCESS_KEY",
            "upstream-secret-value-0123456789",
        ),
        ("UPSTREAM_ACCOUNT_ID", "12345"),
        ("UPSTREAM_TIMEOUT_MS", "soon"),
        ("UPSTREAM_MAX_ATTEMPTS", "9"),
        ("MAX_SKEW_SECS", "0"),
        ("GATEWAY_KEYS", "[{]"),
        ("JWT_ISSUER", "https://issuer.example"),
        ("JWT_JWKS_URL", "ftp://issuer.example/jwks"),
        ("CORS_ALLOWED_ORIGINS", "https://ops.example.com/,*"),
        ("RATE_LIMIT_BURST", "0"),
        ("AUDIT_PARAMETER_VALUES", "yes"),
        ("AUDIT_DIGEST_KEY", "short-digest-key"),
    ]))
    .unwrap_err();
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "UPSTREAM_ACCOUNT_ID: a 12-digit AWS account id, like 123456789012",
            "UPSTREAM_ACCESS_KEY_ID: required (a secret)",
            "AUDIT_DIGEST_KEY: a secret of 32 characters or more",
            "UPSTREAM_TIMEOUT_MS: milliseconds, 1 or more",
            "UPSTREAM_MAX_ATTEMPTS: 1 to 5",
            "MAX_SKEW_SECS: seconds, 1 to 900",
            "GATEWAY_KEYS must be a JSON array of {accessKeyId, secretAccessKey, principal, groups}: invalid at line 1 column 3",
            "JWT_AUDIENCE: required when JWT_ISSUER is set",
            "JWT_JWKS_URL: an http(s) URL",
            r#"CORS_ALLOWED_ORIGINS: "https://ops.example.com/" is not an exact origin like https://ops.example.com"#,
            r#"CORS_ALLOWED_ORIGINS: "*" is not an exact origin like https://ops.example.com"#,
            "RATE_LIMIT_BURST: requests, 1 or more",
            "AUDIT_PARAMETER_VALUES: true or false",
        ]
    );
    // No secret is echoed.
    assert!(!lines.concat().contains("short-digest-key"));
    assert!(!lines.concat().contains("upstream-secret"));
}

#[test]
fn a_message_names_its_variable_once() {
    let short =
        r#"[{"accessKeyId":"GWKEYALICE000001","secretAccessKey":"short","principal":"alice"}]"#;
    let mut pairs = BASE.to_vec();
    pairs.push(("GATEWAY_KEYS", short));
    assert_eq!(
        only(Config::from_lookup(lookup(&pairs))).to_string(),
        "GATEWAY_KEYS[0].secretAccessKey: 32 or more characters"
    );
    // A rule that does not start with the name gets it in front.
    let e = ConfigError {
        name: "GATEWAY_KEYS",
        rule: "GATEWAY_KEYSX is not it".into(),
    };
    assert_eq!(e.to_string(), "GATEWAY_KEYS: GATEWAY_KEYSX is not it");
}

#[test]
fn no_way_in_is_one_problem_but_a_broken_one_is_not_two() {
    let e = only(Config::from_lookup(lookup(&BASE[..2])));
    assert_eq!(
        e.to_string(),
        "GATEWAY_KEYS: no caller could authenticate: set GATEWAY_KEYS or JWT_ISSUER (or both)"
    );
    let e = only(Config::from_lookup(lookup(&[
        BASE[0],
        BASE[1],
        ("GATEWAY_KEYS", "not json"),
    ])));
    assert!(e.to_string().starts_with("GATEWAY_KEYS must be"), "{e}");
}

#[test]
fn starting_reports_the_policies_with_the_variables() {
    let problems = match crate::Gateway::start(lookup(&[
        ("MAX_SKEW_SECS", "soon"),
        ("POLICIES", "permit (principal, action, resource"),
    ])) {
        Ok(_) => panic!("started"),
        Err(problems) => problems,
    };
    let names: Vec<&str> = problems.iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "UPSTREAM_ACCESS_KEY_ID",
            "UPSTREAM_SECRET_ACCESS_KEY",
            "MAX_SKEW_SECS",
            "GATEWAY_KEYS",
            "POLICIES"
        ]
    );
    let policies = problems.last().unwrap().to_string();
    assert!(policies.starts_with("POLICIES"), "{policies}");
    assert!(!policies.starts_with("POLICIES: POLICIES"), "{policies}");
    // Valid variables with broken policies: the one problem.
    let mut pairs = BASE.to_vec();
    pairs.push(("POLICIES", "permit (principal, action, resource"));
    let problems = crate::Gateway::start(lookup(&pairs)).err().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].name, "POLICIES");
}

#[test]
fn every_variable_is_in_the_table() {
    let doc = include_str!("../config.rs");
    for name in VARIABLES {
        assert!(doc.contains(&format!("`{name}`")), "{name}");
    }
}

#[test]
fn the_summary_names_no_secret() {
    let key = "an-audit-digest-key-of-32-chars-or-more";
    let keys = r#"[{"accessKeyId":"GWKEYALICE000001","secretAccessKey":"alice-secret-0123456789abcdef0123","principal":"alice","groups":["on-call"]}]"#;
    let mut pairs = BASE.to_vec();
    pairs.extend([("AUDIT_DIGEST_KEY", key), ("GATEWAY_KEYS", keys)]);
    let get = lookup(&pairs);
    let gateway = crate::Gateway::start(&get).unwrap();
    let summary = summary::Summary::new(&gateway, &get);
    let text = format!("{summary}\n{}", serde_json::to_string(&summary).unwrap());
    for secret in [key, "alice-secret", "upstream-secret-value"] {
        assert!(!text.contains(secret), "{text}");
    }
    assert!(
        text.contains("GWKEYALICE000001 → alice [on-call]"),
        "{text}"
    );
    assert!(
        text.contains("access key id …REAM, secret access key of 32 characters"),
        "{text}"
    );
    assert!(text.contains("AUDIT_DIGEST_KEY (39 characters)"), "{text}");
}

#[test]
fn several_regions_are_served_with_their_endpoints() {
    let mut pairs = BASE.to_vec();
    pairs.push(("UPSTREAM_REGIONS", "eu-west-1, us-east-1"));
    let config = Config::from_lookup(lookup(&pairs)).unwrap();
    let routes = &config.routes;
    assert_eq!(routes.default_region, "eu-west-1");
    assert_eq!(routes.signing_region, None);
    assert_eq!(routes.caller_regions(), ["eu-west-1", "us-east-1"]);
    assert_eq!(
        routes.endpoint("us-east-1").unwrap().url,
        "https://ssm.us-east-1.amazonaws.com"
    );
    // An override URL serves every region (the local SSM, moto).
    pairs.extend([
        ("UPSTREAM_ENDPOINT", "http://127.0.0.1:4566/"),
        ("UPSTREAM_REGION", "us-east-1"),
    ]);
    let config = Config::from_lookup(lookup(&pairs)).unwrap();
    assert_eq!(config.routes.default_region, "us-east-1");
    for region in ["eu-west-1", "us-east-1"] {
        assert_eq!(
            config.routes.endpoint(region).unwrap().url,
            "http://127.0.0.1:4566"
        );
    }
}

#[test]
fn region_lists_that_cannot_work_are_refused() {
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut pairs = BASE.to_vec();
        pairs.extend_from_slice(extra);
        Config::from_lookup(lookup(&pairs)).map(|_| ())
    };
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("UPSTREAM_REGIONS", "us-east-1,eu-west-1"), ("UPSTREAM_REGION", "ap-south-1")],
            r#"UPSTREAM_REGION: "ap-south-1" must be one of UPSTREAM_REGIONS"#,
        ),
        (
            &[("UPSTREAM_REGIONS", "us-east-1,us-east-1")],
            r#"UPSTREAM_REGIONS: "us-east-1" is listed twice"#,
        ),
        (
            &[("UPSTREAM_REGIONS", "us-east-1,cn-north-1")],
            "UPSTREAM_REGIONS: regions of one partition only (aws, aws-cn, aws-us-gov…): one set of credentials reaches one partition",
        ),
        (
            &[("UPSTREAM_REGIONS", "us-east-1,eu-west-1"), ("GATEWAY_REGION", "us-east-1")],
            "GATEWAY_REGION: only with one upstream region: with UPSTREAM_REGIONS, callers sign for the region they want",
        ),
    ];
    for (extra, problem) in cases {
        assert_eq!(only(with(extra)).to_string(), *problem, "{extra:?}");
    }
    assert_eq!(
        only(with(&[("UPSTREAM_REGIONS", "us-east-1,not a region")])).name,
        "UPSTREAM_REGIONS"
    );
}

#[test]
fn accounts_are_role_arns_under_aliases() {
    let mut pairs = BASE.to_vec();
    pairs.extend([
        ("UPSTREAM_ACCOUNT_ID", "111111111111"),
        (
            "UPSTREAM_ACCOUNTS",
            r#"{"staging": "arn:aws:iam::222222222222:role/ssm-edge", "prod": "arn:aws:iam::333333333333:role/ops/ssm-edge"}"#,
        ),
        ("UPSTREAM_STS_ENDPOINT", "http://127.0.0.1:4566"),
        ("UPSTREAM_ROLE_DURATION_SECS", "900"),
    ]);
    let config = Config::from_lookup(lookup(&pairs)).unwrap();
    let routes = &config.routes;
    assert_eq!(routes.account_names(), ["default", "prod", "staging"]);
    assert_eq!(routes.account("prod").unwrap().account_id, "333333333333");
    assert_eq!(config.roles.duration_secs, 900);
    let sts = config.roles.sts.as_ref().unwrap();
    assert_eq!(
        (
            sts.url.as_str(),
            sts.signing_region.as_str(),
            sts.signing_name
        ),
        ("http://127.0.0.1:4566", "us-east-1", "sts")
    );
    // Without an override, the default region's STS endpoint.
    pairs.retain(|(name, _)| *name != "UPSTREAM_STS_ENDPOINT");
    pairs.push(("UPSTREAM_REGION", "eu-west-1"));
    let config = Config::from_lookup(lookup(&pairs)).unwrap();
    assert_eq!(
        config.roles.sts.unwrap().url,
        "https://sts.eu-west-1.amazonaws.com"
    );
}

#[test]
fn broken_accounts_are_refused_naming_the_alias_and_rule() {
    let with = |accounts: &'static str| {
        let mut pairs = BASE.to_vec();
        pairs.push(("UPSTREAM_ACCOUNTS", accounts));
        Config::from_lookup(lookup(&pairs)).map(|_| ())
    };
    let problem = |accounts| only(with(accounts)).to_string();
    assert!(problem(r#"["arn:aws:iam::222222222222:role/x"]"#)
        .starts_with("UPSTREAM_ACCOUNTS: a JSON object of account alias to role ARN"));
    assert!(problem(r#"{"Prod": "arn:aws:iam::222222222222:role/x"}"#)
        .starts_with(r#"UPSTREAM_ACCOUNTS: "Prod" is not an account alias"#));
    assert!(
        problem(r#"{"default": "arn:aws:iam::222222222222:role/x"}"#)
            .starts_with(r#"UPSTREAM_ACCOUNTS: "default" is not an account alias"#)
    );
    assert!(
        problem(r#"{"prod": "arn:aws:iam::2222:role/x"}"#).starts_with("UPSTREAM_ACCOUNTS: prod: ")
    );
    assert!(problem(r#"{"prod": "arn:aws:iam::222222222222:user/x"}"#)
        .starts_with("UPSTREAM_ACCOUNTS: prod: "));
    assert_eq!(
        problem(r#"{"prod": "arn:aws-cn:iam::222222222222:role/x"}"#),
        r#"UPSTREAM_ACCOUNTS: prod: the role is in partition "aws-cn", the upstream regions in "aws""#
    );
    let mut pairs = BASE.to_vec();
    pairs.push(("UPSTREAM_ROLE_DURATION_SECS", "60"));
    assert_eq!(
        only(Config::from_lookup(lookup(&pairs))).name,
        "UPSTREAM_ROLE_DURATION_SECS"
    );
}

/// The Durable Object bindings are declared for deployment (`wrangler.toml`) and for the
/// local runs through Miniflare (`gateway/durable-objects.mjs`): the same pairs.
#[test]
fn worker_bindings_match_wrangler_toml() {
    let toml = include_str!("../../wrangler.toml");
    let mjs = include_str!("../../durable-objects.mjs");
    let pairs_in = |text: &str, pattern: fn(&str) -> Option<(String, String)>| {
        let mut pairs: Vec<(String, String)> = text.lines().filter_map(pattern).collect();
        pairs.sort();
        pairs
    };
    let from_toml = pairs_in(toml, |line| {
        let line = line.trim();
        line.starts_with("{ name = ").then(|| {
            let parts: Vec<String> = line
                .split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            (parts[0].clone(), parts[1].clone())
        })
    });
    let from_mjs = pairs_in(mjs, |line| {
        let line = line.trim();
        let (name, class) = line.split_once(": ")?;
        let name = name.trim();
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')).then(|| {
            (
                name.to_owned(),
                class.trim_end_matches(',').trim_matches('"').to_owned(),
            )
        })
    });
    assert_eq!(from_toml.len(), 3, "{from_toml:?}");
    assert_eq!(from_toml, from_mjs);
    // Each class has a migration that creates it.
    let migrated: String = toml
        .lines()
        .filter(|l| l.starts_with("new_sqlite_classes"))
        .collect();
    for (_, class) in &from_toml {
        assert!(
            migrated.contains(&format!("\"{class}\"")),
            "{class} has no migration"
        );
    }
}
