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
