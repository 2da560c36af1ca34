//! Routing and request handling, independent of the HTTP library: a method, a request
//! target, headers and a body in; a status and a JSON body out, or no answer at all.

use crate::{
	clock::Clock,
	ethereum::{Chain, BLOCK_SECONDS},
	format::{Collection, Format},
	query::{segments, split_target, Query},
	replay::{Replay, Request},
};
use serde_json::{json, Value};

/// The page size when the client gives none.
pub const DEFAULT_LIMIT: usize = 50;

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

/// What the server does with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
	/// Send this reply.
	Send(Reply),
	/// Keep the connection open and never answer (an endpoint that hangs).
	Hang,
}

/// What a request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
	/// `GET /health`.
	Health,
	/// A sale feed in a marketplace's format.
	Events(Format),
	/// `POST /rpc` (or `/`): Ethereum JSON-RPC.
	JsonRpc,
	/// Anything under `/hang`: no answer, ever.
	Hang,
}

/// The route of `method path`, `None` if unknown.
pub fn route(method: &str, path: &str) -> Option<Route> {
	let segments = segments(path);
	let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
	let post = method.eq_ignore_ascii_case("POST");
	match parts.as_slice() {
		["hang", ..] => Some(Route::Hang),
		[] | ["rpc"] if post => Some(Route::JsonRpc),
		_ if post => None,
		["health"] => Some(Route::Health),
		["api", "v2", "events", "collection", _] => Some(Route::Events(Format::OpenSeaV2)),
		["api", "v2", "events"] => Some(Route::Events(Format::LooksRare)),
		_ => None,
	}
}

/// The replay server's request handler.
pub struct Service {
	replay: Replay,
	clock: Box<dyn Clock>,
	collection: Collection,
	opensea_api_key: Option<String>,
	block_time: u64,
}

impl Service {
	/// Serves `replay` by `clock`, naming `collection` in the events; with
	/// `opensea_api_key`, OpenSea requests without that `x-api-key` are refused (401).
	pub fn new(
		replay: Replay,
		clock: Box<dyn Clock>,
		collection: Collection,
		opensea_api_key: Option<String>,
	) -> Self {
		Self { replay, clock, collection, opensea_api_key, block_time: BLOCK_SECONDS }
	}

	/// The same, with the Ethereum node's blocks `seconds` apart.
	pub fn with_block_time(mut self, seconds: u64) -> Self {
		self.block_time = seconds.max(1);
		self
	}

	fn chain(&self, now: u64) -> Chain<'_> {
		Chain::new(&self.replay, &self.collection, now, self.block_time)
	}

	/// The replay served.
	pub fn replay(&self) -> &Replay {
		&self.replay
	}

	/// Answers a `GET target` without headers.
	pub fn respond(&self, method: &str, target: &str) -> Reply {
		match self.handle(method, target, &[], &[]) {
			Answer::Send(reply) => reply,
			Answer::Hang => Reply::error(504, "this endpoint never answers"),
		}
	}

	/// Answers `method target` (target being `/path?query`) with `headers` and `body`.
	pub fn handle(
		&self,
		method: &str,
		target: &str,
		headers: &[(String, String)],
		body: &[u8],
	) -> Answer {
		let (path, query) = split_target(target);
		if !method.eq_ignore_ascii_case("GET") && !method.eq_ignore_ascii_case("POST") {
			return Answer::Send(Reply::error(405, "only GET and POST are supported"));
		}
		let reply = match route(method, path) {
			None => Reply::error(404, &format!("no endpoint {method} {path}")),
			Some(Route::Hang) => return Answer::Hang,
			Some(Route::Health) => Reply::json(&self.health()),
			Some(Route::JsonRpc) => Reply::json(&self.chain(self.clock.now()).answer(body)),
			Some(Route::Events(Format::OpenSeaV2)) if !self.authorised(headers) => {
				Reply::error(401, "a valid x-api-key header is required")
			},
			Some(Route::Events(format)) => match self.events(format, &query) {
				Ok(body) => Reply::json(&body),
				Err(message) => Reply::error(400, &message),
			},
		};
		Answer::Send(reply)
	}

	/// Whether the request carries the OpenSea API key, if one is required.
	fn authorised(&self, headers: &[(String, String)]) -> bool {
		self.opensea_api_key.as_deref().is_none_or(|key| {
			headers
				.iter()
				.any(|(name, value)| name.eq_ignore_ascii_case("x-api-key") && value == key)
		})
	}

	/// `{"ok": true, "visible": N, "total": M, …}`.
	fn health(&self) -> Value {
		let now = self.clock.now();
		let chain = self.chain(now);
		json!({
			"ok": true,
			"visible": self.replay.visible(now),
			"total": self.replay.total(),
			"speed": self.replay.speed(),
			"real_start": self.replay.real_start(),
			"csv_start": self.replay.csv_start(),
			"csv_now": self.replay.csv_now(now),
			"head_block": chain.head(),
		})
	}

	/// One page of `format`, or why the query is bad.
	fn events(&self, format: Format, query: &Query) -> Result<Value, String> {
		let params = format.params();
		let after =
			params.after.map(|name| parse_after(name, query.get(name))).transpose()?.flatten();
		let before = query
			.get(params.cursor)
			.map(|text| parse_cursor(format, params.cursor, text))
			.transpose()?;
		let request = Request {
			after,
			before,
			limit: parse_limit(params.limit, query.get(params.limit), format.max_limit())?,
		};
		let (key, sales) = params.event_type;
		let selects_sales = query.get(key).is_none_or(|value| value.eq_ignore_ascii_case(sales));
		let window = if selects_sales {
			self.replay.window(self.clock.now(), &request)
		} else {
			Default::default()
		};
		Ok(format.body(&window, &self.collection))
	}
}

/// The "after" time: unix seconds (or milliseconds, or ISO-8601).
fn parse_after(name: &str, value: Option<&str>) -> Result<Option<u64>, String> {
	value
		.map(|text| {
			true_floor::time::parse_timestamp(text)
				.ok_or_else(|| format!("{name}={text} is not a unix time"))
		})
		.transpose()
}

/// A cursor from a previous page, as the index older sales are below: OpenSea's `next` is that
/// index, LooksRare's cursor the last event's id (its index + 1).
fn parse_cursor(format: Format, name: &str, text: &str) -> Result<usize, String> {
	let bad = || format!("{name}={text} is not a cursor of this server");
	let value: usize = text.parse().map_err(|_| bad())?;
	match format {
		Format::OpenSeaV2 => Ok(value),
		Format::LooksRare => value.checked_sub(1).ok_or_else(bad),
	}
}

/// The page size: [`DEFAULT_LIMIT`] if absent, at most `max`, at least 1.
fn parse_limit(name: &str, value: Option<&str>, max: usize) -> Result<usize, String> {
	let Some(text) = value else {
		return Ok(DEFAULT_LIMIT);
	};
	match text.parse::<usize>() {
		Ok(0) => Err(format!("{name} must be at least 1")),
		Ok(limit) => Ok(limit.min(max)),
		Err(_) => Err(format!("{name}={text} is not a page size")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn routes_every_endpoint() {
		assert_eq!(route("GET", "/health"), Some(Route::Health));
		let opensea = Some(Route::Events(Format::OpenSeaV2));
		assert_eq!(route("GET", "/api/v2/events/collection/bayc"), opensea);
		assert_eq!(route("GET", "/api/v2/events"), Some(Route::Events(Format::LooksRare)));
		assert_eq!(route("POST", "/rpc"), Some(Route::JsonRpc));
		assert_eq!(route("POST", "/"), Some(Route::JsonRpc));
		assert_eq!(route("GET", "/hang/api/v2/events"), Some(Route::Hang));
		assert_eq!(route("POST", "/hang"), Some(Route::Hang));
		assert_eq!(route("GET", "/api/v2/events/collection"), None);
		assert_eq!(route("GET", "/api/v2/events/collection/a/b"), None);
		assert_eq!(route("GET", "/api/v1/events"), None);
		assert_eq!(route("GET", "/rpc"), None);
		assert_eq!(route("POST", "/health"), None);
		assert_eq!(route("GET", "/"), None);
	}

	#[test]
	fn parses_limits_cursors_and_times() {
		assert_eq!(parse_limit("limit", None, 200), Ok(DEFAULT_LIMIT));
		assert_eq!(parse_limit("limit", Some("7"), 200), Ok(7));
		assert_eq!(parse_limit("limit", Some("5000"), 200), Ok(200));
		assert!(parse_limit("limit", Some("0"), 200).is_err());
		assert!(parse_limit("limit", Some("-1"), 200).is_err());
		assert_eq!(parse_cursor(Format::OpenSeaV2, "next", "12"), Ok(12));
		assert_eq!(parse_cursor(Format::LooksRare, "pagination[cursor]", "12"), Ok(11));
		assert!(parse_cursor(Format::LooksRare, "pagination[cursor]", "0").is_err());
		assert!(parse_cursor(Format::OpenSeaV2, "next", "abc").is_err());
		assert_eq!(parse_after("after", Some("1700000000")), Ok(Some(1_700_000_000)));
		assert_eq!(parse_after("after", Some("1700000000000")), Ok(Some(1_700_000_000)));
		assert_eq!(parse_after("after", Some("2023-11-14T22:13:20Z")), Ok(Some(1_700_000_000)));
		assert!(parse_after("after", Some("yesterday")).is_err());
	}
}
