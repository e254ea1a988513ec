//! One structured JSON line per request, for Workers Logs / Logpush: who, how, what,
//! the decision and why, what the upstream said, and how long it took. Parameter
//! values are replaced by their SHA-256 unless configured otherwise; secrets,
//! signatures and tokens never appear.

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use ssm_edge_core::model::SendCommandInput;

/// The audit record of one request.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLine {
    /// RFC 3339 UTC time the request arrived.
    pub time: String,
    /// The gateway's request id (`x-amzn-RequestId` of the answer).
    pub request_id: String,
    /// The authenticated principal, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// `sigv4` or `jwt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<&'static str>,
    /// The operation, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<&'static str>,
    /// SendCommand / DescribeDocument: the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// SendCommand: instance ids and targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Value>,
    /// SendCommand: parameter name → SHA-256 of its values (or the values, if opted in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// `allowed`, `denied`, `unauthenticated`, `invalid`, `throttled`, `replayed`
    /// (idempotent repeat), `upstream-failed`, `error`.
    pub decision: &'static str,
    /// The policies that decided.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policy_ids: Vec<String>,
    /// The error code answered, when the gateway refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// The upstream's HTTP status, when it was called.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
    /// The upstream's request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_request_id: Option<String>,
    /// Upstream attempts made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// SendCommand: the new command's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    /// The client's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// Milliseconds from arrival to answer.
    pub latency_ms: u64,
}

impl AuditLine {
    /// The line as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Fills document, targets and parameters from a SendCommand input.
    pub fn describe_send_command(&mut self, input: &SendCommandInput, clear_values: bool) {
        self.document.clone_from(&input.document_name);
        let mut targets = Map::new();
        if let Some(ids) = &input.instance_ids {
            targets.insert("instanceIds".into(), ids.clone().into());
        }
        if let Some(list) = &input.targets {
            let list: Vec<Value> = list
                .iter()
                .map(|t| serde_json::json!({ "key": t.key, "values": t.values }))
                .collect();
            targets.insert("targets".into(), list.into());
        }
        self.targets = Some(Value::Object(targets));
        if let Some(params) = &input.parameters {
            let mut out = Map::new();
            for (name, values) in &params.0 {
                let value = if clear_values {
                    values.clone().into()
                } else {
                    Value::String(digest(values))
                };
                out.insert(name.clone(), value);
            }
            self.parameters = Some(Value::Object(out));
        }
    }
}

/// `sha256:<hex>` of a parameter's values (JSON array text).
#[must_use]
pub fn digest(values: &[String]) -> String {
    let json = serde_json::to_vec(values).unwrap_or_default();
    let hash = Sha256::digest(&json);
    let mut out = String::from("sha256:");
    for b in hash {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// RFC 3339 (seconds, UTC) for unix milliseconds.
#[must_use]
pub fn rfc3339(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        unix_ms % 1000
    )
}

/// IMF-fixdate (`Thu, 26 Nov 2026 07:38:13 GMT`) for unix seconds: the HTTP `Date` a
/// client's clock-skew correction reads.
#[must_use]
pub fn http_date(unix_secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let rfc = rfc3339(unix_secs * 1000);
    let month: usize = rfc[5..7].parse().unwrap_or(1);
    format!(
        "{}, {} {} {} {} GMT",
        DAYS[((unix_secs / 86_400) % 7) as usize],
        &rfc[8..10],
        MONTHS[month.clamp(1, 12) - 1],
        &rfc[0..4],
        &rfc[11..19]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_imf_fixdate() {
        assert_eq!(http_date(1_795_678_693), "Thu, 26 Nov 2026 07:38:13 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            ssm_edge_core::time::parse_http_date(&http_date(951_782_400)).unwrap(),
            951_782_400
        );
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_678_693_123), "2026-11-26T07:38:13.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn parameter_values_are_digested_unless_opted_in() {
        let input: SendCommandInput = serde_json::from_str(
            r#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-1"],"Parameters":{"commands":["echo hunter2"]}}"#,
        )
        .unwrap();
        let mut line = AuditLine::default();
        line.describe_send_command(&input, false);
        let json = line.to_json();
        assert!(!json.contains("hunter2"), "{json}");
        assert!(
            json.contains(&digest(&["echo hunter2".to_owned()])),
            "{json}"
        );
        line.describe_send_command(&input, true);
        assert!(line.to_json().contains("hunter2"));
    }
}
