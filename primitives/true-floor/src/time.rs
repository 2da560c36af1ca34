//! Timestamps as marketplaces and CSV exports write them, to unix seconds.

/// Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's algorithm);
/// `None` for an invalid month or day, or a date before 1970.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<u64> {
	if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
		return None;
	}
	let month = i64::from(month);
	let day = i64::from(day);
	let year = if month <= 2 { year.checked_sub(1)? } else { year };
	let era = year.checked_sub(if year >= 0 { 0 } else { 399 })?.checked_div(400)?;
	let year_of_era = year.checked_sub(era.checked_mul(400)?)?;
	let shifted_month = if month > 2 { month.checked_sub(3)? } else { month.checked_add(9)? };
	let day_of_year = shifted_month
		.checked_mul(153)?
		.checked_add(2)?
		.checked_div(5)?
		.checked_add(day)?
		.checked_sub(1)?;
	let day_of_era = year_of_era
		.checked_mul(365)?
		.checked_add(year_of_era.checked_div(4)?)?
		.checked_sub(year_of_era.checked_div(100)?)?
		.checked_add(day_of_year)?;
	let days = era.checked_mul(146_097)?.checked_add(day_of_era)?.checked_sub(719_468)?;
	u64::try_from(days).ok()
}

/// Parses a fixed-width run of ASCII digits.
fn digits(text: &str) -> Option<u32> {
	if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
		return None;
	}
	text.parse().ok()
}

/// Parses `YYYY-MM-DD[T| ]HH:MM:SS[.fraction][Z|±HH:MM]` (the fraction is dropped) to unix
/// seconds. Without a zone the time is UTC, as in every marketplace API and export.
pub fn parse_iso8601(text: &str) -> Option<u64> {
	let text = text.trim();
	let date = text.get(0..10)?;
	let separator = text.get(10..11)?;
	if separator != "T" && separator != " " {
		return None;
	}
	let clock = text.get(11..19)?;
	let rest = text.get(19..)?;
	let mut date_parts = date.split('-');
	let year = i64::from(digits(date_parts.next()?)?);
	let month = digits(date_parts.next()?)?;
	let day = digits(date_parts.next()?)?;
	let mut clock_parts = clock.split(':');
	let hour = u64::from(digits(clock_parts.next()?)?);
	let minute = u64::from(digits(clock_parts.next()?)?);
	let second = u64::from(digits(clock_parts.next()?)?);
	if hour > 23 || minute > 59 || second > 60 {
		return None;
	}
	let offset = zone_offset(rest)?;
	let days = days_from_civil(year, month, day)?;
	let seconds = days
		.checked_mul(86_400)?
		.checked_add(hour.checked_mul(3_600)?)?
		.checked_add(minute.checked_mul(60)?)?
		.checked_add(second)?;
	let utc = i64::try_from(seconds).ok()?.checked_sub(offset)?;
	u64::try_from(utc).ok()
}

/// The zone suffix after the seconds (fraction included) as an offset east of UTC in
/// seconds.
fn zone_offset(rest: &str) -> Option<i64> {
	let zone = match rest.strip_prefix('.') {
		Some(fraction) => fraction.trim_start_matches(|c: char| c.is_ascii_digit()),
		None => rest,
	};
	if zone.is_empty() || zone == "Z" {
		return Some(0);
	}
	let (sign, hours_minutes) = if let Some(east) = zone.strip_prefix('+') {
		(1i64, east)
	} else {
		(-1i64, zone.strip_prefix('-')?)
	};
	let (hours, minutes) =
		hours_minutes.split_once(':').unwrap_or((hours_minutes.get(0..2)?, "00"));
	let seconds = i64::from(digits(hours)?)
		.checked_mul(3_600)?
		.checked_add(i64::from(digits(minutes)?).checked_mul(60)?)?;
	sign.checked_mul(seconds)
}

/// Parses unix seconds ("1680886655"), unix milliseconds (13 digits or more) or an
/// ISO-8601 date-time.
pub fn parse_timestamp(text: &str) -> Option<u64> {
	let text = text.trim();
	if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
		let value: u64 = text.parse().ok()?;
		// 10^12 seconds is year 33658; anything that large is milliseconds.
		return if value >= 1_000_000_000_000 { value.checked_div(1_000) } else { Some(value) };
	}
	parse_iso8601(text)
}
