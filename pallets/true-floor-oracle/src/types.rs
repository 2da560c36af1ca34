//! Stored and submitted types: a collection's oracle configuration, marketplace sources, and
//! the signed floor feed.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::frame_support::{traits::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use true_floor::{parsers, FloorParams, Page, ParseError};

/// A collection's marketplace slug (OpenSea's collection path), at most 64 bytes.
pub type Slug = BoundedVec<u8, ConstU32<64>>;

/// The marketplaces a collection may be read from.
pub type Sources = BoundedVec<Source, ConstU32<5>>;

/// A marketplace sale feed and the response format it speaks.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Source {
	/// OpenSea API v1 `events` (`event_type=successful`).
	OpenSeaV1,
	/// OpenSea API v2 collection events (`event_type=sale`).
	OpenSeaV2,
	/// LooksRare API v1 `events` (`type=SALE`).
	LooksRare,
	/// X2Y2 API v1 `events` (`type=sale`).
	X2y2,
	/// Reservoir `sales/v6`.
	Reservoir,
}

impl Source {
	/// Every source, in order.
	pub const ALL: [Source; 5] =
		[Source::OpenSeaV1, Source::OpenSeaV2, Source::LooksRare, Source::X2y2, Source::Reservoir];

	/// The name node operators use for it (`--oracle-endpoint opensea-v2=URL`).
	pub const fn name(self) -> &'static str {
		match self {
			Source::OpenSeaV1 => "opensea-v1",
			Source::OpenSeaV2 => "opensea-v2",
			Source::LooksRare => "looksrare",
			Source::X2y2 => "x2y2",
			Source::Reservoir => "reservoir",
		}
	}

	/// The source called `name`.
	pub fn from_name(name: &str) -> Option<Source> {
		Self::ALL.into_iter().find(|source| source.name() == name)
	}

	/// Parses one response page.
	pub fn parse(self, body: &[u8]) -> Result<Page, ParseError> {
		match self {
			Source::OpenSeaV1 => parsers::opensea_v1::parse(body),
			Source::OpenSeaV2 => parsers::opensea_v2::parse(body),
			Source::LooksRare => parsers::looksrare::parse(body),
			Source::X2y2 => parsers::x2y2::parse(body),
			Source::Reservoir => parsers::reservoir::parse(body),
		}
	}
}

/// What governance configures for a collection's oracle.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct CollectionConfig {
	/// The collection's ERC-721 contract.
	pub contract: [u8; 20],
	/// Its OpenSea slug (`boredapeyachtclub`).
	pub slug: Slug,
	/// The marketplaces validators read it from.
	pub sources: Sources,
	/// The floor algorithm's parameters.
	pub params: FloorParams,
}

/// The floors an operator publishes in one block, signed by its operator key.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct FloorFeed<OperatorId, BlockNumber, Floors> {
	/// The operator's key (its account is derived from it).
	pub operator: OperatorId,
	/// The block the feed was computed at; it is valid for a few blocks after.
	pub block: BlockNumber,
	/// `(collection, floor in wei)` pairs.
	pub floors: Floors,
}
