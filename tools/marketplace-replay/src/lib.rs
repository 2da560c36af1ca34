//! Replays an NFT sale CSV as live sale feeds on loopback, so a dev chain's offchain worker
//! can poll "live" sales: OpenSea API v2 and LooksRare API v2 events, and an Ethereum
//! JSON-RPC node whose logs carry the same sales.
//!
//! The CSV is read with [`true_floor_cli::input::read_sales`] (same `--columns` and
//! `--price-scale` options as the `true-floor` backtest) and replayed at a speed-up factor
//! `S` from the server's start: see [`replay`] for when a sale becomes visible and the
//! (shifted, recent) timestamp it is reported with.
//!
//! # Endpoints
//!
//! Event feeds are `GET` and answer JSON (`Content-Type: application/json`), newest first as
//! the real APIs page, at most `limit` per page (default [`service::DEFAULT_LIMIT`] = 50,
//! capped at the API's maximum), with a cursor to the next (older) page while sales within
//! the request's bounds remain. Collection, contract and slug parameters are accepted and
//! ignored: a server replays one dataset.
//!
//! | Format | Path | from | page size | cursor in | cursor out |
//! |---|---|---|---|---|---|
//! | OpenSea v2 | `GET /api/v2/events/collection/{slug}` | `after` | `limit` (≤ 200) | `next` | `next` |
//! | LooksRare v2 | `GET /api/v2/events` | (none) | `pagination[first]` (≤ 150) | `pagination[cursor]` | last `id` |
//! | Ethereum | `POST /rpc` (or `/`) | JSON-RPC | | | |
//!
//! Bodies: OpenSea `{"asset_events": […], "next"}`; LooksRare `{"success": true, "message":
//! null, "data": […]}`; events shaped as [`true_floor::parsers`] read them ([`events`]).
//! Cursors are sale indices as decimal strings (OpenSea's `next`: the index older sales are
//! below; LooksRare ids are index + 1, so the last id is that same index). Started with
//! `--opensea-api-key KEY`, OpenSea requests without `x-api-key: KEY` get a 401, as the real
//! API refuses requests without a key. [`ethereum`] describes the JSON-RPC node.
//!
//! Any path under `/hang` is never answered: the request is kept open until the server stops,
//! for tests of a hanging endpoint. An event-type filter (`event_type`, `type`) other than the
//! sale type yields an empty page. A malformed time, limit or cursor is a 400, an unknown path
//! a 404, a method other than `GET` or `POST` a 405, all with a JSON `error`.
//!
//! `/health` answers `{"ok": true, "visible": N, "total": M, "speed", "real_start",
//! "csv_start", "csv_now", "head_block"}`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
	not(test),
	deny(clippy::expect_used, clippy::indexing_slicing, clippy::panic, clippy::unwrap_used)
)]

pub mod clock;
pub mod ethereum;
pub mod events;
pub mod format;
pub mod query;
pub mod replay;
pub mod server;
pub mod service;

pub use clock::{Clock, ManualClock, SystemClock};
pub use format::{Collection, Format};
pub use replay::{Replay, Request, Window};
pub use server::HttpServer;
pub use service::{Answer, Reply, Service};
