//! Real-runtime test chains built from the genesis presets.

use floorperp_runtime::{RuntimeGenesisConfig, System};
use polkadot_sdk::{frame_support::genesis_builder_helper::build_state, sp_io::TestExternalities};

/// A chain at block 1 with `preset` (a JSON patch over the default genesis) applied.
pub fn chain(preset: serde_json::Value) -> TestExternalities {
	let mut ext = TestExternalities::new_empty();
	ext.execute_with(|| {
		let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
		merge(&mut config, preset);
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&config).unwrap()).unwrap();
		System::set_block_number(1);
	});
	ext
}

/// Applies a genesis preset (a JSON patch) to the full default configuration.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// A transaction signed by `pair` with its account's current nonce, offering `tip`, through
/// every extension of the runtime's `TxExtension` (what a wallet sends).
#[allow(dead_code)] // Not every test binary sends signed transactions.
pub fn signed(
	pair: &polkadot_sdk::sp_core::sr25519::Pair,
	call: floorperp_runtime::RuntimeCall,
	tip: u128,
) -> floorperp_runtime::UncheckedExtrinsic {
	use codec::Encode;
	use polkadot_sdk::{
		frame_system, pallet_transaction_payment,
		sp_core::Pair,
		sp_runtime::{generic::Era, traits::IdentifyAccount, MultiSignature, MultiSigner},
	};
	let who = MultiSigner::from(pair.public()).into_account();
	let extension: floorperp_runtime::TxExtension = (
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(System::account_nonce(&who)),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(tip),
		polkadot_sdk::frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	);
	let payload = floorperp_runtime::SignedPayload::new(call.clone(), extension.clone()).unwrap();
	let signature = MultiSignature::from(payload.using_encoded(|bytes| pair.sign(bytes)));
	floorperp_runtime::UncheckedExtrinsic::new_signed(call, who.into(), signature, extension)
}

/// Applies `call` signed by `pair` with `tip`; returns what it paid in FLOOR, tip included.
#[allow(dead_code)] // Not every test binary sends signed transactions.
pub fn apply(
	pair: &polkadot_sdk::sp_core::sr25519::Pair,
	call: floorperp_runtime::RuntimeCall,
	tip: u128,
) -> u128 {
	use floorperp_runtime::{Executive, RuntimeEvent};
	use polkadot_sdk::pallet_transaction_payment::Event as PaymentEvent;
	let first = System::events().len();
	let result = Executive::apply_extrinsic(signed(pair, call.clone(), tip));
	assert!(matches!(result, Ok(Ok(_))), "{call:?}: {result:?}");
	System::events()
		.into_iter()
		.skip(first)
		.find_map(|record| match record.event {
			RuntimeEvent::TransactionPayment(PaymentEvent::TransactionFeePaid {
				actual_fee,
				..
			}) => Some(actual_fee),
			_ => None,
		})
		.expect("a fee")
}

pub mod blocks;
