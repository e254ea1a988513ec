//! The upstream part of the configuration that says where calls may go: regions
//! (`UPSTREAM_REGION`, `UPSTREAM_REGIONS`, `UPSTREAM_ENDPOINT`, `GATEWAY_REGION`) and
//! accounts (`UPSTREAM_ACCOUNT_ID`, `UPSTREAM_ACCOUNTS`, `UPSTREAM_STS_ENDPOINT`,
//! `UPSTREAM_ROLE_DURATION_SECS`), read into [`Routes`] and [`RoleSettings`].

use std::collections::BTreeMap;

use ssm_edge_core::endpoint::{partition_of, Endpoint, EndpointConfig, Endpoints};
use ssm_edge_core::sts::{sts_endpoint, RoleArn};

use super::Reader;
use crate::route::{is_account_alias, RegionEndpoint, RoleAccount, Routes, HOME_ACCOUNT};

/// How roles are assumed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSettings {
    /// The STS endpoint (the default region's, or `UPSTREAM_STS_ENDPOINT`), signed for
    /// the default region; `None` when it does not resolve (a problem was reported).
    pub sts: Option<Endpoint>,
    /// `DurationSeconds` of each AssumeRole (`UPSTREAM_ROLE_DURATION_SECS`).
    pub duration_secs: u32,
}

pub(super) fn read_routes<G: Fn(&str) -> Option<String>>(
    r: &mut Reader<G>,
) -> (Routes, RoleSettings) {
    let listed = super::list(r.get("UPSTREAM_REGIONS"));
    let default_region = match (r.get("UPSTREAM_REGION"), listed.first()) {
        (Some(region), _) => region.trim().to_owned(),
        (None, Some(first)) => first.clone(),
        (None, None) => "us-east-1".to_owned(),
    };
    let mut names = listed.clone();
    if names.is_empty() {
        names.push(default_region.clone());
    } else if !names.contains(&default_region) {
        r.problem(
            "UPSTREAM_REGION",
            format!("{default_region:?} must be one of UPSTREAM_REGIONS"),
        );
    }
    let custom = r.get("UPSTREAM_ENDPOINT");
    let mut regions = Vec::new();
    for region in names {
        if regions.iter().any(|r: &RegionEndpoint| r.region == region) {
            r.problem("UPSTREAM_REGIONS", format!("{region:?} is listed twice"));
            continue;
        }
        let mut endpoint = EndpointConfig::new(region.clone());
        if let Some(url) = &custom {
            endpoint = endpoint.with_endpoint_url(url.clone());
        }
        match Endpoints::resolve(&endpoint) {
            Ok(resolved) => regions.push(RegionEndpoint {
                region,
                url: resolved.ssm.url,
                logs_url: resolved.logs.url,
            }),
            Err(e) => {
                let name = match (&custom, listed.is_empty()) {
                    (Some(_), _) => "UPSTREAM_ENDPOINT",
                    (None, true) => "UPSTREAM_REGION",
                    (None, false) => "UPSTREAM_REGIONS",
                };
                r.problem(name, e.to_string());
            }
        }
    }
    let partitions: Vec<&str> = regions
        .iter()
        .filter_map(|r| partition_of(&r.region))
        .collect();
    if partitions.windows(2).any(|w| w[0] != w[1]) {
        r.problem(
            "UPSTREAM_REGIONS",
            "regions of one partition only (aws, aws-cn, aws-us-gov…): one set of credentials reaches one partition",
        );
    }
    let signing_region = match (r.get("GATEWAY_REGION"), regions.len()) {
        (gateway, 0 | 1) => Some(gateway.unwrap_or_else(|| default_region.clone())),
        (Some(_), _) => {
            r.problem(
                "GATEWAY_REGION",
                "only with one upstream region: with UPSTREAM_REGIONS, callers sign for the region they want",
            );
            None
        }
        (None, _) => None,
    };
    let home_account_id = r.get("UPSTREAM_ACCOUNT_ID").map(|v| v.trim().to_owned());
    if let Some(id) = &home_account_id {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            r.problem(
                "UPSTREAM_ACCOUNT_ID",
                "a 12-digit AWS account id, like 123456789012",
            );
        }
    }
    let partition = partition_of(&default_region).unwrap_or("aws");
    let accounts = read_accounts(r, partition);
    let roles = read_role_settings(r, &default_region, !accounts.is_empty());
    let routes = Routes {
        regions,
        default_region,
        signing_region,
        home_account_id,
        accounts,
    };
    (routes, roles)
}

/// `UPSTREAM_ACCOUNTS`: a JSON object of alias → role ARN.
fn read_accounts<G: Fn(&str) -> Option<String>>(
    r: &mut Reader<G>,
    partition: &str,
) -> Vec<RoleAccount> {
    const NAME: &str = "UPSTREAM_ACCOUNTS";
    let Some(text) = r.get(NAME) else {
        return Vec::new();
    };
    let map: BTreeMap<String, String> = match serde_json::from_str(&text) {
        Ok(map) => map,
        Err(_) => {
            r.problem(
                NAME,
                r#"a JSON object of account alias to role ARN, like {"staging": "arn:aws:iam::111122223333:role/ssm-edge"}"#,
            );
            return Vec::new();
        }
    };
    let mut accounts = Vec::new();
    for (alias, arn) in map {
        if !is_account_alias(&alias) || alias == HOME_ACCOUNT {
            r.problem(
                NAME,
                format!("{alias:?} is not an account alias: 1-63 lowercase letters, digits and hyphens, not \"{HOME_ACCOUNT}\" (the gateway's own account)"),
            );
            continue;
        }
        match RoleArn::parse(&arn) {
            Ok(role) if role.partition() != partition => r.problem(
                NAME,
                format!(
                    "{alias}: the role is in partition {:?}, the upstream regions in {partition:?}",
                    role.partition()
                ),
            ),
            Ok(role) => accounts.push(RoleAccount {
                alias,
                role_arn: role.as_str().to_owned(),
                account_id: role.account_id().to_owned(),
            }),
            Err(e) => r.problem(NAME, format!("{alias}: {e}")),
        }
    }
    accounts
}

fn read_role_settings<G: Fn(&str) -> Option<String>>(
    r: &mut Reader<G>,
    default_region: &str,
    used: bool,
) -> RoleSettings {
    let custom = r.get("UPSTREAM_STS_ENDPOINT");
    let sts = match sts_endpoint(default_region, custom.as_deref()) {
        Ok(endpoint) => Some(endpoint),
        Err(e) => {
            // A broken region is reported once, by the regions above.
            if custom.is_some() && used {
                r.problem("UPSTREAM_STS_ENDPOINT", e.to_string());
            }
            None
        }
    };
    let duration_secs = r.number(
        "UPSTREAM_ROLE_DURATION_SECS",
        3600u32,
        "seconds, 900 to 43200 (and at most the role's maximum session duration)",
        |n| (900..=43_200).contains(&n),
    );
    RoleSettings { sts, duration_secs }
}
