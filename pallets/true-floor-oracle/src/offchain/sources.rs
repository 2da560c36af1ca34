//! What each source asks for in a run, and what it makes of the answers.
//!
//! A [`Task`] reads one collection from one source. Each round of a run it may name one
//! request ([`Task::request`]) and is then given the reply ([`Task::answer`]); the run sends
//! all tasks' requests of a round together. A task's [`Cursor`] (kept between runs) only moves
//! past what it read completely, so a timeout or an error costs a run, never a sale.
//!
//! - **OpenSea API v2** and **LooksRare API v2** page through their events newest first with
//!   an opaque cursor: a task reads the sales since `after` page by page (a window), and once
//!   the window is read moves `after` to the newest sale it saw. A window longer than a run
//!   continues in the next run from the page it stopped at. LooksRare has no time filter, so
//!   the window ends at the first page reaching back before `after`.
//! - **Ethereum logs**: the head block (less [`CONFIRMATIONS`]), then the collection's
//!   `Transfer` logs over at most `range` blocks from the cursor, then one JSON-RPC batch of the
//!   single-token transactions' receipts and their blocks (timestamps); the cursor moves to the
//!   block after the range. A range the node refuses (too many results) is quartered.

use super::http::{FetchError, HttpRequest, Reply};
pub use crate::types::Cursor;
use crate::{CollectionConfig, Source};
use alloc::{
	collections::BTreeMap,
	format,
	string::{String, ToString},
	vec::Vec,
};
use true_floor::{
	ethereum::{self, rpc, Transfer},
	parsers::{looksrare, opensea_v2, Page},
	Sale,
};

/// Events asked for per page.
pub const PAGE_LIMIT: u32 = 50;
/// How far back (seconds) a source read for the first time starts.
pub const INITIAL_LOOKBACK: u64 = 86_400;
/// Blocks under the head not read yet: a reorganisation rarely reaches that deep.
pub const CONFIRMATIONS: u64 = 5;
/// How many blocks back (about a day) Ethereum logs read for the first time start.
pub const INITIAL_LOOKBACK_BLOCKS: u64 = 7_200;
/// The widest block range asked for in one `eth_getLogs`.
pub const MAX_BLOCK_RANGE: u64 = 1_000;
/// Receipts fetched per batch.
pub const MAX_RECEIPTS: usize = 50;
/// JSON-RPC ids of a batch's block requests start here (receipts count from 0).
const BLOCK_IDS: u64 = 1_000_000;

/// Where a task is within a run.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Stage {
	/// Next: a page of events.
	Page,
	/// Next: the head block number.
	Head,
	/// Next: `Transfer` logs, up to block `safe`.
	Logs { safe: u64 },
	/// Next: receipts and blocks of `transfers`, which cover blocks up to `to`.
	Receipts { safe: u64, to: u64, transfers: Vec<Transfer> },
	/// Nothing more this run.
	Done,
}

/// Reading one collection from one source in a run.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Task<K> {
	/// The collection.
	pub collection: K,
	/// The source.
	pub source: Source,
	/// Where the source stands; saved after the run.
	pub cursor: Cursor,
	/// The sales read this run.
	pub sales: Vec<Sale>,
	/// Why the task stopped early this run, if it did.
	pub error: Option<FetchError>,
	/// Requests the task made.
	pub requests: u32,
	base: String,
	api_key: Option<String>,
	contract: [u8; 20],
	slug: String,
	stage: Stage,
}

impl<K> Task<K> {
	/// A task reading `collection` (configured as `config`) from `source` at `base`, from
	/// `cursor` (`None` for a first read, which starts [`INITIAL_LOOKBACK`] before `now`,
	/// unix seconds).
	pub fn new(
		collection: K,
		source: Source,
		config: &CollectionConfig,
		base: String,
		api_key: Option<String>,
		cursor: Option<Cursor>,
		now: u64,
	) -> Self {
		let (cursor, stage) = match (source, cursor) {
			(Source::EthereumLogs, Some(cursor @ Cursor::Blocks { .. })) => (cursor, Stage::Head),
			// The first read of the chain starts from the head, once known.
			(Source::EthereumLogs, _) => {
				(Cursor::Blocks { next: 0, range: MAX_BLOCK_RANGE }, Stage::Head)
			},
			(_, Some(cursor @ Cursor::Api { .. })) => (cursor, Stage::Page),
			(_, _) => {
				let after = now.saturating_sub(INITIAL_LOOKBACK);
				(Cursor::Api { after, page: None, newest: after }, Stage::Page)
			},
		};
		Self {
			collection,
			source,
			cursor,
			sales: Vec::new(),
			error: None,
			requests: 0,
			base: base.trim_end_matches('/').to_string(),
			api_key: api_key.filter(|key| !key.is_empty()),
			contract: config.contract,
			slug: String::from_utf8_lossy(&config.slug).into_owned(),
			stage,
		}
	}

	/// Whether the task has nothing more to ask this run.
	pub fn is_done(&self) -> bool {
		self.stage == Stage::Done
	}

	/// The request of this round, if any.
	pub fn request(&self) -> Option<HttpRequest> {
		let headers = match (self.source.api_key_header(), &self.api_key) {
			(Some(header), Some(key)) => alloc::vec![(header, key.clone())],
			_ => Vec::new(),
		};
		match (&self.stage, &self.cursor) {
			(Stage::Page, Cursor::Api { after, page, .. }) => Some(HttpRequest {
				url: self.page_url(*after, page.as_deref()),
				body: None,
				headers,
			}),
			(Stage::Head, _) => Some(self.rpc(&[rpc::block_number(1)])),
			(Stage::Logs { safe }, Cursor::Blocks { next, range }) => {
				let to = next.saturating_add(range.saturating_sub(1)).min(*safe);
				Some(self.rpc(&[rpc::transfer_logs(2, &self.contract, *next, to)]))
			},
			(Stage::Receipts { transfers, .. }, _) => {
				let mut calls: Vec<_> = (0u64..)
					.zip(transfers)
					.map(|(id, transfer)| rpc::receipt(id, &transfer.tx_hash))
					.collect();
				calls.extend(blocks_of(transfers).map(|(id, block)| rpc::block(id, block)));
				Some(self.rpc(&calls))
			},
			_ => None,
		}
	}

	/// Takes the reply to this round's request.
	pub fn answer(&mut self, reply: Reply) {
		self.requests = self.requests.saturating_add(1);
		let outcome =
			reply.and_then(|body| match core::mem::replace(&mut self.stage, Stage::Done) {
				Stage::Page => self.page(&body),
				Stage::Head => self.head(&body),
				Stage::Logs { safe } => self.logs(&body, safe),
				Stage::Receipts { safe, to, transfers } => {
					self.receipts(&body, safe, to, &transfers)
				},
				Stage::Done => Ok(Stage::Done),
			});
		match outcome {
			Ok(next) => self.stage = next,
			Err(error) => {
				self.error = Some(error);
				self.stage = Stage::Done;
			},
		}
	}

	/// A JSON-RPC POST to the endpoint.
	fn rpc(&self, calls: &[serde_json::Value]) -> HttpRequest {
		HttpRequest { url: self.base.clone(), body: Some(rpc::body(calls)), headers: Vec::new() }
	}

	/// The URL of the page of events from `after`, or of the page `cursor` names.
	fn page_url(&self, after: u64, cursor: Option<&str>) -> String {
		let (mut url, cursor_param) = match self.source {
			Source::LooksRare => (
				format!(
					"{}/api/v2/events?collection={}&type=SALE&pagination%5Bfirst%5D={PAGE_LIMIT}",
					self.base,
					rpc::hex_string(&self.contract)
				),
				"pagination%5Bcursor%5D",
			),
			_ => (
				format!(
					"{}/api/v2/events/collection/{}?event_type=sale&after={after}&limit={PAGE_LIMIT}",
					self.base,
					url_escape(&self.slug)
				),
				"next",
			),
		};
		if let Some(cursor) = cursor {
			url.push_str(&format!("&{cursor_param}={}", url_escape(cursor)));
		}
		url
	}

	/// A page of API events.
	fn page(&mut self, body: &[u8]) -> Result<Stage, FetchError> {
		let parsed: Page = match self.source {
			Source::LooksRare => looksrare::parse(body),
			_ => opensea_v2::parse(body),
		}
		.map_err(|_| FetchError::Unparsable)?;
		let Cursor::Api { after, page, newest } = &mut self.cursor else {
			return Ok(Stage::Done);
		};
		let reached_back = parsed.sales.iter().any(|sale| sale.timestamp < *after);
		for sale in parsed.sales.iter().filter(|sale| sale.timestamp >= *after) {
			*newest = (*newest).max(sale.timestamp);
			self.sales.push(*sale);
		}
		let next = parsed.cursor.filter(|next| {
			!parsed.sales.is_empty() && !reached_back && page.as_ref() != Some(next)
		});
		match next {
			Some(next) => {
				*page = Some(next);
				Ok(Stage::Page)
			},
			None => {
				*page = None;
				*after = (*after).max(*newest);
				Ok(Stage::Done)
			},
		}
	}

	/// The head block: logs are read up to `CONFIRMATIONS` under it.
	fn head(&mut self, body: &[u8]) -> Result<Stage, FetchError> {
		let head = rpc::parse_single(body)
			.ok()
			.and_then(|result| rpc::parse_quantity(&result))
			.ok_or(FetchError::Unparsable)?;
		let safe = head.saturating_sub(CONFIRMATIONS);
		let Cursor::Blocks { next, .. } = &mut self.cursor else { return Ok(Stage::Done) };
		if *next == 0 {
			*next = safe.saturating_sub(INITIAL_LOOKBACK_BLOCKS);
		}
		Ok(if *next > safe { Stage::Done } else { Stage::Logs { safe } })
	}

	/// `Transfer` logs of a range: the single-token transactions go on to their receipts.
	fn logs(&mut self, body: &[u8], safe: u64) -> Result<Stage, FetchError> {
		let Cursor::Blocks { next, range } = &mut self.cursor else { return Ok(Stage::Done) };
		let result = match rpc::parse_single(body) {
			Ok(result) => result,
			// Too many results (or a provider's range limit): ask for a quarter next round.
			Err(true_floor::ParseError::RpcError(_)) if *range > 1 => {
				*range = (*range / 4).max(1);
				return Ok(Stage::Logs { safe });
			},
			Err(true_floor::ParseError::RpcError(code)) => return Err(FetchError::Rpc(code)),
			Err(_) => return Err(FetchError::Unparsable),
		};
		let logs = rpc::parse_logs(&result).map_err(|_| FetchError::Unparsable)?;
		let mut to = next.saturating_add(range.saturating_sub(1)).min(safe);
		let transfers: Vec<Transfer> =
			logs.iter().filter_map(|log| Transfer::from_log(log, &self.contract)).collect();
		let (mut candidates, _) = ethereum::single_item_transfers(&transfers);
		if let Some(cut) = candidates.get(MAX_RECEIPTS).map(|transfer| transfer.block_number) {
			let first = candidates.first().map_or(cut, |transfer| transfer.block_number);
			// Whole blocks only, so the cursor can move to the block after the last one read.
			let last = if cut > first { cut.saturating_sub(1) } else { first };
			candidates.retain(|transfer| transfer.block_number <= last);
			to = last;
		}
		if candidates.is_empty() {
			*next = to.saturating_add(1);
			return Ok(if to < safe { Stage::Logs { safe } } else { Stage::Done });
		}
		Ok(Stage::Receipts { safe, to, transfers: candidates })
	}

	/// Receipts and blocks of a range's transfers: its sales; the cursor moves past it only if
	/// every receipt and block came back.
	fn receipts(
		&mut self,
		body: &[u8],
		safe: u64,
		to: u64,
		transfers: &[Transfer],
	) -> Result<Stage, FetchError> {
		let results = rpc::parse_batch(body).map_err(|_| FetchError::Unparsable)?;
		let times: BTreeMap<u64, u64> = blocks_of(transfers)
			.map(|(id, block)| {
				let result = results.get(&id).ok_or(FetchError::Incomplete)?;
				let time = rpc::block_timestamp(result).map_err(|_| FetchError::Unparsable)?;
				Ok((block, time))
			})
			.collect::<Result<_, FetchError>>()?;
		let mut sales = Vec::new();
		for (id, transfer) in (0u64..).zip(transfers) {
			let receipt = results.get(&id).ok_or(FetchError::Incomplete)?;
			let logs = rpc::receipt_logs(receipt)
				.map_err(|_| FetchError::Unparsable)?
				.ok_or(FetchError::Incomplete)?;
			let time = times.get(&transfer.block_number).copied().ok_or(FetchError::Incomplete)?;
			sales.extend(ethereum::sale_of(transfer, &self.contract, &logs, time));
		}
		self.sales.extend(sales);
		let Cursor::Blocks { next, .. } = &mut self.cursor else { return Ok(Stage::Done) };
		*next = to.saturating_add(1);
		Ok(if to < safe { Stage::Logs { safe } } else { Stage::Done })
	}
}

/// The distinct blocks of `transfers` with their JSON-RPC ids in a batch.
fn blocks_of(transfers: &[Transfer]) -> impl Iterator<Item = (u64, u64)> {
	let mut blocks: Vec<u64> = transfers.iter().map(|transfer| transfer.block_number).collect();
	blocks.dedup();
	(BLOCK_IDS..).zip(blocks)
}

/// Percent-encodes everything but unreserved characters.
pub fn url_escape(text: &str) -> String {
	let mut escaped = String::new();
	for byte in text.bytes() {
		if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
			escaped.push(char::from(byte));
		} else {
			escaped.push_str(&format!("%{byte:02X}"));
		}
	}
	escaped
}
