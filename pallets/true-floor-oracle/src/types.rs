//! Stored and submitted types: a collection's oracle configuration, its sale sources, the
//! signed floor feed and the index quorum; and a source's cursor, which the offchain worker
//! keeps in the node's offchain storage.

use alloc::string::String;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{traits::ConstU32, BoundedVec},
	sp_runtime::Perbill,
};
use scale_info::TypeInfo;

/// A collection's marketplace slug (OpenSea's collection path), at most 64 bytes.
pub type Slug = BoundedVec<u8, ConstU32<64>>;

/// The sources a collection may be read from.
pub type Sources = BoundedVec<Source, ConstU32<3>>;

/// Where validators read a collection's sales, and the format it speaks.
///
/// The SCALE indices are kept from the first version, whose other sources (OpenSea API v1,
/// X2Y2, Reservoir: all shut down) are gone.
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
	/// OpenSea API v2 collection events (`event_type=sale`), with the node's API key.
	#[codec(index = 1)]
	OpenSeaV2,
	/// LooksRare API v2 events (`type=SALE`).
	#[codec(index = 2)]
	LooksRare,
	/// The collection's ERC-721 `Transfer` logs and the Seaport and Blur fills in their
	/// transactions, read from an Ethereum JSON-RPC node: no marketplace API involved.
	#[codec(index = 5)]
	EthereumLogs,
}

impl Source {
	/// Every source, in order.
	pub const ALL: [Source; 3] = [Source::OpenSeaV2, Source::LooksRare, Source::EthereumLogs];

	/// The name node operators use for it (`--oracle-endpoint opensea-v2=URL`).
	pub const fn name(self) -> &'static str {
		match self {
			Source::OpenSeaV2 => "opensea-v2",
			Source::LooksRare => "looksrare",
			Source::EthereumLogs => "ethereum",
		}
	}

	/// The source called `name`.
	pub fn from_name(name: &str) -> Option<Source> {
		Self::ALL.into_iter().find(|source| source.name() == name)
	}

	/// The header an API key of this source is sent in, if the source takes one.
	pub const fn api_key_header(self) -> Option<&'static str> {
		match self {
			Source::OpenSeaV2 => Some("x-api-key"),
			Source::LooksRare => Some("X-Looks-Api-Key"),
			// JSON-RPC providers take their key in the URL.
			Source::EthereumLogs => None,
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
	/// The sources validators read it from.
	pub sources: Sources,
	/// The floor algorithm's parameters.
	pub params: true_floor::FloorParams,
}

/// The floors an operator publishes, signed by its operator key over
/// [`feed_payload`](crate::feed_payload) (which adds the chain's genesis hash).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct FloorFeed<OperatorId, BlockNumber, Floors> {
	/// The operator's key (its account is derived from it).
	pub operator: OperatorId,
	/// The latest block the operator's node knew when it submitted the feed; the feed is valid
	/// for a few blocks after.
	pub block: BlockNumber,
	/// `(collection, floor in wei)` pairs.
	pub floors: Floors,
}

/// How many operators the index needs: fresh values from more than `share` of the operator
/// set (and at least two when there are two or more operators), within `max_spread` of each
/// other. Below that the index is not updated and goes stale.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct QuorumPolicy {
	/// The fraction of the operator set the agreeing values must exceed (50%: a majority).
	pub share: Perbill,
	/// How far apart (a fraction of the lowest) the values of a quorum may be. Honest
	/// operators differ by the moment they computed and the sources they reached; a liar's
	/// value outside the band cannot join theirs.
	pub max_spread: Perbill,
}

impl Default for QuorumPolicy {
	/// A majority, within 10 % of each other.
	fn default() -> Self {
		Self { share: Perbill::from_percent(50), max_spread: Perbill::from_percent(10) }
	}
}

/// Where a node's source stands for a collection, kept between offchain worker runs in the
/// node's offchain storage (never on chain).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Cursor {
	/// A paged API: the sales from `after` (unix seconds, inclusive) are being read; `page`
	/// continues a window an earlier run began; `newest` is the latest sale time seen in it.
	Api { after: u64, page: Option<String>, newest: u64 },
	/// Ethereum: the next block to read, and the widest range the node last accepted.
	Blocks { next: u64, range: u64 },
}
