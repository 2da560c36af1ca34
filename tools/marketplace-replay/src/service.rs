//! Routing and request handling, independent of the HTTP library: a method and a request
//! target in, a status and a JSON body out.

use crate::{
	clock::Clock,
	format::{Collection, Format},
	query::{segments, split_target, Query},
	replay::{Replay, Request},
};
use serde_json::{json, Value};

/// The page size when the client gives none.
pub const DEFAULT_LIMIT: usize = 50;

/// The largest page; larger requests are served this many.
pub const MAX_LIMIT: usize = 200;

/// A response: HTTP status and JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
	/// The HTTP status code.
	pub status: u16,
	/// The JSON body.
	pub body: String,
}

impl Reply {
	/// A 200 reply with `value` as its body (500 if it cannot be serialised).
	fn json(value: &Value) -> Self {
		match serde_json::to_string(value) {
			Ok(body) => Self { status: 200, body },
			Err(error) => Self::error(500, &format!("cannot serialise the response: {error}")),
		}
	}

	/// An error reply: `{"success": false, "status": …, "error": …}`.
	pub fn error(status: u16, message: &str) -> Self {
		let body = json!({ "success": false, "status": status, "error": message }).to_string();
		Self { status, body }
	}
}

/// What a request path asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
	/// `GET /health`.
	Health,
	/// A sale feed in a marketplace's format.
	Events(Format),
}

/// The marketplace named by an optional first path segment (`/looksrare/api/v1/events`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Venue {
	OpenSea,
	LooksRare,
	X2y2,
	Reservoir,
}

impl Venue {
	fn from_segment(segment: &str) -> Option<Self> {
		match segment {
			"opensea" => Some(Self::OpenSea),
			"looksrare" => Some(Self::LooksRare),
			"x2y2" => Some(Self::X2y2),
			"reservoir" => Some(Self::Reservoir),
			_ => None,
		}
	}
}

/// The route of a path, `None` if unknown. `/api/v1/events` is both OpenSea v1 and
/// LooksRare: a `/opensea` or `/looksrare` prefix decides, else LooksRare's parameter names
/// (`collection`, `type`, `from`, `pagination[…]`) do, else it is OpenSea.
pub fn route(path: &str, query: &Query) -> Option<Route> {
	let segments = segments(path);
	let mut parts: Vec<&str> = segments.iter().map(String::as_str).collect();
	let venue = parts.first().and_then(|first| Venue::from_segment(first));
	if venue.is_some() {
		parts.remove(0);
	}
	let format = match (venue, parts.as_slice()) {
		(None, ["health"]) => return Some(Route::Health),
		(None | Some(Venue::OpenSea), ["api", "v2", "events", "collection", ..])
			if parts.len() <= 5 =>
		{
			Format::OpenSeaV2
		},
		(Some(Venue::OpenSea), ["api", "v1", "events"]) => Format::OpenSeaV1,
		(Some(Venue::LooksRare), ["api", "v1", "events"]) => Format::LooksRare,
		(None, ["api", "v1", "events"]) if looks_like_looksrare(query) => Format::LooksRare,
		(None, ["api", "v1", "events"]) => Format::OpenSeaV1,
		(None | Some(Venue::X2y2), ["v1", "events"]) => Format::X2y2,
		(None | Some(Venue::Reservoir), ["sales", "v6"]) => Format::Reservoir,
		_ => return None,
	};
	Some(Route::Events(format))
}

/// Whether an `/api/v1/events` query uses LooksRare's parameter names.
fn looks_like_looksrare(query: &Query) -> bool {
	query.any_key(|key| {
		matches!(key, "collection" | "type" | "from") || key.starts_with("pagination")
	})
}

/// The replay server's request handler.
pub struct Service {
	replay: Replay,
	clock: Box<dyn Clock>,
	collection: Collection,
}

impl Service {
	/// Serves `replay` by `clock`, naming `collection` in the events.
	pub fn new(replay: Replay, clock: Box<dyn Clock>, collection: Collection) -> Self {
		Self { replay, clock, collection }
	}

	/// The replay served.
	pub fn replay(&self) -> &Replay {
		&self.replay
	}

	/// Answers `method target` (target being `/path?query`).
	pub fn respond(&self, method: &str, target: &str) -> Reply {
		if !method.eq_ignore_ascii_case("GET") {
			return Reply::error(405, "only GET is supported");
		}
		let (path, query) = split_target(target);
		match route(path, &query) {
			None => Reply::error(404, &format!("no endpoint {path}")),
			Some(Route::Health) => Reply::json(&self.health()),
			Some(Route::Events(format)) => match self.events(format, &query) {
				Ok(body) => Reply::json(&body),
				Err(message) => Reply::error(400, &message),
			},
		}
	}

	/// `{"ok": true, "visible": N, "total": M, …}`.
	fn health(&self) -> Value {
		let now = self.clock.now();
		json!({
			"ok": true,
			"visible": self.replay.visible(now),
			"total": self.replay.total(),
			"speed": self.replay.speed(),
			"real_start": self.replay.real_start(),
			"csv_start": self.replay.csv_start(),
			"csv_now": self.replay.csv_now(now),
		})
	}

	/// One page of `format`, or why the query is bad.
	fn events(&self, format: Format, query: &Query) -> Result<Value, String> {
		let params = format.params();
		if format == Format::Reservoir {
			check_sort_direction(query)?;
		}
		let request = Request {
			after: parse_after(params.after, query.get(params.after))?,
			cursor: query
				.get(params.cursor)
				.map(|text| parse_cursor(params.cursor, text))
				.transpose()?,
			limit: parse_limit(params.limit, query.get(params.limit))?,
		};
		let selects_sales = params.event_type.is_none_or(|(key, sales)| {
			query.get(key).is_none_or(|value| value.eq_ignore_ascii_case(sales))
		});
		let window = if selects_sales {
			self.replay.window(self.clock.now(), &request)
		} else {
			Default::default()
		};
		Ok(format.body(&window, &self.collection))
	}
}

/// Reservoir's `sortDirection`: only `asc` (or none) is served.
fn check_sort_direction(query: &Query) -> Result<(), String> {
	match query.get("sortDirection") {
		None => Ok(()),
		Some(direction) if direction.eq_ignore_ascii_case("asc") => Ok(()),
		Some(direction) => Err(format!(
			"sortDirection={direction} is not supported: this server replays oldest first (asc)"
		)),
	}
}

/// The "after" time: unix seconds (or milliseconds, or ISO-8601). A `0x` address is
/// ignored: LooksRare's real `from` parameter filters by sender address.
fn parse_after(name: &str, value: Option<&str>) -> Result<Option<u64>, String> {
	match value {
		None => Ok(None),
		Some(text) if text.starts_with("0x") || text.starts_with("0X") => Ok(None),
		Some(text) => true_floor::time::parse_timestamp(text)
			.map(Some)
			.ok_or_else(|| format!("{name}={text} is not a unix time")),
	}
}

/// A cursor from a previous page: the decimal index of the next sale.
fn parse_cursor(name: &str, text: &str) -> Result<usize, String> {
	text.parse().map_err(|_| format!("{name}={text} is not a cursor of this server"))
}

/// The page size: [`DEFAULT_LIMIT`] if absent, at most [`MAX_LIMIT`], at least 1.
fn parse_limit(name: &str, value: Option<&str>) -> Result<usize, String> {
	let Some(text) = value else {
		return Ok(DEFAULT_LIMIT);
	};
	match text.parse::<usize>() {
		Ok(0) => Err(format!("{name} must be at least 1")),
		Ok(limit) => Ok(limit.min(MAX_LIMIT)),
		Err(_) => Err(format!("{name}={text} is not a page size")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn route_of(target: &str) -> Option<Route> {
		let (path, query) = split_target(target);
		route(path, &query)
	}

	#[test]
	fn routes_every_endpoint() {
		let events = |format| Some(Route::Events(format));
		assert_eq!(route_of("/health"), Some(Route::Health));
		assert_eq!(route_of("/api/v2/events/collection/bayc?after=1"), events(Format::OpenSeaV2));
		assert_eq!(route_of("/api/v2/events/collection"), events(Format::OpenSeaV2));
		assert_eq!(route_of("/api/v2/events/collection/a/b"), None);
		assert_eq!(route_of("/api/v1/events?event_type=successful"), events(Format::OpenSeaV1));
		assert_eq!(route_of("/api/v1/events"), events(Format::OpenSeaV1));
		assert_eq!(route_of("/api/v1/events?type=SALE"), events(Format::LooksRare));
		assert_eq!(route_of("/api/v1/events?pagination%5Bfirst%5D=2"), events(Format::LooksRare));
		assert_eq!(route_of("/looksrare/api/v1/events"), events(Format::LooksRare));
		assert_eq!(route_of("/opensea/api/v1/events?type=SALE"), events(Format::OpenSeaV1));
		assert_eq!(route_of("/v1/events?type=sale"), events(Format::X2y2));
		assert_eq!(route_of("/x2y2/v1/events"), events(Format::X2y2));
		assert_eq!(route_of("/sales/v6?sortDirection=asc"), events(Format::Reservoir));
		assert_eq!(route_of("/reservoir/sales/v6"), events(Format::Reservoir));
		assert_eq!(route_of("/x2y2/sales/v6"), None);
		assert_eq!(route_of("/opensea/health"), None);
		assert_eq!(route_of("/"), None);
		assert_eq!(route_of("/sales/v5"), None);
	}

	#[test]
	fn parses_limits_cursors_and_times() {
		assert_eq!(parse_limit("limit", None), Ok(DEFAULT_LIMIT));
		assert_eq!(parse_limit("limit", Some("7")), Ok(7));
		assert_eq!(parse_limit("limit", Some("5000")), Ok(MAX_LIMIT));
		assert!(parse_limit("limit", Some("0")).is_err());
		assert!(parse_limit("limit", Some("-1")).is_err());
		assert_eq!(parse_cursor("next", "12"), Ok(12));
		assert!(parse_cursor("next", "abc").is_err());
		assert_eq!(parse_after("after", Some("1700000000")), Ok(Some(1_700_000_000)));
		assert_eq!(parse_after("after", Some("1700000000000")), Ok(Some(1_700_000_000)));
		assert_eq!(parse_after("after", Some("2023-11-14T22:13:20Z")), Ok(Some(1_700_000_000)));
		assert_eq!(parse_after("from", Some("0xabc")), Ok(None));
		assert!(parse_after("after", Some("yesterday")).is_err());
	}
}
