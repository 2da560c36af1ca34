//! Request targets: the path and its percent-decoded query parameters.

use std::collections::BTreeMap;

/// The query parameters of a request. A repeated key keeps its last value; an empty value
/// counts as absent (clients often send `cursor=` on the first page).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(BTreeMap<String, String>);

impl Query {
	/// Parses `a=1&b=x%5B0%5D` (without the `?`).
	pub fn parse(query: &str) -> Self {
		let pairs = query.split('&').filter(|pair| !pair.is_empty()).map(|pair| {
			let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
			(percent_decode(key), percent_decode(value))
		});
		Self(pairs.collect())
	}

	/// The non-empty value of `key`.
	pub fn get(&self, key: &str) -> Option<&str> {
		self.0.get(key).map(String::as_str).filter(|value| !value.is_empty())
	}

	/// Whether any key satisfies `predicate` (present, even if empty).
	pub fn any_key(&self, predicate: impl Fn(&str) -> bool) -> bool {
		self.0.keys().any(|key| predicate(key))
	}
}

/// Splits a request target (`/path?query#fragment`) into its path and its query.
pub fn split_target(target: &str) -> (&str, Query) {
	let target = target.split_once('#').map_or(target, |(before, _)| before);
	match target.split_once('?') {
		Some((path, query)) => (path, Query::parse(query)),
		None => (target, Query::default()),
	}
}

/// The path's non-empty segments, percent-decoded.
pub fn segments(path: &str) -> Vec<String> {
	path.split('/').filter(|segment| !segment.is_empty()).map(percent_decode).collect()
}

/// Decodes `%XX` escapes and `+` (a space in form encoding); a malformed escape is kept
/// as is, invalid UTF-8 is replaced.
pub fn percent_decode(text: &str) -> String {
	let mut decoded = Vec::with_capacity(text.len());
	let mut bytes = text.as_bytes().iter();
	while let Some(&byte) = bytes.next() {
		match byte {
			b'+' => decoded.push(b' '),
			b'%' => match escaped_byte(bytes.as_slice()) {
				Some(value) => {
					decoded.push(value);
					bytes.nth(1);
				},
				None => decoded.push(b'%'),
			},
			other => decoded.push(other),
		}
	}
	String::from_utf8_lossy(&decoded).into_owned()
}

/// The byte of the two hex digits starting `rest`.
fn escaped_byte(rest: &[u8]) -> Option<u8> {
	let digit = |index: usize| char::from(*rest.get(index)?).to_digit(16);
	u8::try_from(digit(0)?.checked_mul(16)?.checked_add(digit(1)?)?).ok()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn decodes_escapes_and_plus() {
		assert_eq!(percent_decode("pagination%5Bfirst%5D"), "pagination[first]");
		assert_eq!(percent_decode("a+b%20c"), "a b c");
		assert_eq!(percent_decode("100%"), "100%");
		assert_eq!(percent_decode("%zz%4"), "%zz%4");
		assert_eq!(percent_decode("%+f"), "% f");
	}

	#[test]
	fn splits_targets() {
		let (path, query) =
			split_target("/api/v1/events?type=SALE&pagination%5Bfirst%5D=2&cursor=&x=1&x=2#f");
		assert_eq!(path, "/api/v1/events");
		assert_eq!(query.get("type"), Some("SALE"));
		assert_eq!(query.get("pagination[first]"), Some("2"));
		assert_eq!(query.get("cursor"), None);
		assert!(query.any_key(|key| key == "cursor"));
		assert_eq!(query.get("x"), Some("2"));
		assert_eq!(segments("//api/v2//events/"), ["api", "v2", "events"]);
		let (path, query) = split_target("/health");
		assert_eq!((path, query), ("/health", Query::default()));
	}
}
