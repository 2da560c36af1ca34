//! The collateral asset: ETH.
//!
//! Every market's index is an NFT floor in ETH, so every margin, PnL, fee, funding payment
//! and insurance figure is in ETH: collateral is ETH too, or a trader's margin and the fund
//! would carry the native token's price against ETH. ETH is one `pallet-assets` asset
//! ([`ETH`]), with `pallet-assets-holder` for the holds pallet-perp puts on collateral; the
//! native token (FLOOR) stays the fee, deposit and governance token.
//!
//! - **One quote asset for every market.** A market could name its own quote asset, but
//!   cross margin adds PnL across markets and the insurance fund pays any market's bad debt:
//!   both need one unit. NFT floors all trade in ETH, so nothing is lost.
//! - **Provenance.** In production the ETH is bridged from Ethereum (WETH locked there, the
//!   asset minted here by the bridge). The asset's owner and issuer is
//!   [`EthIssuerAccount`], a keyless account: nobody can sign for it, and only a `root`
//!   referendum (`pallet_assets::Config::ForceOrigin` is Root) can make the bridge's account
//!   the issuer (`assets.force_asset_status`) or freeze the asset. The chain assumes one
//!   unit of the asset redeems for one ETH on Ethereum; the bridge's security is that
//!   assumption's.
//! - **Units.** 18 decimals, like ETH and like every fixed-point number of pallet-perp: an
//!   amount of `10^18` is one ETH in calls, events, `PerpApi` and the client. The asset's
//!   metadata (name "Ether", symbol "ETH", 18 decimals) is set at genesis so wallets show it.
//! - **Existence.** ETH is a sufficient asset: an account holding only ETH exists (the perp
//!   vault, the insurance fund), and its minimum balance is tiny ([`ETH_MIN_BALANCE`], a
//!   gwei), so a trader needs only ETH for collateral and a little FLOOR for fees.
//! - **Test ETH.** Development and local-testnet genesis mint test ETH to the well-known
//!   accounts; [`faucet`] gives more on those networks (switched off in production genesis).
//!
//! pallet-assets-holder implements the `fungibles` hold traits but not `fungibles::Mutate`,
//! so [`EthCollateral`] presents the asset to pallet-perp and pallet-insurance as one
//! `fungible` with holds: reads and writes go to the holder (which keeps pallet-assets'
//! balances and the holds consistent), and `Mutate`/`MutateHold` use their provided methods
//! on top of that.

pub mod faucet;
pub mod faucet_weights;

use crate::{AccountId, AssetsHolder, Balance, Balances, Runtime, RuntimeEvent, RuntimeHoldReason};
use polkadot_sdk::{
	frame_support::{
		parameter_types,
		traits::{
			fungible::{self, Dust, ItemOf},
			tokens::{
				DepositConsequence, Fortitude, Precision, Preservation, Provenance,
				WithdrawConsequence,
			},
			AsEnsureOriginWithArg, ConstU128, ConstU32,
		},
		PalletId,
	},
	frame_system::{EnsureNever, EnsureRoot},
	pallet_assets, pallet_assets_holder,
	sp_runtime::{traits::AccountIdConversion, DispatchError},
};

/// The asset id of ETH.
pub const ETH: u32 = 1;
/// ETH's minimum balance: one gwei.
pub const ETH_MIN_BALANCE: Balance = 1_000_000_000;
/// ETH has 18 decimals, like the chain's fixed point.
pub const ETH_DECIMALS: u8 = 18;

parameter_types! {
	pub const EthAssetId: u32 = ETH;
	/// Published by the perp pallet so clients read collateral balances from `assets`.
	pub const CollateralAssetId: Option<u32> = Some(ETH);
	/// Owns and issues the ETH asset until governance names the bridge's account.
	pub const EthIssuerPalletId: PalletId = PalletId(*b"fp/ethis");
	pub EthIssuerAccount: AccountId = EthIssuerPalletId::get().into_account_truncating();
}

/// The ETH asset through its holder: balances, holds, and the issuance.
type Eth = ItemOf<AssetsHolder, EthAssetId, AccountId>;

impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1_000>;
	type AssetId = u32;
	type AssetIdParameter = codec::Compact<u32>;
	type ReserveData = ();
	type Currency = Balances;
	// Assets are created by governance only (ETH at genesis); nobody creates one by a deposit.
	type CreateOrigin = AsEnsureOriginWithArg<EnsureNever<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = ConstU128<{ 100 * crate::UNIT }>;
	type AssetAccountDeposit = ConstU128<{ crate::MILLI_UNIT }>;
	type MetadataDepositBase = ConstU128<{ crate::UNIT }>;
	type MetadataDepositPerByte = ConstU128<{ crate::MILLI_UNIT }>;
	type ApprovalDeposit = ConstU128<{ crate::MILLI_UNIT }>;
	type StringLimit = ConstU32<32>;
	type Freezer = ();
	type Holder = AssetsHolder;
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

impl pallet_assets_holder::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeEvent = RuntimeEvent;
}

impl faucet::Config for Runtime {
	type Asset = EthCollateral;
	type WeightInfo = faucet_weights::SubstrateWeight<Runtime>;
}

/// ETH as one `fungible` with holds, for pallet-perp and pallet-insurance (module docs).
pub struct EthCollateral;

impl fungible::Inspect<AccountId> for EthCollateral {
	type Balance = Balance;

	fn total_issuance() -> Balance {
		<Eth as fungible::Inspect<_>>::total_issuance()
	}
	fn active_issuance() -> Balance {
		<Eth as fungible::Inspect<_>>::active_issuance()
	}
	fn minimum_balance() -> Balance {
		<Eth as fungible::Inspect<_>>::minimum_balance()
	}
	fn total_balance(who: &AccountId) -> Balance {
		<Eth as fungible::Inspect<_>>::total_balance(who)
	}
	fn balance(who: &AccountId) -> Balance {
		<Eth as fungible::Inspect<_>>::balance(who)
	}
	fn reducible_balance(who: &AccountId, preservation: Preservation, force: Fortitude) -> Balance {
		<Eth as fungible::Inspect<_>>::reducible_balance(who, preservation, force)
	}
	fn can_deposit(who: &AccountId, amount: Balance, provenance: Provenance) -> DepositConsequence {
		<Eth as fungible::Inspect<_>>::can_deposit(who, amount, provenance)
	}
	fn can_withdraw(who: &AccountId, amount: Balance) -> WithdrawConsequence<Balance> {
		<Eth as fungible::Inspect<_>>::can_withdraw(who, amount)
	}
}

// pallet-assets implements balance changes itself (its `write_balance` must not be reached),
// so every method is forwarded rather than left to the trait's defaults.
impl fungible::Unbalanced<AccountId> for EthCollateral {
	fn handle_raw_dust(amount: Balance) {
		<Eth as fungible::Unbalanced<_>>::handle_raw_dust(amount)
	}
	fn handle_dust(dust: Dust<AccountId, Self>) {
		<Eth as fungible::Unbalanced<_>>::handle_dust(Dust(dust.0));
	}
	fn write_balance(who: &AccountId, amount: Balance) -> Result<Option<Balance>, DispatchError> {
		<Eth as fungible::Unbalanced<_>>::write_balance(who, amount)
	}
	fn set_total_issuance(amount: Balance) {
		<Eth as fungible::Unbalanced<_>>::set_total_issuance(amount)
	}
	fn decrease_balance(
		who: &AccountId,
		amount: Balance,
		precision: Precision,
		preservation: Preservation,
		force: Fortitude,
	) -> Result<Balance, DispatchError> {
		<Eth as fungible::Unbalanced<_>>::decrease_balance(
			who,
			amount,
			precision,
			preservation,
			force,
		)
	}
	fn increase_balance(
		who: &AccountId,
		amount: Balance,
		precision: Precision,
	) -> Result<Balance, DispatchError> {
		<Eth as fungible::Unbalanced<_>>::increase_balance(who, amount, precision)
	}
	fn deactivate(amount: Balance) {
		<Eth as fungible::Unbalanced<_>>::deactivate(amount)
	}
	fn reactivate(amount: Balance) {
		<Eth as fungible::Unbalanced<_>>::reactivate(amount)
	}
}

impl fungible::Mutate<AccountId> for EthCollateral {}

impl fungible::InspectHold<AccountId> for EthCollateral {
	type Reason = RuntimeHoldReason;

	fn total_balance_on_hold(who: &AccountId) -> Balance {
		<Eth as fungible::InspectHold<_>>::total_balance_on_hold(who)
	}
	fn balance_on_hold(reason: &RuntimeHoldReason, who: &AccountId) -> Balance {
		<Eth as fungible::InspectHold<_>>::balance_on_hold(reason, who)
	}
	fn reducible_total_balance_on_hold(who: &AccountId, force: Fortitude) -> Balance {
		<Eth as fungible::InspectHold<_>>::reducible_total_balance_on_hold(who, force)
	}
	fn hold_available(reason: &RuntimeHoldReason, who: &AccountId) -> bool {
		<Eth as fungible::InspectHold<_>>::hold_available(reason, who)
	}
}

impl fungible::UnbalancedHold<AccountId> for EthCollateral {
	fn set_balance_on_hold(
		reason: &RuntimeHoldReason,
		who: &AccountId,
		amount: Balance,
	) -> Result<(), DispatchError> {
		<Eth as fungible::UnbalancedHold<_>>::set_balance_on_hold(reason, who, amount)
	}
	fn decrease_balance_on_hold(
		reason: &RuntimeHoldReason,
		who: &AccountId,
		amount: Balance,
		precision: Precision,
	) -> Result<Balance, DispatchError> {
		<Eth as fungible::UnbalancedHold<_>>::decrease_balance_on_hold(
			reason, who, amount, precision,
		)
	}
	fn increase_balance_on_hold(
		reason: &RuntimeHoldReason,
		who: &AccountId,
		amount: Balance,
		precision: Precision,
	) -> Result<Balance, DispatchError> {
		<Eth as fungible::UnbalancedHold<_>>::increase_balance_on_hold(
			reason, who, amount, precision,
		)
	}
}

impl fungible::MutateHold<AccountId> for EthCollateral {}

/// `who`'s ETH: free (spendable) and held as collateral, for tests and tools.
pub fn eth_balance(who: &AccountId) -> Balance {
	<EthCollateral as fungible::Inspect<_>>::balance(who)
}
