//! The two marketplace API formats: their query parameter names and page envelopes.

use crate::{events, replay::Window};
use serde_json::{json, Value};
use true_floor::Address;

/// A marketplace API response format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
	/// OpenSea API v2, `GET /api/v2/events/collection/{slug}`.
	OpenSeaV2,
	/// LooksRare API v2, `GET /api/v2/events`.
	LooksRare,
}

/// The query parameter names of one format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
	/// Only sales reported at or after this unix time (`None`: the API has no such filter).
	pub after: Option<&'static str>,
	/// The page size.
	pub limit: &'static str,
	/// The cursor of a previous page.
	pub cursor: &'static str,
	/// The event-type filter and the value that selects sales (any other value selects
	/// nothing, as this server only has sales).
	pub event_type: (&'static str, &'static str),
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
	pub const ALL: [Format; 2] = [Self::OpenSeaV2, Self::LooksRare];

	/// A short name ("opensea-v2", "looksrare").
	pub fn name(self) -> &'static str {
		match self {
			Self::OpenSeaV2 => "opensea-v2",
			Self::LooksRare => "looksrare",
		}
	}

	/// The query parameters this format's endpoint reads.
	pub fn params(self) -> Params {
		match self {
			Self::OpenSeaV2 => Params {
				after: Some("after"),
				limit: "limit",
				cursor: "next",
				event_type: ("event_type", "sale"),
			},
			Self::LooksRare => Params {
				after: None,
				limit: "pagination[first]",
				cursor: "pagination[cursor]",
				event_type: ("type", "SALE"),
			},
		}
	}

	/// The largest page the API serves.
	pub fn max_limit(self) -> usize {
		match self {
			Self::OpenSeaV2 => 200,
			Self::LooksRare => 150,
		}
	}

	/// The response body for one page of sales (newest first). OpenSea's `next` is the index
	/// of the next (older) sale as a decimal string, `null` on the last page; LooksRare has no
	/// cursor field: its client passes the `id` of the page's last event, which is that
	/// event's index + 1, i.e. the same next index.
	pub fn body(self, window: &Window, collection: &Collection) -> Value {
		let events: Vec<Value> =
			window.items.iter().map(|item| events::event(self, item, collection)).collect();
		match self {
			Self::OpenSeaV2 => {
				let next = window.next.map(|index| index.to_string());
				json!({ "asset_events": events, "next": next })
			},
			Self::LooksRare => json!({ "success": true, "message": null, "data": events }),
		}
	}
}
