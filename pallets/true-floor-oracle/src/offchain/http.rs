//! Requests of a run, sent together and awaited under one deadline.
//!
//! The offchain HTTP API lets a worker keep several requests pending and wait on them
//! together ([`http::PendingRequest::try_wait_all`]), so one slow endpoint costs a run at
//! most its deadline, not the sum of every request's timeout, and the other sources go on
//! with their next requests meanwhile. The worker talks to the network through [`Transport`],
//! which tests replace with endpoints that answer late or hang on purpose.

use alloc::{string::String, vec::Vec};
use polkadot_sdk::{
	sp_io,
	sp_runtime::offchain::{http, Duration, HttpError, HttpRequestId, Timestamp},
};

/// The largest response body read (a page of 50 events, a batch of 50 receipts).
pub const MAX_BODY: usize = 8 << 20;

/// One request: `GET url`, or `POST url` with a JSON body.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpRequest {
	/// The full URL.
	pub url: String,
	/// The JSON body of a POST (`None`: a GET).
	pub body: Option<Vec<u8>>,
	/// Extra headers (an API key).
	pub headers: Vec<(&'static str, String)>,
}

/// Why a request gave no usable answer this run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FetchError {
	/// The request could not be sent or the connection failed.
	Io,
	/// No complete answer before the run's deadline.
	Timeout,
	/// A status other than 200.
	Status(u16),
	/// The body did not parse as the source's format.
	Unparsable,
	/// A JSON-RPC server answered with an error (its code).
	Rpc(i64),
	/// An answer lacked something the request asked for (a receipt, a block).
	Incomplete,
	/// The body is larger than [`MAX_BODY`].
	TooLarge,
}

impl FetchError {
	/// A short code for offchain storage (the worker logs only changes of a source's health).
	pub fn code(self) -> u32 {
		match self {
			Self::Io => 1,
			Self::Timeout => 2,
			Self::Unparsable => 3,
			Self::Incomplete => 4,
			Self::TooLarge => 5,
			Self::Rpc(_) => 6,
			Self::Status(status) => 1_000u32.saturating_add(u32::from(status)),
		}
	}

	/// What an operator reads in the log.
	pub fn describe(self) -> &'static str {
		match self {
			Self::Io => "unreachable (connection failed)",
			Self::Timeout => "no answer within the run's time budget",
			Self::Status(401 | 403) => "request refused: check the API key (--oracle-api-key)",
			Self::Status(429) => "rate-limited",
			Self::Status(404) => "path not served: check the endpoint URL",
			Self::Status(_) => "error status",
			Self::Unparsable => "an answer not in its API's format",
			Self::Rpc(_) => "a JSON-RPC error",
			Self::Incomplete => "part of a batch unanswered",
			Self::TooLarge => "an answer too large to read",
		}
	}
}

/// The answer to one request.
pub type Reply = Result<Vec<u8>, FetchError>;

/// Sends requests and waits for answers.
pub trait Transport {
	/// The current time, unix milliseconds.
	fn now(&self) -> u64;
	/// Starts `request`, to be answered by `deadline` (unix ms); its id.
	fn start(&mut self, request: &HttpRequest, deadline: u64) -> Result<u16, FetchError>;
	/// Waits until one or more of the started requests `ids` are answered or `until` (unix
	/// ms) passes; the answered ones (a request that reached its deadline is answered with
	/// [`FetchError::Timeout`]).
	fn wait(&mut self, ids: &[u16], until: u64) -> Vec<(u16, Reply)>;
}

/// How long one wait on the node's HTTP client lasts before the worker looks again for
/// answered requests: the offchain API waits for all of a set, so the worker waits in slices.
const WAIT_SLICE_MS: u64 = 100;

/// The node's offchain HTTP client.
#[derive(Default)]
pub struct OffchainHttp {
	/// The deadline of each started request.
	deadlines: Vec<(u16, u64)>,
}

impl Transport for OffchainHttp {
	fn now(&self) -> u64 {
		sp_io::offchain::timestamp().unix_millis()
	}

	fn start(&mut self, request: &HttpRequest, deadline: u64) -> Result<u16, FetchError> {
		let pending = send(request, Timestamp::from_unix_millis(deadline))?;
		self.deadlines.push((pending.id.0, deadline));
		Ok(pending.id.0)
	}

	fn wait(&mut self, ids: &[u16], until: u64) -> Vec<(u16, Reply)> {
		loop {
			let slice = self.now().saturating_add(WAIT_SLICE_MS).min(until);
			let pending =
				ids.iter().map(|id| http::PendingRequest { id: HttpRequestId(*id) }).collect();
			let answered: Vec<(u16, Reply)> = ids
				.iter()
				.zip(http::PendingRequest::try_wait_all(
					pending,
					Timestamp::from_unix_millis(slice),
				))
				.filter_map(|(id, status)| match status {
					Ok(Ok(response)) => Some((*id, read(response, self.deadline_of(*id)))),
					Ok(Err(_)) => Some((*id, Err(FetchError::Io))),
					Err(_) if self.deadline_of(*id) <= Timestamp::from_unix_millis(slice) => {
						Some((*id, Err(FetchError::Timeout)))
					},
					Err(_) => None,
				})
				.collect();
			if !answered.is_empty() || slice >= until {
				self.deadlines.retain(|(id, _)| !answered.iter().any(|(done, _)| done == id));
				return answered;
			}
		}
	}
}

impl OffchainHttp {
	fn deadline_of(&self, id: u16) -> Timestamp {
		let deadline = self
			.deadlines
			.iter()
			.find(|(known, _)| *known == id)
			.map_or(0, |(_, deadline)| *deadline);
		Timestamp::from_unix_millis(deadline)
	}
}

/// Starts `request` with `deadline`.
fn send(request: &HttpRequest, deadline: Timestamp) -> Result<http::PendingRequest, FetchError> {
	let chunks: Vec<&[u8]> = request.body.iter().map(Vec::as_slice).collect();
	let method = if request.body.is_some() { http::Method::Post } else { http::Method::Get };
	let mut builder: http::Request<'_, Vec<&[u8]>> =
		http::Request::new(&request.url).method(method).body(chunks).deadline(deadline);
	if request.body.is_some() {
		builder = builder.add_header("Content-Type", "application/json");
	}
	for (name, value) in &request.headers {
		builder = builder.add_header(name, value);
	}
	builder.send().map_err(|error| match error {
		HttpError::DeadlineReached => FetchError::Timeout,
		_ => FetchError::Io,
	})
}

/// The body of a 200 response, read by `deadline` (a server that sends headers and then
/// stalls does not hold the run either).
fn read(response: http::Response, deadline: Timestamp) -> Reply {
	if response.code != 200 {
		return Err(FetchError::Status(response.code));
	}
	let mut body = response.body();
	body.deadline(deadline);
	let mut bytes = Vec::new();
	for byte in body.by_ref() {
		if bytes.len() >= MAX_BODY {
			return Err(FetchError::TooLarge);
		}
		bytes.push(byte);
	}
	match body.error() {
		Some(HttpError::DeadlineReached) => Err(FetchError::Timeout),
		Some(_) => Err(FetchError::Io),
		None => Ok(bytes),
	}
}

/// `start + budget`, in unix milliseconds.
pub fn deadline_after(start: u64, budget: Duration) -> u64 {
	start.saturating_add(budget.millis())
}
