//! Endpoint resolution: region (or a custom URL) → the endpoint of a [`Service`] (SSM,
//! CloudWatch Logs) to call and sign for.
//!
//! botocore's endpoint rule sets (`endpoint-rule-set-1.json`) of SSM and CloudWatch
//! Logs over its partition table (`partitions.json`), checked case by case against
//! botocore itself in `tests/tests/endpoint_oracle.rs`. The rules, in order:
//!
//! 1. The region must be a valid host label (botocore's `validate_region_name`; the
//!    rule set itself would happily build `https://ssm..amazonaws.com`).
//! 2. With a custom `endpoint_url`: FIPS is an error, dual-stack is an error, else the
//!    URL is used as given, checked (see [`UrlProblem`]: stricter than botocore) and
//!    without trailing slashes, its scheme in lower case (as botocore sends it).
//! 3. The region picks a partition: the first partition, in `partitions.json` order,
//!    that lists the region or whose `regionRegex` matches it; `aws` if none does.
//! 4. The partition's URL of the service for the FIPS / dual-stack variant asked for,
//!    or an error if the partition lacks that variant.
//!
//! Steps 3 and 4 read a table generated from botocore's data by
//! `core/codegen/gen_partitions.py` (`partitions.rs`): the URLs there are the rule sets'
//! answers, so their special cases (SSM's FIPS endpoint in aws-us-gov is its standard
//! host name; CloudWatch Logs' is not) are data, not code. Steps 1 and 2 are written here.
//!
//! Nothing on the resolve path formats (no `core::fmt`: the shipped wasm must not
//! carry it): errors are a [`code`](EndpointError::code) plus arguments, and the
//! English sentences of `Display` (in `messages.rs`) are for native callers only.
//!
//! The rule sets set no auth-scheme properties, so requests are signed for the
//! configured region under the service's signing name ([`Service::signing_name`]),
//! a custom URL included (one URL may serve both, as the local SSM does).

mod custom_url;
mod messages;
mod partitions;
#[cfg(test)]
mod tests;

use crate::text;
use alloc::string::String;

pub use custom_url::UrlProblem;
use partitions::PARTITIONS;

/// The SigV4 signing name (service) of SSM.
pub const SIGNING_NAME: &str = "ssm";

/// The services the core calls: each has its own endpoints and signing name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// AWS Systems Manager (and the ssm-edge gateway's own operations).
    Ssm,
    /// Amazon CloudWatch Logs, where the SSM agent streams command output.
    Logs,
}

impl Service {
    /// The SigV4 signing name: `ssm`, `logs`.
    #[must_use]
    pub const fn signing_name(self) -> &'static str {
        match self {
            Service::Ssm => SIGNING_NAME,
            Service::Logs => "logs",
        }
    }
}

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
    /// The service name to sign for: [`Service::signing_name`] from [`resolve_service`];
    /// `sts` from `sts::sts_endpoint` (feature `sts`).
    pub signing_name: &'static str,
}

/// Why an [`EndpointConfig`] has no endpoint.
///
/// For programs: [`code`](Self::code) plus the arguments ([`region`](Self::region),
/// [`partition`](Self::partition), [`url_problem`](Self::url_problem)); the wasm glue
/// sends those and JavaScript words the sentence. For people in Rust: `Display`.
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
    /// A stable identifier of the error, for programs (and for JavaScript to word it):
    /// `invalidRegion`, `fipsWithCustomEndpoint`, `dualStackWithCustomEndpoint`,
    /// `invalidEndpointUrl`, `fipsAndDualStackNotSupported`, `fipsNotSupported`,
    /// `dualStackNotSupported`. A code is never renamed; new errors get new codes.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            EndpointError::InvalidRegion { .. } => "invalidRegion",
            EndpointError::FipsWithCustomEndpoint => "fipsWithCustomEndpoint",
            EndpointError::DualStackWithCustomEndpoint => "dualStackWithCustomEndpoint",
            EndpointError::InvalidEndpointUrl(_) => "invalidEndpointUrl",
            EndpointError::FipsAndDualStackNotSupported { .. } => "fipsAndDualStackNotSupported",
            EndpointError::FipsNotSupported { .. } => "fipsNotSupported",
            EndpointError::DualStackNotSupported { .. } => "dualStackNotSupported",
        }
    }

    /// The region refused, for `invalidRegion`.
    #[must_use]
    pub fn region(&self) -> Option<&str> {
        match self {
            EndpointError::InvalidRegion { region } => Some(region),
            _ => None,
        }
    }

    /// The partition lacking the variant, for the `…NotSupported` errors.
    #[must_use]
    pub fn partition(&self) -> Option<&'static str> {
        match self {
            EndpointError::FipsAndDualStackNotSupported { partition }
            | EndpointError::FipsNotSupported { partition }
            | EndpointError::DualStackNotSupported { partition } => Some(partition),
            _ => None,
        }
    }

    /// What is wrong with the custom endpoint URL, for `invalidEndpointUrl`.
    #[must_use]
    pub fn url_problem(&self) -> Option<UrlProblem> {
        match self {
            EndpointError::InvalidEndpointUrl(problem) => Some(*problem),
            _ => None,
        }
    }

    /// The rule set's own error message for this error, if it is one of the rule
    /// set's errors (the region and URL checks are botocore's and ours).
    #[must_use]
    pub fn rule_message(&self) -> Option<&'static str> {
        match self {
            EndpointError::FipsWithCustomEndpoint => Some(partitions::FIPS_WITH_CUSTOM_ENDPOINT),
            EndpointError::DualStackWithCustomEndpoint => {
                Some(partitions::DUAL_STACK_WITH_CUSTOM_ENDPOINT)
            }
            EndpointError::FipsAndDualStackNotSupported { .. } => {
                Some(partitions::FIPS_AND_DUAL_STACK_NOT_SUPPORTED)
            }
            EndpointError::FipsNotSupported { .. } => Some(partitions::FIPS_NOT_SUPPORTED),
            EndpointError::DualStackNotSupported { .. } => {
                Some(partitions::DUAL_STACK_NOT_SUPPORTED)
            }
            EndpointError::InvalidRegion { .. } | EndpointError::InvalidEndpointUrl(_) => None,
        }
    }
}

/// Resolves `config` to SSM's endpoint, as botocore's SSM rule set does.
///
/// # Errors
/// [`EndpointError`] names the field and the rule that refuses the configuration.
pub fn resolve(config: &EndpointConfig) -> Result<Endpoint, EndpointError> {
    resolve_in(Service::Ssm, config, &PARTITIONS)
}

/// Resolves `config` to `service`'s endpoint, as botocore's rule set of that service does.
///
/// # Errors
/// [`EndpointError`] names the field and the rule that refuses the configuration.
pub fn resolve_service(
    service: Service,
    config: &EndpointConfig,
) -> Result<Endpoint, EndpointError> {
    resolve_in(service, config, &PARTITIONS)
}

/// The endpoints of every [`Service`] for one configuration: what a [`crate::client::Client`] calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// SSM's (and an ssm-edge gateway's own operations').
    pub ssm: Endpoint,
    /// CloudWatch Logs'.
    pub logs: Endpoint,
}

impl Endpoints {
    /// Resolves `config` for every service.
    ///
    /// # Errors
    /// [`EndpointError`] as [`resolve`] gives it (the rules refuse the same configurations
    /// for every service).
    pub fn resolve(config: &EndpointConfig) -> Result<Endpoints, EndpointError> {
        Ok(Endpoints {
            ssm: resolve_service(Service::Ssm, config)?,
            logs: resolve_service(Service::Logs, config)?,
        })
    }

    /// The endpoint of `service`.
    #[must_use]
    pub fn of(&self, service: Service) -> &Endpoint {
        match service {
            Service::Ssm => &self.ssm,
            Service::Logs => &self.logs,
        }
    }
}

/// The partition (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, ...) of a valid region,
/// chosen as the rule set's `aws.partition` does; `None` if `region` is invalid.
#[must_use]
pub fn partition_of(region: &str) -> Option<&'static str> {
    is_valid_region(region).then(|| partition_in(region, &PARTITIONS).name)
}

/// The regional endpoint `https://<prefix>.<region>.<dnsSuffix>` of another service in
/// `region`'s partition (or the checked custom `endpoint_url`), signed for `region` as
/// `signing_name`. The partition's DNS suffix is the one of its standard SSM endpoint
/// (`https://ssm.<region>.<dnsSuffix>` in every partition of the table).
#[cfg(feature = "sts")]
pub(crate) fn resolve_regional(
    prefix: &str,
    signing_name: &'static str,
    region: &str,
    endpoint_url: Option<&str>,
) -> Result<Endpoint, EndpointError> {
    if !is_valid_region(region) {
        return Err(EndpointError::InvalidRegion {
            region: String::from(region),
        });
    }
    let url = match endpoint_url {
        Some(custom) => {
            custom_url::validate_base_url(custom).map_err(EndpointError::InvalidEndpointUrl)?
        }
        None => {
            let dns_suffix = partition_in(region, &PARTITIONS).ssm.standard.1;
            let mut url = String::with_capacity(9 + prefix.len() + region.len() + dns_suffix.len());
            url.push_str("https://");
            url.push_str(prefix);
            url.push('.');
            url.push_str(region);
            url.push_str(dns_suffix);
            url
        }
    };
    Ok(Endpoint {
        url,
        signing_region: String::from(region),
        signing_name,
    })
}

/// Whether `name` is a partition of the table (`aws`, `aws-cn`, `aws-us-gov`, ...).
#[cfg(feature = "sts")]
pub(crate) fn is_partition(name: &str) -> bool {
    PARTITIONS.iter().any(|p| p.name == name)
}

// The table is an array (not a slice) so that `table[0]` is checked at compile time:
// no bounds-check panic, whose message would pull `core::fmt` into the wasm.
fn resolve_in<const N: usize>(
    service: Service,
    config: &EndpointConfig,
    table: &[Partition; N],
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
            custom_url::validate_base_url(custom).map_err(EndpointError::InvalidEndpointUrl)?
        }
        None => {
            let p = partition_in(region, table);
            let partition = p.name;
            let urls = p.urls(service);
            let special = urls.overrides.iter().find(|o| {
                o.region == region
                    && o.fips == config.use_fips
                    && o.dual_stack == config.use_dual_stack
            });
            if let Some(special) = special {
                return Ok(Endpoint {
                    url: String::from(special.url),
                    signing_region: config.region.clone(),
                    signing_name: service.signing_name(),
                });
            }
            let url = match (config.use_fips, config.use_dual_stack) {
                (false, false) => Ok(urls.standard),
                (true, false) => urls
                    .fips
                    .ok_or(EndpointError::FipsNotSupported { partition }),
                (false, true) => urls
                    .dual_stack
                    .ok_or(EndpointError::DualStackNotSupported { partition }),
                (true, true) => urls
                    .fips_dual_stack
                    .ok_or(EndpointError::FipsAndDualStackNotSupported { partition }),
            }?;
            url.with_region(region)
        }
    };
    Ok(Endpoint {
        url,
        signing_region: config.region.clone(),
        signing_name: service.signing_name(),
    })
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

/// One partition of the generated table (what the rule sets read of it).
struct Partition {
    /// `id` (and `outputs.name`).
    name: &'static str,
    /// `regionRegex` is `^(<prefix>|...)\-\w+\-\d+$`: these are its prefixes, space-separated.
    region_prefixes: &'static str,
    /// Listed regions that the regexes alone would put elsewhere, space-separated (the
    /// generator leaves out the rest: the regexes already give them this partition).
    regions: &'static str,
    /// SSM's endpoints.
    ssm: ServiceUrls,
    /// CloudWatch Logs' endpoints.
    logs: ServiceUrls,
}

/// A service's endpoints in one partition.
struct ServiceUrls {
    /// The standard endpoint.
    standard: Url,
    /// The FIPS endpoint, if the partition has one.
    fips: Option<Url>,
    /// The dual-stack endpoint, if the partition has one.
    dual_stack: Option<Url>,
    /// The FIPS dual-stack endpoint, if the partition has one.
    fips_dual_stack: Option<Url>,
    /// Listed regions whose endpoint for a variant is not the partition's template.
    overrides: &'static [Override],
}

/// A region's own URL for one FIPS / dual-stack variant (the rule set names it).
struct Override {
    region: &'static str,
    fips: bool,
    dual_stack: bool,
    url: &'static str,
}

/// An endpoint URL as the text before and after the region: no template to parse.
#[derive(Clone, Copy)]
struct Url(&'static str, &'static str);

impl Url {
    fn with_region(self, region: &str) -> String {
        let mut url = String::with_capacity(self.0.len() + region.len() + self.1.len());
        url.push_str(self.0);
        url.push_str(region);
        url.push_str(self.1);
        url
    }
}

impl Partition {
    fn urls(&self, service: Service) -> &ServiceUrls {
        match service {
            Service::Ssm => &self.ssm,
            Service::Logs => &self.logs,
        }
    }

    /// `region in regions or re.match(regionRegex, region)`, for a valid region
    /// (ASCII letters, digits, hyphens: so Python's `\w` is `[A-Za-z0-9]` and `\d` is `[0-9]`).
    fn contains(&self, region: &str) -> bool {
        text::split(self.regions, b' ').any(|listed| listed == region)
            || text::split(self.region_prefixes, b' ').any(|prefix| {
                let rest = region
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('-'));
                // `\w+\-\d+$`: `\w` cannot match `-`, so the first `-` separates them.
                match rest.and_then(|r| text::split_once(r, b'-')) {
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
fn partition_in<'a, const N: usize>(region: &str, table: &'a [Partition; N]) -> &'a Partition {
    table
        .iter()
        .find(|p| p.contains(region))
        .unwrap_or(&table[0])
}
