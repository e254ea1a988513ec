//! Endpoint resolution: region (or a custom URL) → the SSM endpoint to call and sign for.
//!
//! A transcription of botocore's SSM endpoint rule set (`endpoint-rule-set-1.json`)
//! and partition table (`partitions.json`), checked case by case against botocore
//! itself in `tests/tests/endpoint_oracle.rs`. The rules, in order:
//!
//! 1. The region must be a valid host label (botocore's `validate_region_name`; the
//!    rule set itself would happily build `https://ssm..amazonaws.com`).
//! 2. With a custom `endpoint_url`: FIPS is an error, dual-stack is an error, else the
//!    URL is used as given, checked (see [`UrlProblem`]: stricter than botocore) and
//!    without trailing slashes, its scheme in lower case (as botocore sends it).
//! 3. The region picks a partition: the first partition, in `partitions.json` order,
//!    that lists the region or whose `regionRegex` matches it; `aws` if none does.
//! 4. FIPS + dual-stack → `https://ssm-fips.{region}.{dualStackDnsSuffix}`;
//!    FIPS → `https://ssm-fips.{region}.{dnsSuffix}`, except `aws-us-gov`, whose FIPS
//!    endpoint is `https://ssm.{region}.amazonaws.com`;
//!    dual-stack → `https://ssm.{region}.{dualStackDnsSuffix}`;
//!    otherwise `https://ssm.{region}.{dnsSuffix}`.
//!
//! The rule set sets no auth-scheme properties, so requests are signed for the
//! configured region under the signing name `ssm`.

use alloc::format;
use alloc::string::String;
use core::fmt;

/// The SigV4 signing name (service) of SSM.
pub const SIGNING_NAME: &str = "ssm";

/// What to resolve: the SDK's `AWS::Region`, `AWS::UseFIPS`, `AWS::UseDualStack` and
/// `SDK::Endpoint` built-ins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointConfig {
    /// The AWS region, e.g. `us-east-1`. Also the signing region, even with a custom endpoint.
    pub region: String,
    /// Use the FIPS endpoint.
    pub use_fips: bool,
    /// Use the dual-stack (IPv4 + IPv6) endpoint.
    pub use_dual_stack: bool,
    /// A custom endpoint URL (e.g. a local test server, or a VPC endpoint), used as
    /// given but for trailing slashes and the scheme's case.
    pub endpoint_url: Option<String>,
}

impl EndpointConfig {
    /// The standard endpoint of `region`: no FIPS, no dual-stack, no custom URL.
    #[must_use]
    pub fn new(region: impl Into<String>) -> Self {
        EndpointConfig {
            region: region.into(),
            use_fips: false,
            use_dual_stack: false,
            endpoint_url: None,
        }
    }

    /// The same configuration with `use_fips` set.
    #[must_use]
    pub fn with_fips(mut self, use_fips: bool) -> Self {
        self.use_fips = use_fips;
        self
    }

    /// The same configuration with `use_dual_stack` set.
    #[must_use]
    pub fn with_dual_stack(mut self, use_dual_stack: bool) -> Self {
        self.use_dual_stack = use_dual_stack;
        self
    }

    /// The same configuration with a custom endpoint URL.
    #[must_use]
    pub fn with_endpoint_url(mut self, endpoint_url: impl Into<String>) -> Self {
        self.endpoint_url = Some(endpoint_url.into());
        self
    }
}

/// A resolved endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Base URL without a trailing slash, e.g. `https://ssm.us-east-1.amazonaws.com`
    /// (a custom URL keeps its path, e.g. `http://127.0.0.1:5000/ssm`).
    pub url: String,
    /// The region to sign for (the configured region).
    pub signing_region: String,
    /// The service name to sign for: always [`SIGNING_NAME`] (`ssm`).
    pub signing_name: &'static str,
}

/// Why an [`EndpointConfig`] has no endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// `region` is not a valid host label: 1 to 63 ASCII letters, digits and hyphens,
    /// neither starting nor ending with a hyphen, and not all digits.
    InvalidRegion {
        /// The region given.
        region: String,
    },
    /// `use_fips` together with `endpoint_url`.
    FipsWithCustomEndpoint,
    /// `use_dual_stack` together with `endpoint_url`.
    DualStackWithCustomEndpoint,
    /// `endpoint_url` is not a usable base URL. (The URL itself is not kept: it may
    /// carry credentials.)
    InvalidEndpointUrl(UrlProblem),
    /// `use_fips` with `use_dual_stack` in a partition lacking one of them. (No
    /// partition in the current `partitions.json` lacks either.)
    FipsAndDualStackNotSupported {
        /// The partition of the region.
        partition: &'static str,
    },
    /// `use_fips` in a partition without FIPS endpoints.
    FipsNotSupported {
        /// The partition of the region.
        partition: &'static str,
    },
    /// `use_dual_stack` in a partition without dual-stack endpoints.
    DualStackNotSupported {
        /// The partition of the region.
        partition: &'static str,
    },
}

impl EndpointError {
    /// The rule set's own error message for this error, if it is one of the rule
    /// set's errors (the region and URL checks are botocore's and ours).
    #[must_use]
    pub fn rule_message(&self) -> Option<&'static str> {
        match self {
            EndpointError::FipsWithCustomEndpoint => {
                Some("Invalid Configuration: FIPS and custom endpoint are not supported")
            }
            EndpointError::DualStackWithCustomEndpoint => {
                Some("Invalid Configuration: Dualstack and custom endpoint are not supported")
            }
            EndpointError::FipsAndDualStackNotSupported { .. } => Some(
                "FIPS and DualStack are enabled, but this partition does not support one or both",
            ),
            EndpointError::FipsNotSupported { .. } => {
                Some("FIPS is enabled but this partition does not support FIPS")
            }
            EndpointError::DualStackNotSupported { .. } => {
                Some("DualStack is enabled but this partition does not support DualStack")
            }
            EndpointError::InvalidRegion { .. } | EndpointError::InvalidEndpointUrl(_) => None,
        }
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::InvalidRegion { region } => write!(
                f,
                "region {region:?} is invalid: it must be a host label of 1 to 63 ASCII \
                 letters, digits and hyphens, not starting or ending with a hyphen and \
                 not all digits"
            )?,
            EndpointError::FipsWithCustomEndpoint => {
                f.write_str("use_fips cannot be combined with endpoint_url")?;
            }
            EndpointError::DualStackWithCustomEndpoint => {
                f.write_str("use_dual_stack cannot be combined with endpoint_url")?;
            }
            EndpointError::InvalidEndpointUrl(problem) => {
                write!(f, "endpoint_url is invalid: {problem}")?;
            }
            EndpointError::FipsAndDualStackNotSupported { partition } => write!(
                f,
                "use_fips with use_dual_stack is not available in partition {partition}"
            )?,
            EndpointError::FipsNotSupported { partition } => {
                write!(f, "use_fips is not available in partition {partition}")?;
            }
            EndpointError::DualStackNotSupported { partition } => {
                write!(
                    f,
                    "use_dual_stack is not available in partition {partition}"
                )?;
            }
        }
        match self.rule_message() {
            Some(rule) => write!(f, " (endpoint rule: {rule})"),
            None => Ok(()),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for EndpointError {}

/// What is wrong with a custom endpoint URL.
///
/// Stricter than botocore (which only wants a scheme and a valid host): a base URL
/// here is `http(s)://host[:port][/path]`, printable ASCII only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlProblem {
    /// The scheme is not `http://` or `https://`.
    Scheme,
    /// There is no host.
    MissingHost,
    /// The host is neither DNS labels (1 to 63 letters, digits, hyphens each, no
    /// leading or trailing hyphen, 255 characters at most) nor a bracketed IPv6 address.
    InvalidHost,
    /// The port is not a number from 1 to 65535.
    InvalidPort,
    /// There is a `user:password@` part.
    UserInfo,
    /// There is a `?query`.
    Query,
    /// There is a `#fragment`.
    Fragment,
    /// There is a space, a control character or a non-ASCII character.
    InvalidCharacter,
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlProblem::Scheme => "the scheme must be http:// or https://",
            UrlProblem::MissingHost => "it has no host",
            UrlProblem::InvalidHost => {
                "the host must be DNS labels (letters, digits, hyphens) or a bracketed IPv6 address"
            }
            UrlProblem::InvalidPort => "the port must be a number from 1 to 65535",
            UrlProblem::UserInfo => "it must not carry a user name or password",
            UrlProblem::Query => "it must not have a query (?...)",
            UrlProblem::Fragment => "it must not have a fragment (#...)",
            UrlProblem::InvalidCharacter => {
                "it must be printable ASCII (no spaces, control or non-ASCII characters; percent-encode them)"
            }
        })
    }
}

/// Resolves `config` to the endpoint to call, as botocore's SSM rule set does.
///
/// # Errors
/// [`EndpointError`] names the field and the rule that refuses the configuration.
pub fn resolve(config: &EndpointConfig) -> Result<Endpoint, EndpointError> {
    resolve_in(config, PARTITIONS)
}

/// The partition (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, ...) of a valid region,
/// chosen as the rule set's `aws.partition` does; `None` if `region` is invalid.
#[must_use]
pub fn partition_of(region: &str) -> Option<&'static str> {
    is_valid_region(region).then(|| partition_in(region, PARTITIONS).name)
}

fn resolve_in(
    config: &EndpointConfig,
    partitions: &[Partition],
) -> Result<Endpoint, EndpointError> {
    let region = config.region.as_str();
    if !is_valid_region(region) {
        return Err(EndpointError::InvalidRegion {
            region: config.region.clone(),
        });
    }
    let url = match &config.endpoint_url {
        Some(custom) => {
            if config.use_fips {
                return Err(EndpointError::FipsWithCustomEndpoint);
            }
            if config.use_dual_stack {
                return Err(EndpointError::DualStackWithCustomEndpoint);
            }
            validate_base_url(custom).map_err(EndpointError::InvalidEndpointUrl)?
        }
        None => regional_url(region, config.use_fips, config.use_dual_stack, partitions)?,
    };
    Ok(Endpoint {
        url,
        signing_region: config.region.clone(),
        signing_name: SIGNING_NAME,
    })
}

fn regional_url(
    region: &str,
    fips: bool,
    dual_stack: bool,
    partitions: &[Partition],
) -> Result<String, EndpointError> {
    let p = partition_in(region, partitions);
    let partition = p.name;
    match (fips, dual_stack) {
        (true, true) if p.supports_fips && p.supports_dual_stack => Ok(format!(
            "https://ssm-fips.{region}.{}",
            p.dual_stack_dns_suffix
        )),
        (true, true) => Err(EndpointError::FipsAndDualStackNotSupported { partition }),
        (true, false) if p.supports_fips && p.name == "aws-us-gov" => {
            Ok(format!("https://ssm.{region}.amazonaws.com"))
        }
        (true, false) if p.supports_fips => {
            Ok(format!("https://ssm-fips.{region}.{}", p.dns_suffix))
        }
        (true, false) => Err(EndpointError::FipsNotSupported { partition }),
        (false, true) if p.supports_dual_stack => {
            Ok(format!("https://ssm.{region}.{}", p.dual_stack_dns_suffix))
        }
        (false, true) => Err(EndpointError::DualStackNotSupported { partition }),
        (false, false) => Ok(format!("https://ssm.{region}.{}", p.dns_suffix)),
    }
}

/// botocore's `validate_region_name` (`^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{,63}(?<!-)$`),
/// minus the empty string (which botocore lets through to fail later as the invalid
/// endpoint `https://ssm..amazonaws.com`).
fn is_valid_region(region: &str) -> bool {
    let b = region.as_bytes();
    (1..=63).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && !b.iter().all(u8::is_ascii_digit)
        && b.first() != Some(&b'-')
        && b.last() != Some(&b'-')
}

/// One partition of `partitions.json` (only what the SSM rules read).
struct Partition {
    /// `outputs.name` (equal to `id` in every partition).
    name: &'static str,
    /// `regionRegex` is `^(<prefix>|...)\-\w+\-\d+$`: these are its prefixes.
    region_prefixes: &'static [&'static str],
    /// The explicitly listed regions.
    regions: &'static [&'static str],
    dns_suffix: &'static str,
    dual_stack_dns_suffix: &'static str,
    supports_fips: bool,
    supports_dual_stack: bool,
}

impl Partition {
    /// `region in regions or re.match(regionRegex, region)`, for a valid region
    /// (ASCII letters, digits, hyphens: so Python's `\w` is `[A-Za-z0-9]` and `\d` is `[0-9]`).
    fn contains(&self, region: &str) -> bool {
        self.regions.contains(&region)
            || self.region_prefixes.iter().any(|prefix| {
                let rest = region
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('-'));
                // `\w+\-\d+$`: `\w` cannot match `-`, so the first `-` separates them.
                match rest.and_then(|r| r.split_once('-')) {
                    Some((word, digits)) => {
                        !word.is_empty()
                            && word.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                            && !digits.is_empty()
                            && digits.bytes().all(|c| c.is_ascii_digit())
                    }
                    None => false,
                }
            })
    }
}

/// The first partition containing `region`, else the first partition (`aws`).
fn partition_in<'a>(region: &str, partitions: &'a [Partition]) -> &'a Partition {
    partitions
        .iter()
        .find(|p| p.contains(region))
        .unwrap_or(&partitions[0])
}

/// `partitions.json` (botocore 1.44.8), in its order: the first match wins.
const PARTITIONS: &[Partition] = &[
    Partition {
        name: "aws",
        region_prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        regions: &[
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "aws-global",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "me-west-1",
            "mx-central-1",
            "sa-east-1",
            "sa-west-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        name: "aws-cn",
        region_prefixes: &["cn"],
        regions: &["aws-cn-global", "cn-north-1", "cn-northwest-1"],
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        name: "aws-eusc",
        region_prefixes: &["eusc-de"],
        regions: &["eusc-de-east-1"],
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "api.amazonwebservices.eu",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        name: "aws-iso",
        region_prefixes: &["us-iso"],
        regions: &["aws-iso-global", "us-iso-east-1", "us-iso-west-1"],
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "api.aws.ic.gov",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        name: "aws-iso-b",
        region_prefixes: &["us-isob"],
        regions: &["aws-iso-b-global", "us-isob-east-1", "us-isob-west-1"],
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "api.aws.scloud",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        name: "aws-iso-e",
        region_prefixes: &["eu-isoe"],
        regions: &["aws-iso-e-global", "eu-isoe-west-1"],
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        name: "aws-iso-f",
        region_prefixes: &["us-isof"],
        regions: &["aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"],
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "api.aws.hci.ic.gov",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        name: "aws-us-gov",
        region_prefixes: &["us-gov"],
        regions: &["aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        supports_fips: true,
        supports_dual_stack: true,
    },
];

/// Checks a custom endpoint URL and returns it without trailing slashes, its scheme
/// in lower case.
fn validate_base_url(url: &str) -> Result<String, UrlProblem> {
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(UrlProblem::InvalidCharacter);
    }
    let (scheme, rest) = strip_prefix_ignore_case(url, "https://")
        .map(|rest| ("https://", rest))
        .or_else(|| strip_prefix_ignore_case(url, "http://").map(|rest| ("http://", rest)))
        .ok_or(UrlProblem::Scheme)?;
    if url.contains('#') {
        return Err(UrlProblem::Fragment);
    }
    if url.contains('?') {
        return Err(UrlProblem::Query);
    }
    let (authority, _path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return Err(UrlProblem::UserInfo);
    }
    let (host, port) = split_host_port(authority)?;
    if host.is_empty() {
        return Err(UrlProblem::MissingHost);
    }
    if !is_valid_host(host) {
        return Err(UrlProblem::InvalidHost);
    }
    if let Some(port) = port {
        let valid = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
        if !valid {
            return Err(UrlProblem::InvalidPort);
        }
    }
    // The scheme in lower case, as botocore sends it.
    Ok(format!("{scheme}{}", rest.trim_end_matches('/')))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Splits `host[:port]` or `[v6][:port]`.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UrlProblem> {
    if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = v6.split_once(']').ok_or(UrlProblem::InvalidHost)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(UrlProblem::InvalidHost)?),
        };
        // Keep the brackets so `is_valid_host` knows it is IPv6.
        Ok((&authority[..inside.len() + 2], port))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => Ok((host, Some(port))),
            None => Ok((authority, None)),
        }
    }
}

/// DNS labels (botocore's `is_valid_endpoint_url` host rule, one trailing dot allowed)
/// or a bracketed IPv6 address.
fn is_valid_host(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<core::net::Ipv6Addr>().is_ok();
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    host.len() <= 255
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            (1..=63).contains(&b.len())
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                && b.first() != Some(&b'-')
                && b.last() != Some(&b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn url(config: &EndpointConfig) -> String {
        match resolve(config) {
            Ok(e) => e.url,
            Err(e) => panic!("{config:?}: {e}"),
        }
    }

    fn err(config: &EndpointConfig) -> EndpointError {
        match resolve(config) {
            Ok(e) => panic!("{config:?} resolved to {e:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn standard_endpoints() {
        let cases = [
            ("us-east-1", "https://ssm.us-east-1.amazonaws.com"),
            ("eu-west-3", "https://ssm.eu-west-3.amazonaws.com"),
            ("cn-north-1", "https://ssm.cn-north-1.amazonaws.com.cn"),
            ("us-gov-west-1", "https://ssm.us-gov-west-1.amazonaws.com"),
            ("us-iso-east-1", "https://ssm.us-iso-east-1.c2s.ic.gov"),
            ("us-isob-east-1", "https://ssm.us-isob-east-1.sc2s.sgov.gov"),
            (
                "eu-isoe-west-1",
                "https://ssm.eu-isoe-west-1.cloud.adc-e.uk",
            ),
            (
                "us-isof-south-1",
                "https://ssm.us-isof-south-1.csp.hci.ic.gov",
            ),
            ("eusc-de-east-1", "https://ssm.eusc-de-east-1.amazonaws.eu"),
            // Not listed, but matching a partition's regionRegex.
            ("cn-south-9", "https://ssm.cn-south-9.amazonaws.com.cn"),
            (
                "us-isob-north-2",
                "https://ssm.us-isob-north-2.sc2s.sgov.gov",
            ),
            // Matching nothing: the default partition, aws.
            ("mars-base-1", "https://ssm.mars-base-1.amazonaws.com"),
            ("local", "https://ssm.local.amazonaws.com"),
        ];
        for (region, expected) in cases {
            let e = resolve(&EndpointConfig::new(region)).unwrap();
            assert_eq!(e.url, expected);
            assert_eq!(e.signing_region, region);
            assert_eq!(e.signing_name, "ssm");
        }
    }

    #[test]
    fn fips_and_dual_stack() {
        let c =
            |r: &str, fips, ds| url(&EndpointConfig::new(r).with_fips(fips).with_dual_stack(ds));
        assert_eq!(
            c("us-east-1", true, false),
            "https://ssm-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(c("us-east-1", false, true), "https://ssm.us-east-1.api.aws");
        assert_eq!(
            c("us-east-1", true, true),
            "https://ssm-fips.us-east-1.api.aws"
        );
        // aws-us-gov's FIPS endpoint is the standard host name.
        assert_eq!(
            c("us-gov-west-1", true, false),
            "https://ssm.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            c("us-gov-east-1", true, true),
            "https://ssm-fips.us-gov-east-1.api.aws"
        );
        assert_eq!(
            c("cn-northwest-1", false, true),
            "https://ssm.cn-northwest-1.api.amazonwebservices.com.cn"
        );
        assert_eq!(
            c("cn-north-1", true, false),
            "https://ssm-fips.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            c("us-iso-west-1", true, true),
            "https://ssm-fips.us-iso-west-1.api.aws.ic.gov"
        );
        // `us-gov-1` matches aws's regex (`us` + `-gov` + `-1`), not aws-us-gov's.
        assert_eq!(
            c("us-gov-1", true, false),
            "https://ssm-fips.us-gov-1.amazonaws.com"
        );
        assert_eq!(partition_of("us-gov-1"), Some("aws"));
    }

    #[test]
    fn partitions() {
        assert_eq!(partition_of("us-east-1"), Some("aws"));
        assert_eq!(partition_of("aws-global"), Some("aws"));
        assert_eq!(partition_of("aws-cn-global"), Some("aws-cn"));
        assert_eq!(partition_of("us-gov-central-7"), Some("aws-us-gov"));
        assert_eq!(partition_of("eusc-de-north-2"), Some("aws-eusc"));
        assert_eq!(partition_of("eusc-fr-east-1"), Some("aws"));
        assert_eq!(partition_of("US-EAST-1"), Some("aws"));
        assert_eq!(partition_of("cn-north-1a"), Some("aws"));
        assert_eq!(partition_of("cn-north-"), None);
        assert_eq!(partition_of(""), None);
    }

    #[test]
    fn invalid_regions() {
        let long = "a".repeat(64);
        for region in [
            "",
            "-",
            "us-east-1-",
            "-us-east-1",
            "us_east_1",
            "us east 1",
            "us-east-1\n",
            "123",
            "0",
            "us.east.1",
            "us-east-1/",
            "ü-east-1",
            &long,
        ] {
            let config = EndpointConfig::new(region);
            assert_eq!(
                err(&config),
                EndpointError::InvalidRegion {
                    region: region.into()
                }
            );
            // Before anything else, custom endpoints included.
            let custom = config
                .with_fips(true)
                .with_endpoint_url("https://example.com");
            assert!(matches!(err(&custom), EndpointError::InvalidRegion { .. }));
        }
        assert_eq!(
            url(&EndpointConfig::new("a".repeat(63))),
            format!("https://ssm.{}.amazonaws.com", "a".repeat(63))
        );
        assert_eq!(
            url(&EndpointConfig::new("1a")),
            "https://ssm.1a.amazonaws.com"
        );
    }

    #[test]
    fn custom_endpoints() {
        let c = |u: &str| EndpointConfig::new("us-west-2").with_endpoint_url(u);
        let ok = [
            ("https://example.com", "https://example.com"),
            ("https://example.com/", "https://example.com"),
            ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
            ("http://localhost:5000/", "http://localhost:5000"),
            (
                "https://vpce-1.ssm.us-west-2.vpce.amazonaws.com/a/b/",
                "https://vpce-1.ssm.us-west-2.vpce.amazonaws.com/a/b",
            ),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("https://[2001:db8::1]/", "https://[2001:db8::1]"),
            ("HTTPS://Example.COM", "https://Example.COM"),
            ("https://example.com./x%20y", "https://example.com./x%20y"),
        ];
        for (given, expected) in ok {
            let e = resolve(&c(given)).unwrap();
            assert_eq!(e.url, expected);
            assert_eq!(e.signing_region, "us-west-2");
        }
        let bad = [
            ("example.com", UrlProblem::Scheme),
            ("ftp://example.com", UrlProblem::Scheme),
            ("https:/example.com", UrlProblem::Scheme),
            ("", UrlProblem::Scheme),
            ("https://", UrlProblem::MissingHost),
            ("https:///path", UrlProblem::MissingHost),
            ("https://:443", UrlProblem::MissingHost),
            ("https://exa_mple.com", UrlProblem::InvalidHost),
            ("https://-example.com", UrlProblem::InvalidHost),
            ("https://example..com", UrlProblem::InvalidHost),
            ("https://[::g]", UrlProblem::InvalidHost),
            ("https://[::1", UrlProblem::InvalidHost),
            ("https://[::1]x", UrlProblem::InvalidHost),
            ("https://example.com:", UrlProblem::InvalidPort),
            ("https://example.com:0", UrlProblem::InvalidPort),
            ("https://example.com:65536", UrlProblem::InvalidPort),
            ("https://example.com:+80", UrlProblem::InvalidPort),
            ("https://example.com:80:80", UrlProblem::InvalidPort),
            ("https://user:pw@example.com", UrlProblem::UserInfo),
            ("https://example.com?a=b", UrlProblem::Query),
            ("https://example.com/#top", UrlProblem::Fragment),
            ("https://example.com/a b", UrlProblem::InvalidCharacter),
            ("https://example.com\n", UrlProblem::InvalidCharacter),
            ("https://exämple.com", UrlProblem::InvalidCharacter),
        ];
        for (given, problem) in bad {
            assert_eq!(
                err(&c(given)),
                EndpointError::InvalidEndpointUrl(problem),
                "{given:?}"
            );
        }
        let label = "a".repeat(63);
        let long_host = format!("https://{label}.{label}.{label}.{label}.com");
        assert_eq!(
            err(&c(&long_host)),
            EndpointError::InvalidEndpointUrl(UrlProblem::InvalidHost)
        );
    }

    #[test]
    fn custom_endpoint_with_fips_or_dual_stack() {
        let c = EndpointConfig::new("us-east-1").with_endpoint_url("not a url");
        assert_eq!(
            err(&c.clone().with_fips(true)),
            EndpointError::FipsWithCustomEndpoint
        );
        assert_eq!(
            err(&c.clone().with_fips(true).with_dual_stack(true)),
            EndpointError::FipsWithCustomEndpoint
        );
        assert_eq!(
            err(&c.clone().with_dual_stack(true)),
            EndpointError::DualStackWithCustomEndpoint
        );
        assert_eq!(
            err(&c),
            EndpointError::InvalidEndpointUrl(UrlProblem::InvalidCharacter)
        );
    }

    #[test]
    fn unsupported_variants_follow_the_rules() {
        let none = [Partition {
            name: "test",
            region_prefixes: &[],
            regions: &[],
            dns_suffix: "example",
            dual_stack_dns_suffix: "dual.example",
            supports_fips: false,
            supports_dual_stack: false,
        }];
        let c = |fips, ds| {
            resolve_in(
                &EndpointConfig::new("xx-1")
                    .with_fips(fips)
                    .with_dual_stack(ds),
                &none,
            )
        };
        assert_eq!(
            c(true, true),
            Err(EndpointError::FipsAndDualStackNotSupported { partition: "test" })
        );
        assert_eq!(
            c(true, false),
            Err(EndpointError::FipsNotSupported { partition: "test" })
        );
        assert_eq!(
            c(false, true),
            Err(EndpointError::DualStackNotSupported { partition: "test" })
        );
        assert_eq!(c(false, false).unwrap().url, "https://ssm.xx-1.example");
    }

    #[test]
    fn errors_name_the_field_and_the_rule() {
        let e = EndpointError::FipsWithCustomEndpoint.to_string();
        assert_eq!(
            e,
            "use_fips cannot be combined with endpoint_url (endpoint rule: Invalid Configuration: FIPS and custom endpoint are not supported)"
        );
        let e = EndpointError::InvalidRegion {
            region: "a b".into(),
        }
        .to_string();
        assert!(e.starts_with("region \"a b\" is invalid"), "{e}");
        let e = EndpointError::InvalidEndpointUrl(UrlProblem::Query).to_string();
        assert_eq!(
            e,
            "endpoint_url is invalid: it must not have a query (?...)"
        );
        assert!(EndpointError::DualStackNotSupported { partition: "p" }
            .to_string()
            .contains("partition p (endpoint rule: DualStack is enabled"));
    }
}
