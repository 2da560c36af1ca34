//! Replays an NFT sale CSV as live marketplace API feeds on loopback, so a dev chain's
//! offchain worker can poll "live" sales.
//!
//! The CSV is read with [`true_floor_cli::input::read_sales`] (same `--columns` and
//! `--price-scale` options as the `true-floor` backtest) and replayed at a speed-up factor
//! `S` from the server's start: see [`replay`] for when a sale becomes visible and the
//! (shifted, recent) timestamp it is reported with.
//!
//! # Endpoints
//!
//! All are `GET` and answer JSON (`Content-Type: application/json`). Every feed returns
//! only visible sales reported at or after its "after" parameter (inclusive), oldest
//! first, at most `limit` per page (default [`service::DEFAULT_LIMIT`] = 50, capped at
//! [`service::MAX_LIMIT`] = 200), with a cursor while more visible sales remain. Given a
//! cursor, a request continues from it and ignores "after". Collection, contract and slug
//! parameters are accepted and ignored: a server replays one dataset.
//!
//! | Format | Path | after | limit | cursor in | cursor out |
//! |---|---|---|---|---|---|
//! | OpenSea v2 | `/api/v2/events/collection/{slug}` | `after` | `limit` | `next` | `next` |
//! | OpenSea v1 | `/api/v1/events` | `occurred_after` | `limit` | `cursor` | `next` |
//! | LooksRare | `/api/v1/events` | `from` | `pagination[first]` | `pagination[cursor]` | last `id` |
//! | X2Y2 | `/v1/events` | `created_after` | `limit` | `cursor` | `next` |
//! | Reservoir | `/sales/v6` | `startTimestamp` | `limit` | `continuation` | `continuation` |
//!
//! Bodies: OpenSea v2 `{"asset_events": […], "next"}`; OpenSea v1 `{"next", "previous":
//! null, "asset_events": […]}`; LooksRare `{"success": true, "message": null, "data": […]}`;
//! X2Y2 `{"success": true, "next", "data": […]}`; Reservoir `{"sales": […],
//! "continuation"}`. The events are shaped as [`true_floor::parsers`] read them, see
//! [`events`].
//!
//! Cursors are the index of the next visible sale as a decimal string, `null` on the last
//! visible page. LooksRare pages by the `id` of the last event; ids are index + 1, so that
//! id is the next index too, and a full page is the only "more remain" signal.
//!
//! `/api/v1/events` serves LooksRare when the query uses LooksRare's names (`collection`,
//! `type`, `from`, `pagination[…]`), OpenSea v1 otherwise; a path prefix forces the venue:
//! `/opensea/…`, `/looksrare/…`, `/x2y2/…`, `/reservoir/…`. An event-type filter
//! (`event_type`, `type`) other than the sale type yields an empty page; Reservoir's
//! `sortDirection` must be `asc` if given. A malformed time, limit or cursor is a 400, an
//! unknown path a 404, a method other than `GET` a 405, all with a JSON `error`.
//!
//! `/health` answers `{"ok": true, "visible": N, "total": M, "speed", "real_start",
//! "csv_start", "csv_now"}`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
	not(test),
	deny(clippy::expect_used, clippy::indexing_slicing, clippy::panic, clippy::unwrap_used)
)]

pub mod clock;
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
pub use service::{Reply, Service};
