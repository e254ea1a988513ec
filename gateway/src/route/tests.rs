//! Choosing a route from the signed region and the route headers.

use super::*;

fn routes(regions: &[&str], signing_region: Option<&str>) -> Routes {
    Routes {
        regions: regions
            .iter()
            .map(|r| RegionEndpoint {
                region: (*r).to_owned(),
                url: format!("https://ssm.{r}.amazonaws.com"),
                logs_url: format!("https://logs.{r}.amazonaws.com"),
            })
            .collect(),
        default_region: regions[0].to_owned(),
        signing_region: signing_region.map(str::to_owned),
        home_account_id: Some("111111111111".into()),
        accounts: vec![RoleAccount {
            alias: "staging".into(),
            role_arn: "arn:aws:iam::222222222222:role/ssm-edge".into(),
            account_id: "222222222222".into(),
        }],
    }
}

fn headers<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
    move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

fn route(region: &str, account: &str, id: &str) -> Route {
    Route {
        region: region.into(),
        account: account.into(),
        account_id: Some(id.into()),
    }
}

#[test]
fn sigv4_callers_reach_the_region_they_signed_for() {
    let several = routes(&["us-east-1", "eu-west-1"], None);
    assert_eq!(
        several.choose(Some("eu-west-1"), headers(&[])),
        Ok(route("eu-west-1", HOME_ACCOUNT, "111111111111"))
    );
    // The header may repeat the signed region, never contradict it.
    assert_eq!(
        several.choose(Some("eu-west-1"), headers(&[(REGION_HEADER, "eu-west-1")])),
        Ok(route("eu-west-1", HOME_ACCOUNT, "111111111111"))
    );
    assert_eq!(
        several.choose(Some("eu-west-1"), headers(&[(REGION_HEADER, "us-east-1")])),
        Err(RouteRefusal::RegionConflict {
            given: "us-east-1".into(),
            signed: "eu-west-1".into()
        })
    );
    assert_eq!(several.caller_regions(), ["us-east-1", "eu-west-1"]);
}

#[test]
fn with_one_region_callers_sign_for_gateway_region_and_reach_the_upstream() {
    let one = routes(&["eu-west-1"], Some("us-east-1"));
    assert_eq!(one.caller_regions(), ["us-east-1"]);
    assert_eq!(
        one.choose(Some("us-east-1"), headers(&[])),
        Ok(route("eu-west-1", HOME_ACCOUNT, "111111111111"))
    );
    for asked in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            one.choose(None, headers(&[(REGION_HEADER, asked)])),
            Ok(route("eu-west-1", HOME_ACCOUNT, "111111111111")),
            "{asked}"
        );
    }
}

#[test]
fn bearer_callers_pick_a_served_region_by_header_or_get_the_default() {
    let several = routes(&["us-east-1", "eu-west-1"], None);
    assert_eq!(
        several.choose(None, headers(&[])),
        Ok(route("us-east-1", HOME_ACCOUNT, "111111111111"))
    );
    assert_eq!(
        several.choose(None, headers(&[(REGION_HEADER, " eu-west-1 ")])),
        Ok(route("eu-west-1", HOME_ACCOUNT, "111111111111"))
    );
    let refused = several
        .choose(None, headers(&[(REGION_HEADER, "ap-south-1")]))
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "X-Ssm-Edge-Region: \"ap-south-1\" is not a region this gateway serves (it serves us-east-1, eu-west-1)"
    );
    assert_eq!(refused.code(), "ValidationException");
}

#[test]
fn the_account_header_picks_a_role_account_or_the_default() {
    let several = routes(&["us-east-1"], None);
    assert_eq!(
        several.choose(None, headers(&[(ACCOUNT_HEADER, "staging")])),
        Ok(route("us-east-1", "staging", "222222222222"))
    );
    assert_eq!(
        several.choose(None, headers(&[(ACCOUNT_HEADER, "default")])),
        Ok(route("us-east-1", HOME_ACCOUNT, "111111111111"))
    );
    let long = "x".repeat(500);
    for given in ["prod", "Staging", "222222222222", long.as_str()] {
        let refusal = several
            .choose(None, headers(&[(ACCOUNT_HEADER, given)]))
            .unwrap_err();
        let RouteRefusal::AccountNotServed {
            given: echoed,
            served,
        } = &refusal
        else {
            panic!("{refusal:?}");
        };
        assert!(echoed.chars().count() <= 64);
        assert_eq!(served, "default, staging");
        // Never the role or its account id.
        assert!(!refusal.to_string().contains("arn:"), "{refusal}");
    }
}

#[test]
fn a_route_classifies_documents_against_its_own_account_and_region() {
    let scope = route("eu-west-1", "staging", "222222222222").scope();
    assert_eq!(scope.region, "eu-west-1");
    assert_eq!(scope.account_id.as_deref(), Some("222222222222"));
    assert_eq!(scope.partition, "aws");
}
