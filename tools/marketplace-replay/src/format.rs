//! The five response formats: their query parameter names and page envelopes.

use crate::{events, replay::Window};
use serde_json::{json, Value};
use true_floor::Address;

/// A marketplace API response format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
	/// OpenSea API v2, `GET /api/v2/events/collection/{slug}`.
	OpenSeaV2,
	/// OpenSea API v1, `GET /api/v1/events`.
	OpenSeaV1,
	/// LooksRare API v1, `GET /api/v1/events`.
	LooksRare,
	/// X2Y2, `GET /v1/events`.
	X2y2,
	/// Reservoir, `GET /sales/v6`.
	Reservoir,
}

/// The query parameter names of one format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
	/// Only sales reported at or after this unix time.
	pub after: &'static str,
	/// The page size.
	pub limit: &'static str,
	/// The cursor of a previous page.
	pub cursor: &'static str,
	/// The event-type filter and the value that selects sales (any other value selects
	/// nothing, as this server only has sales); `None` if the endpoint only serves sales.
	pub event_type: Option<(&'static str, &'static str)>,
}

/// The collection the dataset belongs to, as echoed in the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collection {
	/// The NFT contract address.
	pub contract: Address,
	/// The OpenSea collection slug.
	pub slug: String,
}

impl Default for Collection {
	fn default() -> Self {
		Self { contract: [0; 20], slug: "replay".into() }
	}
}

impl Format {
	/// Every format.
	pub const ALL: [Format; 5] =
		[Self::OpenSeaV2, Self::OpenSeaV1, Self::LooksRare, Self::X2y2, Self::Reservoir];

	/// A short name ("opensea-v2", …).
	pub fn name(self) -> &'static str {
		match self {
			Self::OpenSeaV2 => "opensea-v2",
			Self::OpenSeaV1 => "opensea-v1",
			Self::LooksRare => "looksrare",
			Self::X2y2 => "x2y2",
			Self::Reservoir => "reservoir",
		}
	}

	/// The query parameters this format's endpoint reads.
	pub fn params(self) -> Params {
		let (after, limit, cursor, event_type) = match self {
			Self::OpenSeaV2 => ("after", "limit", "next", Some(("event_type", "sale"))),
			Self::OpenSeaV1 => {
				("occurred_after", "limit", "cursor", Some(("event_type", "successful")))
			},
			Self::LooksRare => {
				("from", "pagination[first]", "pagination[cursor]", Some(("type", "SALE")))
			},
			Self::X2y2 => ("created_after", "limit", "cursor", Some(("type", "sale"))),
			Self::Reservoir => ("startTimestamp", "limit", "continuation", None),
		};
		Params { after, limit, cursor, event_type }
	}

	/// The response body for one page of sales.
	///
	/// Cursors are the index of the next visible sale as a decimal string, `null` when no
	/// more sales are visible. LooksRare has no cursor field: its client passes the `id` of
	/// the page's last event, which is that event's index + 1, i.e. the same next index.
	pub fn body(self, window: &Window, collection: &Collection) -> Value {
		let events: Vec<Value> =
			window.items.iter().map(|item| events::event(self, item, collection)).collect();
		let next = window.next.map(|index| index.to_string());
		match self {
			Self::OpenSeaV2 => json!({ "asset_events": events, "next": next }),
			Self::OpenSeaV1 => json!({ "next": next, "previous": null, "asset_events": events }),
			Self::LooksRare => json!({ "success": true, "message": null, "data": events }),
			Self::X2y2 => json!({ "success": true, "next": next, "data": events }),
			Self::Reservoir => json!({ "sales": events, "continuation": next }),
		}
	}
}
