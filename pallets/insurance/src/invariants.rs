//! Invariants of the fund, checked by `try_state` (and after every unit test).

use crate::pallet::{Claims, Config, Pallet};
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::Inspect},
	frame_system,
	sp_runtime::TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Checks every invariant; the first broken one is the error.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		for (_, window) in Claims::<T>::iter() {
			ensure!(window.claimed <= window.cap, "a market claimed more than its cap");
			ensure!(window.period_start <= now, "a claim period starts in the future");
		}
		let total = T::Currency::total_balance(&Self::account_id());
		ensure!(
			total == 0 || total >= T::Currency::minimum_balance(),
			"the fund account holds less than the existential deposit"
		);
		Ok(())
	}
}
