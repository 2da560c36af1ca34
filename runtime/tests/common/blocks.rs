//! Driving blocks as the chain does, and validators' offchain workers in process: each
//! validator has its own sweep cursor and, optionally, its own watch list (in memory, as a
//! fresh node's offchain storage), and what the workers of a block submit is authorised and
//! applied in the next block as block import does.
#![allow(dead_code)] // Each test binary uses its own part.

use codec::Encode;
use floorperp_runtime::{
	pallet_perp::{self, watch::MemoryWatch},
	Executive, Header, Perp, Runtime, RuntimeCall, RuntimeOrigin, System, UncheckedExtrinsic,
};
use polkadot_sdk::{
	frame_support::{
		storage::StoragePrefixedMap,
		traits::{OnFinalize, UnfilteredDispatchable},
	},
	frame_system::offchain::CreateAuthorizedTransaction,
	pallet_timestamp,
	sp_core::crypto::AccountId32,
	sp_io::hashing::blake2_256,
	sp_keyring::Sr25519Keyring,
	sp_runtime::traits::Header as _,
};
use std::collections::BTreeMap;

/// Unix time of the first block, milliseconds.
pub const START_MS: u64 = 1_700_000_000_000;
/// The runtime's `LiquidationScanLimit`.
pub const SCAN_LIMIT: u32 = 2_048;

/// Feeds the index of each `(collection, price)` as Alice, the dev chain's oracle operator
/// (one feed per operator and block).
pub fn feed_all(prices: &[(u32, u128)]) {
	let call = RuntimeCall::Oracle(polkadot_sdk::pallet_oracle::Call::feed_values {
		values: prices.to_vec().try_into().unwrap(),
	});
	let origin = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
	assert!(call.dispatch_bypass_filter(origin).is_ok(), "the feed is taken");
}

/// Feeds collection 1's index.
pub fn feed(price: u128) {
	feed_all(&[(1, price)]);
}

/// The mark of market `market`.
pub fn mark_of(market: u32) -> u128 {
	pallet_perp::Markets::<Runtime>::get(market).unwrap().reserves.mark_price().unwrap()
}

/// Market 0's mark.
pub fn mark() -> u128 {
	mark_of(0)
}

/// Ends the block and opens the next one, 6 s later, as the executive would.
pub fn next_block() {
	let block = System::block_number();
	Perp::on_finalize(block);
	polkadot_sdk::pallet_oracle::Pallet::<Runtime>::on_finalize(block);
	let parent = System::finalize().hash();
	let header =
		Header::new(block + 1, Default::default(), Default::default(), parent, Default::default());
	Executive::initialize_block(&header);
	let now = pallet_timestamp::Now::<Runtime>::get() + 6_000;
	pallet_timestamp::Now::<Runtime>::put(now);
}

/// An authorised (fee-less, unsigned) general transaction, as offchain workers submit.
pub fn authorised(call: RuntimeCall) -> UncheckedExtrinsic {
	let extension = <Runtime as CreateAuthorizedTransaction<RuntimeCall>>::create_extension();
	UncheckedExtrinsic::new_transaction(call, extension)
}

/// One validator's offchain worker.
pub struct Validator {
	/// `None`: the worker before the watch list (the sweep alone).
	pub watch: Option<MemoryWatch>,
	pub cursor: Vec<u8>,
}

impl Validator {
	/// A worker whose sweep starts at a point of the position map drawn from `seed`, as a
	/// fresh worker starts at a random one.
	pub fn new(seed: u32, watch: bool) -> Self {
		let mut cursor = pallet_perp::Positions::<Runtime>::final_prefix().to_vec();
		cursor.extend(&blake2_256(&(b"validator", seed).encode())[..16]);
		Self { watch: watch.then(MemoryWatch::in_memory), cursor }
	}

	/// This block's run: what it submits.
	pub fn run(&mut self) -> Vec<pallet_perp::Call<Runtime>> {
		let cursor = std::mem::take(&mut self.cursor);
		let (duties, scan) = Perp::duties_watched(self.watch.as_mut(), cursor, SCAN_LIMIT);
		self.cursor = scan.resume_after;
		duties
	}
}

/// What the next block made of the workers' transactions.
#[derive(Default)]
pub struct Included {
	/// Accounts whose liquidation was included.
	pub liquidated: Vec<AccountId32>,
	/// Other duties included (funding, convergence, remaps).
	pub other: u32,
	/// Refused by authorisation (they stay in the pool; a later run submits them again).
	pub refused: u32,
	/// Included and failed: must never happen.
	pub failed: u32,
}

/// Every validator's run this block; copies collapse by their encoding, as the pool's tags
/// make them. Then `between` runs at the start of the next block (an oracle feed), and the
/// block includes the transactions in the order submitted, at most `budget` liquidations
/// (the runtime's `MaxLiquidationsPerBlock` bounds them anyway; a smaller budget plays an
/// older runtime, whose further liquidations were refused until the next block).
pub fn workers_then_next_block(
	validators: &mut [Validator],
	budget: usize,
	between: impl FnOnce(),
) -> Included {
	let mut order: Vec<Vec<u8>> = Vec::new();
	let mut submitted: BTreeMap<Vec<u8>, RuntimeCall> = BTreeMap::new();
	for validator in validators.iter_mut() {
		for call in validator.run() {
			let call = RuntimeCall::Perp(call);
			if let std::collections::btree_map::Entry::Vacant(slot) = submitted.entry(call.encode())
			{
				order.push(slot.key().clone());
				slot.insert(call);
			}
		}
	}
	next_block();
	between();
	let mut included = Included::default();
	for key in order {
		let call = submitted.remove(&key).expect("submitted");
		let liquidated = match &call {
			RuntimeCall::Perp(pallet_perp::Call::liquidate { account, .. }) => {
				Some(account.clone())
			},
			_ => None,
		};
		if liquidated.is_some() && included.liquidated.len() == budget {
			included.refused += 1;
			continue;
		}
		match Executive::apply_extrinsic(authorised(call)) {
			Ok(Ok(_)) => match liquidated {
				Some(account) => included.liquidated.push(account),
				None => included.other += 1,
			},
			Ok(Err(_)) => included.failed += 1,
			Err(_) => included.refused += 1,
		}
	}
	included
}
