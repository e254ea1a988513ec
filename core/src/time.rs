//! Calendar arithmetic for SigV4 and HTTP dates, without a clock and without `chrono`.
//!
//! The core never reads a clock: callers pass the current time as **unix seconds**
//! (`u64`, seconds since 1970-01-01T00:00:00Z, leap seconds not counted). This module
//! converts between that number and the textual forms the protocol uses:
//!
//! | form | example | used by |
//! |---|---|---|
//! | [`AmzDate`] (`YYYYMMDD'T'HHMMSS'Z'`) | `20261126T073813Z` | `X-Amz-Date`, string to sign |
//! | date stamp (`YYYYMMDD`) | `20261126` | credential scope |
//! | IMF-fixdate (RFC 9110 §5.6.7) | `Thu, 26 Nov 2026 07:38:13 GMT` | HTTP `Date` (clock-skew correction) |
//! | ISO 8601 extended (RFC 3339, UTC) | `2026-11-26T07:38:13Z` | times in messages people read; STS `Expiration` ([`parse_iso8601`]) |
//!
//! The supported range is 1970-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z (the amz-date
//! format has four year digits); anything outside is [`TimeError::OutOfRange`].
//!
//! Calendar conversion uses Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (proleptic Gregorian calendar).

use alloc::string::String;
use core::fmt;

/// The last second the four-digit-year formats can express: `9999-12-31T23:59:59Z`.
pub const MAX_UNIX_SECONDS: u64 = 253_402_300_799;

const SECONDS_PER_DAY: u64 = 86_400;

/// Why a time could not be converted or parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeError {
    /// The instant is outside 1970-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z.
    OutOfRange,
    /// The text does not have the exact shape of the expected format.
    Syntax,
    /// The text has the right shape but a field is impossible (month 13, 30 February,
    /// hour 24, an unknown month or day name, ...).
    InvalidField,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeError::OutOfRange => "time outside 1970-01-01T00:00:00Z..=9999-12-31T23:59:59Z",
            TimeError::Syntax => "malformed date/time text",
            TimeError::InvalidField => "date/time field out of range",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TimeError {}

/// A broken-down UTC date and time (proleptic Gregorian calendar).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CivilDateTime {
    /// Year, 1970..=9999.
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of month, 1..=31.
    pub day: u8,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59.
    pub second: u8,
}

impl CivilDateTime {
    /// Breaks unix seconds into calendar fields.
    ///
    /// # Errors
    /// [`TimeError::OutOfRange`] after 9999-12-31T23:59:59Z.
    pub fn from_unix(secs: u64) -> Result<Self, TimeError> {
        if secs > MAX_UNIX_SECONDS {
            return Err(TimeError::OutOfRange);
        }
        let days = secs / SECONDS_PER_DAY;
        let rem = secs % SECONDS_PER_DAY;
        let (year, month, day) = civil_from_days(days);
        // Ranges are guaranteed by MAX_UNIX_SECONDS and the modular arithmetic.
        Ok(CivilDateTime {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
        })
    }

    /// Converts calendar fields back to unix seconds, validating every field
    /// (leap years included).
    ///
    /// # Errors
    /// [`TimeError::InvalidField`] for an impossible field (e.g. 29 February 2025),
    /// [`TimeError::OutOfRange`] for a year outside 1970..=9999.
    pub fn to_unix(&self) -> Result<u64, TimeError> {
        if !(1970..=9999).contains(&self.year) {
            return Err(TimeError::OutOfRange);
        }
        if !(1..=12).contains(&self.month)
            || self.day == 0
            || self.day > days_in_month(self.year, self.month)
            || self.hour > 23
            || self.minute > 59
            || self.second > 59
        {
            return Err(TimeError::InvalidField);
        }
        let days = days_from_civil(self.year.into(), self.month.into(), self.day.into());
        Ok(days * SECONDS_PER_DAY
            + u64::from(self.hour) * 3600
            + u64::from(self.minute) * 60
            + u64::from(self.second))
    }

    /// Day of the week, 0 = Sunday ..= 6 = Saturday.
    #[must_use]
    pub fn weekday(&self) -> u8 {
        let days = days_from_civil(self.year.into(), self.month.into(), self.day.into());
        // 1970-01-01 was a Thursday (4).
        ((days + 4) % 7) as u8
    }
}

/// `true` for Gregorian leap years (divisible by 4, except centuries not divisible by 400).
#[must_use]
pub const fn is_leap_year(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1..=12) of `year`; 0 for an invalid month.
#[must_use]
pub const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a valid civil date with `year >= 1970`.
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    // Shift the year so that it starts in March: the leap day is then the last day.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = (month + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Civil date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// An `X-Amz-Date` value, `YYYYMMDD'T'HHMMSS'Z'` (always UTC), together with the unix
/// seconds it stands for. Stored inline: creating one does not allocate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AmzDate {
    unix: u64,
    text: [u8; 16],
}

impl AmzDate {
    /// Formats unix seconds as an amz-date.
    ///
    /// # Errors
    /// [`TimeError::OutOfRange`] after 9999-12-31T23:59:59Z.
    pub fn from_unix(secs: u64) -> Result<Self, TimeError> {
        let c = CivilDateTime::from_unix(secs)?;
        let mut text = *b"00000000T000000Z";
        put_digits(&mut text[0..4], c.year.into());
        put_digits(&mut text[4..6], c.month.into());
        put_digits(&mut text[6..8], c.day.into());
        put_digits(&mut text[9..11], c.hour.into());
        put_digits(&mut text[11..13], c.minute.into());
        put_digits(&mut text[13..15], c.second.into());
        Ok(AmzDate { unix: secs, text })
    }

    /// Strictly parses an amz-date: exactly 16 ASCII bytes `YYYYMMDD'T'HHMMSS'Z'`, every
    /// field in range (leap years checked, no leap second, no lowercase `t`/`z`, no
    /// separators, no fractional seconds, no offset).
    ///
    /// # Errors
    /// [`TimeError::Syntax`] for the wrong shape, [`TimeError::InvalidField`] for an
    /// impossible field, [`TimeError::OutOfRange`] before 1970.
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return Err(TimeError::Syntax);
        }
        let c = CivilDateTime {
            year: digits(&b[0..4])?,
            month: digits(&b[4..6])? as u8,
            day: digits(&b[6..8])? as u8,
            hour: digits(&b[9..11])? as u8,
            minute: digits(&b[11..13])? as u8,
            second: digits(&b[13..15])? as u8,
        };
        let unix = c.to_unix()?;
        let mut text = [0u8; 16];
        text.copy_from_slice(b);
        Ok(AmzDate { unix, text })
    }

    /// The amz-date text, e.g. `20261126T073813Z`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever stored.
        core::str::from_utf8(&self.text).unwrap_or("")
    }

    /// The `YYYYMMDD` date stamp used in the credential scope, e.g. `20261126`.
    #[must_use]
    pub fn date_stamp(&self) -> &str {
        core::str::from_utf8(&self.text[..8]).unwrap_or("")
    }

    /// The unix seconds this amz-date stands for.
    #[must_use]
    pub fn unix(&self) -> u64 {
        self.unix
    }
}

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AmzDate({})", self.as_str())
    }
}

/// Formats unix seconds as an amz-date string (`20261126T073813Z`).
///
/// # Errors
/// [`TimeError::OutOfRange`] after 9999-12-31T23:59:59Z.
pub fn format_amz_date(secs: u64) -> Result<String, TimeError> {
    Ok(String::from(AmzDate::from_unix(secs)?.as_str()))
}

/// Strictly parses an amz-date (see [`AmzDate::parse`]) to unix seconds.
///
/// # Errors
/// As [`AmzDate::parse`].
pub fn parse_amz_date(s: &str) -> Result<u64, TimeError> {
    AmzDate::parse(s).map(|d| d.unix())
}

/// Formats unix seconds as the `YYYYMMDD` date stamp (`20261126`).
///
/// # Errors
/// [`TimeError::OutOfRange`] after 9999-12-31T23:59:59Z.
pub fn format_date_stamp(secs: u64) -> Result<String, TimeError> {
    Ok(String::from(AmzDate::from_unix(secs)?.date_stamp()))
}

/// Formats unix seconds as ISO 8601 extended UTC (RFC 3339), e.g. `2026-11-26T07:38:13Z`:
/// the form for times in messages people read.
///
/// # Errors
/// [`TimeError::OutOfRange`] after 9999-12-31T23:59:59Z.
pub fn format_iso8601(secs: u64) -> Result<String, TimeError> {
    let c = CivilDateTime::from_unix(secs)?;
    let mut out = *b"0000-00-00T00:00:00Z";
    put_digits(&mut out[0..4], c.year.into());
    put_digits(&mut out[5..7], c.month.into());
    put_digits(&mut out[8..10], c.day.into());
    put_digits(&mut out[11..13], c.hour.into());
    put_digits(&mut out[14..16], c.minute.into());
    put_digits(&mut out[17..19], c.second.into());
    Ok(out.iter().map(|&b| char::from(b)).collect())
}

/// Parses an RFC 3339 / ISO 8601 extended date-time, as STS writes `Expiration`
/// (`2026-12-04T04:11:51Z`), to unix seconds: `YYYY-MM-DDTHH:MM:SS`, optional fractional
/// seconds (`.123`, any number of digits, truncated), then `Z` or a `±HH:MM` offset
/// (`+00:00`), which is applied. `T` and `Z` may be lower case (RFC 3339 §5.6). A leap
/// second (`:60`) counts as the next second, as in [`parse_http_date`].
///
/// # Errors
/// [`TimeError::Syntax`] for another shape, [`TimeError::InvalidField`] for an
/// impossible field, [`TimeError::OutOfRange`] outside the supported range (after the
/// offset is applied).
pub fn parse_iso8601(s: &str) -> Result<u64, TimeError> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(TimeError::Syntax);
    }
    let mut rest = &b[19..];
    if let [b'.', fraction @ ..] = rest {
        let digits = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
        if digits == 0 {
            return Err(TimeError::Syntax);
        }
        rest = &fraction[digits..];
    }
    // Seconds east of UTC.
    let offset: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return Err(TimeError::InvalidField);
            }
            let east = i64::from(hours) * 3600 + i64::from(minutes) * 60;
            if *sign == b'-' {
                -east
            } else {
                east
            }
        }
        _ => return Err(TimeError::Syntax),
    };
    let second = digits(&b[17..19])? as u8;
    let leap = second == 60;
    let c = CivilDateTime {
        year: digits(&b[0..4])?,
        month: digits(&b[5..7])? as u8,
        day: digits(&b[8..10])? as u8,
        hour: digits(&b[11..13])? as u8,
        minute: digits(&b[14..16])? as u8,
        second: if leap { 59 } else { second },
    };
    // The local fields must be in range themselves (so `1969-12-31T23:00:00-01:00` is
    // refused though its instant is not); then the instant is checked too.
    let local = i64::try_from(c.to_unix()?).map_err(|_| TimeError::OutOfRange)?;
    let utc = local + i64::from(leap) - offset;
    u64::try_from(utc)
        .ok()
        .filter(|&t| t <= MAX_UNIX_SECONDS)
        .ok_or(TimeError::OutOfRange)
}

const DAY_NAMES: [&[u8; 3]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];
const MONTH_NAMES: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Formats unix seconds as an IMF-fixdate, e.g. `Thu, 26 Nov 2026 07:38:13 GMT` (what a
/// gateway puts in a `Date` response header).
///
/// # Errors
/// [`TimeError::OutOfRange`] after 9999-12-31T23:59:59Z.
pub fn format_http_date(secs: u64) -> Result<String, TimeError> {
    let c = CivilDateTime::from_unix(secs)?;
    let mut out = *b"Sun, 00 Jan 0000 00:00:00 GMT";
    out[0..3].copy_from_slice(DAY_NAMES[usize::from(c.weekday())]);
    put_digits(&mut out[5..7], c.day.into());
    out[8..11].copy_from_slice(MONTH_NAMES[usize::from(c.month - 1)]);
    put_digits(&mut out[12..16], c.year.into());
    put_digits(&mut out[17..19], c.hour.into());
    put_digits(&mut out[20..22], c.minute.into());
    put_digits(&mut out[23..25], c.second.into());
    Ok(out.iter().map(|&b| char::from(b)).collect())
}

/// Parses an HTTP `Date` header in the IMF-fixdate form (RFC 9110 §5.6.7), e.g.
/// `Thu, 26 Nov 2026 07:38:13 GMT`, to unix seconds. The form is matched exactly
/// (29 bytes, case-sensitive names, `GMT`); surrounding spaces/tabs are ignored. The day
/// name must be a valid name but is not checked against the date (the date wins), and
/// a leap second (`:60`) is accepted and counted as the next second. The obsolete
/// RFC 850 and asctime forms are not accepted: AWS always sends IMF-fixdate.
///
/// # Errors
/// [`TimeError::Syntax`] for another shape, [`TimeError::InvalidField`] for an
/// impossible field or unknown day/month name, [`TimeError::OutOfRange`] before 1970.
pub fn parse_http_date(s: &str) -> Result<u64, TimeError> {
    // Trimmed as bytes (both are ASCII): `trim_matches` with a char array pulls its own
    // char iteration into the wasm for this one use.
    let mut b = s.as_bytes();
    while let [b' ' | b'\t', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    if b.len() != 29
        || &b[3..5] != b", "
        || b[7] != b' '
        || b[11] != b' '
        || b[16] != b' '
        || b[19] != b':'
        || b[22] != b':'
        || &b[25..29] != b" GMT"
    {
        return Err(TimeError::Syntax);
    }
    if !DAY_NAMES.iter().any(|d| d[..] == b[0..3]) {
        return Err(TimeError::InvalidField);
    }
    let month = MONTH_NAMES
        .iter()
        .position(|m| m[..] == b[8..11])
        .ok_or(TimeError::InvalidField)?;
    let second = digits(&b[23..25])? as u8;
    let leap = second == 60;
    let c = CivilDateTime {
        year: digits(&b[12..16])?,
        month: month as u8 + 1,
        day: digits(&b[5..7])? as u8,
        hour: digits(&b[17..19])? as u8,
        minute: digits(&b[20..22])? as u8,
        second: if leap { 59 } else { second },
    };
    let unix = c.to_unix()?;
    Ok(unix + u64::from(leap))
}

/// Parses a run of ASCII digits (at most 4, so the result fits `u16`).
fn digits(b: &[u8]) -> Result<u16, TimeError> {
    let mut v: u16 = 0;
    for &d in b {
        if !d.is_ascii_digit() {
            return Err(TimeError::Syntax);
        }
        v = v * 10 + u16::from(d - b'0');
    }
    Ok(v)
}

/// Writes `v` as zero-padded decimal into `out` (which is sized to fit).
fn put_digits(out: &mut [u8], mut v: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(format_amz_date(0).unwrap(), "19700101T000000Z");
        // The AWS SigV4 suite's timestamp.
        assert_eq!(format_amz_date(1_440_938_160).unwrap(), "20150830T123600Z");
        assert_eq!(parse_amz_date("20150830T123600Z").unwrap(), 1_440_938_160);
        assert_eq!(format_amz_date(1_795_678_693).unwrap(), "20261126T073813Z");
        assert_eq!(format_date_stamp(1_795_678_693).unwrap(), "20261126");
        assert_eq!(
            format_amz_date(MAX_UNIX_SECONDS).unwrap(),
            "99991231T235959Z"
        );
        assert_eq!(
            format_amz_date(MAX_UNIX_SECONDS + 1),
            Err(TimeError::OutOfRange)
        );
        assert_eq!(format_amz_date(u64::MAX), Err(TimeError::OutOfRange));
    }

    #[test]
    fn leap_years() {
        assert!(is_leap_year(2000));
        assert!(is_leap_year(2024));
        assert!(!is_leap_year(1900));
        assert!(!is_leap_year(2100));
        assert!(!is_leap_year(2026));
        // 2024-02-29 exists, 2025-02-29 and 2100-02-29 do not, 2000-02-29 does.
        let feb29_2024 = parse_amz_date("20240229T120000Z").unwrap();
        assert_eq!(format_amz_date(feb29_2024).unwrap(), "20240229T120000Z");
        assert_eq!(
            format_amz_date(feb29_2024 + 12 * 3600).unwrap(),
            "20240301T000000Z"
        );
        assert_eq!(
            parse_amz_date("20250229T000000Z"),
            Err(TimeError::InvalidField)
        );
        assert_eq!(
            parse_amz_date("21000229T000000Z"),
            Err(TimeError::InvalidField)
        );
        assert!(parse_amz_date("20000229T000000Z").is_ok());
        assert_eq!(
            format_amz_date(parse_amz_date("20001231T235959Z").unwrap() + 1).unwrap(),
            "20010101T000000Z"
        );
        // Day 366 of a leap year.
        assert_eq!(
            parse_amz_date("20241231T000000Z").unwrap()
                - parse_amz_date("20240101T000000Z").unwrap(),
            365 * SECONDS_PER_DAY
        );
    }

    #[test]
    fn round_trip_every_day_and_sampled_seconds() {
        // Every day from 1970 to 9999 round-trips through the civil conversion.
        let last_day = MAX_UNIX_SECONDS / SECONDS_PER_DAY;
        let mut previous = (1969, 12, 31);
        for day in 0..=last_day {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
            // Consecutive days are consecutive dates.
            let expected_next =
                if previous.2 < u64::from(days_in_month(previous.0 as u16, previous.1 as u8)) {
                    (previous.0, previous.1, previous.2 + 1)
                } else if previous.1 < 12 {
                    (previous.0, previous.1 + 1, 1)
                } else {
                    (previous.0 + 1, 1, 1)
                };
            assert_eq!((y, m, d), expected_next);
            previous = (y, m, d);
        }
        assert_eq!(previous, (9999, 12, 31));
        // Seconds: a deterministic spread across the range.
        let mut s: u64 = 12345;
        for _ in 0..100_000 {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let t = s % (MAX_UNIX_SECONDS + 1);
            let text = format_amz_date(t).unwrap();
            assert_eq!(parse_amz_date(&text).unwrap(), t);
            let http = format_http_date(t).unwrap();
            assert_eq!(parse_http_date(&http).unwrap(), t, "{http}");
        }
    }

    #[test]
    fn amz_date_parse_is_strict() {
        for bad in [
            "",
            "20261126T073813",
            "20261126t073813Z",
            "20261126T073813z",
            "2026-11-26T07:38:13Z",
            "20261126T073813.000Z",
            "20261126T073813+0000",
            " 20261126T073813Z",
            "20261126T073813Z ",
            "2026112aT073813Z",
            "+0261126T073813Z",
            "２0261126T073813Z",
        ] {
            assert_eq!(parse_amz_date(bad), Err(TimeError::Syntax), "{bad:?}");
        }
        for bad in [
            "20261326T073813Z",
            "20260026T073813Z",
            "20261100T073813Z",
            "20261131T073813Z",
            "20261126T243813Z",
            "20261126T076013Z",
            "20261126T073860Z",
        ] {
            assert_eq!(parse_amz_date(bad), Err(TimeError::InvalidField), "{bad:?}");
        }
        assert_eq!(
            parse_amz_date("19691231T235959Z"),
            Err(TimeError::OutOfRange)
        );
        let d = AmzDate::parse("20261126T073813Z").unwrap();
        assert_eq!(d.as_str(), "20261126T073813Z");
        assert_eq!(d.date_stamp(), "20261126");
        assert_eq!(d, AmzDate::from_unix(d.unix()).unwrap());
        assert_eq!(alloc::format!("{d:?}"), "AmzDate(20261126T073813Z)");
    }

    #[test]
    fn http_date() {
        assert_eq!(
            parse_http_date("Thu, 26 Nov 2026 07:38:13 GMT").unwrap(),
            1_795_678_693
        );
        assert_eq!(
            format_http_date(1_795_678_693).unwrap(),
            "Thu, 26 Nov 2026 07:38:13 GMT"
        );
        // RFC 9110's example.
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap(),
            784_111_777
        );
        assert_eq!(
            format_http_date(0).unwrap(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(
            format_http_date(parse_amz_date("20240229T000000Z").unwrap()).unwrap(),
            "Thu, 29 Feb 2024 00:00:00 GMT"
        );
        // The brief's example has the wrong day name (26 Nov 2026 is a Thursday):
        // the day name is validated as a name only.
        assert_eq!(
            parse_http_date("Thu, 26 Nov 2026 07:38:13 GMT").unwrap(),
            1_795_678_693
        );
        assert_eq!(
            parse_http_date(" Thu, 26 Nov 2026 07:38:13 GMT\t").unwrap(),
            1_795_678_693
        );
        assert_eq!(
            parse_http_date("\t \t Thu, 26 Nov 2026 07:38:13 GMT  \t ").unwrap(),
            1_795_678_693
        );
        // Only spaces and tabs are trimmed (as bytes).
        for untrimmed in [
            "\u{a0}Thu, 26 Nov 2026 07:38:13 GMT",
            "Thu, 26 Nov 2026 07:38:13 GMT\n",
            "Thu, 26 Nov 2026 07:38:13 GMT\u{3000}",
        ] {
            assert_eq!(
                parse_http_date(untrimmed),
                Err(TimeError::Syntax),
                "{untrimmed:?}"
            );
        }
        // Leap second.
        assert_eq!(
            parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT").unwrap(),
            parse_http_date("Sun, 01 Jan 2017 00:00:00 GMT").unwrap()
        );
        for bad in [
            "",
            "Thu, 26 Nov 2026 07:38:13 UTC",
            "Thu, 26 Nov 2026 07:38:13",
            "Thu 26 Nov 2026 07:38:13 GMT",
            "Thu, 26-Nov-2026 07:38:13 GMT",
            "Thursday, 26-Nov-26 07:38:13 GMT",
            "Thu Nov 26 07:38:13 2026",
            "Thu, 6 Nov 2026 07:38:13 GMT",
            "Thu, 26 Nov 2026 7:38:13 GMT",
        ] {
            assert_eq!(parse_http_date(bad), Err(TimeError::Syntax), "{bad:?}");
        }
        for bad in [
            "Thx, 26 Nov 2026 07:38:13 GMT",
            "Thu, 26 NOV 2026 07:38:13 GMT",
            "Thu, 26 Nox 2026 07:38:13 GMT",
            "Thu, 31 Nov 2026 07:38:13 GMT",
            "Thu, 29 Feb 2026 07:38:13 GMT",
            "Thu, 26 Nov 2026 24:38:13 GMT",
            "Thu, 26 Nov 2026 07:38:61 GMT",
        ] {
            assert_eq!(
                parse_http_date(bad),
                Err(TimeError::InvalidField),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT"),
            Err(TimeError::OutOfRange)
        );
    }

    #[test]
    fn iso8601() {
        assert_eq!(format_iso8601(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_iso8601(1_795_678_693).unwrap(),
            "2026-11-26T07:38:13Z"
        );
        assert_eq!(
            format_iso8601(MAX_UNIX_SECONDS).unwrap(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            format_iso8601(MAX_UNIX_SECONDS + 1),
            Err(TimeError::OutOfRange)
        );
    }

    #[test]
    fn iso8601_parse() {
        let t = 1_796_357_511; // 2026-12-04T04:11:51Z
        assert_eq!(format_iso8601(t).unwrap(), "2026-12-04T04:11:51Z");
        for same in [
            "2026-12-04T04:11:51Z",
            "2026-12-04T04:11:51.123Z",
            "2026-12-04T04:11:51.999999999Z",
            "2026-12-04T04:11:51.0Z",
            "2026-12-04T04:11:51+00:00",
            "2026-12-04T04:11:51-00:00",
            "2026-12-04T04:11:51.5+00:00",
            "2026-12-04t04:11:51z",
            "2026-12-04T06:11:51+02:00",
            "2026-12-03T23:41:51-04:30",
        ] {
            assert_eq!(parse_iso8601(same), Ok(t), "{same:?}");
        }
        // Leap second: the next second.
        assert_eq!(
            parse_iso8601("2016-12-31T23:59:60Z"),
            parse_iso8601("2017-01-01T00:00:00Z")
        );
        for bad in [
            "",
            "2026-12-04T04:11:51",
            "2026-12-04 04:11:51Z",
            "2026-12-04T04:11:51.Z",
            "2026-12-04T04:11:51.12aZ",
            "2026-12-04T04:11Z",
            "20261204T041151Z",
            "2026-12-04T04:11:51+0000",
            "2026-12-04T04:11:51+00",
            "2026-12-04T04:11:51Z ",
            " 2026-12-04T04:11:51Z",
            "2026-12-04T04:11:51UTC",
            "+2026-12-04T04:11:51Z",
            "2026-1a-04T04:11:51Z",
        ] {
            assert_eq!(parse_iso8601(bad), Err(TimeError::Syntax), "{bad:?}");
        }
        for bad in [
            "2026-13-04T04:11:51Z",
            "2026-02-29T04:11:51Z",
            "2026-12-04T24:11:51Z",
            "2026-12-04T04:60:51Z",
            "2026-12-04T04:11:61Z",
            "2026-12-04T04:11:51+24:00",
            "2026-12-04T04:11:51+00:60",
        ] {
            assert_eq!(parse_iso8601(bad), Err(TimeError::InvalidField), "{bad:?}");
        }
        for bad in [
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:30:00+01:00",
            "9999-12-31T23:30:00-01:00",
        ] {
            assert_eq!(parse_iso8601(bad), Err(TimeError::OutOfRange), "{bad:?}");
        }
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_iso8601("9999-12-31T23:59:59Z"), Ok(MAX_UNIX_SECONDS));
        // Round trip over a deterministic spread of the range.
        let mut s: u64 = 2026;
        for _ in 0..20_000 {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let t = s % (MAX_UNIX_SECONDS + 1);
            let text = format_iso8601(t).unwrap();
            assert_eq!(parse_iso8601(&text), Ok(t), "{text}");
        }
    }

    #[test]
    fn weekday() {
        let c = CivilDateTime::from_unix(0).unwrap();
        assert_eq!(c.weekday(), 4);
        assert_eq!(
            CivilDateTime::from_unix(1_795_678_693).unwrap().weekday(),
            4 // Thursday, 26 Nov 2026
        );
        assert_eq!(
            CivilDateTime::from_unix(784_111_777).unwrap().weekday(),
            0 // Sunday, 6 Nov 1994
        );
    }
}
