//! The `InsuranceApi` runtime API (docs/fees-and-insurance.md#the-insurance-fund, docs/README.md#runtime-apis): the insurance fund's state and each
//! market's remaining outflow budget, without signing anything.
//!
//! Polkadot-JS calls it as `api.call.insuranceApi.<method>`; the runtime's metadata (v15+)
//! describes every method and type, so no client-side type definitions are needed.
//!
//! Units: amounts are raw 18-decimal integers (`10^18` = 1 unit). The types are documented
//! in [`pallet_insurance`].
#![cfg_attr(not(feature = "std"), no_std)]
// The macro passes arguments by `&mut` where clippy would not.
#![allow(clippy::unnecessary_mut_passed)]

pub use pallet_insurance::InsuranceState;

use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Read-only views of the insurance fund.
	pub trait InsuranceApi<AccountId, MarketId>
	where
		AccountId: Codec,
		MarketId: Codec,
	{
		/// The fund's account, balance, what it can pay out (`available`), target balance,
		/// low watermark and whether the balance is below it, the withdrawable surplus, the
		/// default claim cap and the claim period (blocks).
		fn state() -> InsuranceState<AccountId>;

		/// What `market` may still draw from the fund now (bad-debt cover, funding subsidy,
		/// convergence and migration costs together): its cap (override or default) less what
		/// it drew in the current claim period, bounded by what the fund can pay.
		fn claim_capacity(market: MarketId) -> u128;
	}
}
