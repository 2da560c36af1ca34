//! # Insurance pallet
//!
//! The insurance fund of floorperp (docs/fees-and-insurance.md#the-insurance-fund): an account of its own (`PalletId`) that
//! collects the protocol's inflows and pays what traders' margins cannot.
//!
//! ## Money in
//! - **Protocol inflows** (fee share, liquidation penalty halves, residual margins, funding
//!   income, migration refunds): the paying pallet transfers into
//!   [`Pallet::account_id`] first, then the runtime's adapter calls [`Pallet::note_inflow`],
//!   which records the source in a `Received` event.
//! - **Donations**: the signed call `contribute` (`Contributed`).
//! - **Genesis funding**: `initial_funding`, minted into the account at genesis.
//!
//! ## Money out
//! Every payout to a market ([`Pallet::pay`]: bad-debt cover, funding subsidies,
//! convergence and liquidity-migration costs) counts against one cap per market per claim
//! period (`ClaimPeriod` blocks from the market's first draw of the period): the market's
//! override in `ClaimCaps` or else `DefaultClaimCap` (0 = the fund pays that market
//! nothing). So one thin market cannot drain the fund all markets share; what the cap does
//! not cover is the caller's to socialise or defer. The fund pays no liquidator rewards: a
//! reward paid from the fund would make liquidating one's own bankrupt position profitable.
//! **Surplus**: governance (`InsuranceAdmin`) may withdraw only the balance above
//! `max(TargetBalance, existential deposit)`.
//!
//! Every payout keeps the fund account alive: at most [`Pallet::available`] (balance less
//! the existential deposit) leaves it. A payout asked for more pays what is there and says
//! so in its `Paid` event (`requested` vs `amount`); it is not an error.
//!
//! ## Monitoring
//! After every inflow and outflow (and when governance moves the watermark) the balance is
//! compared with `LowWatermark`; when it crosses it, either way, `LowWatermarkCrossed` is
//! emitted once. The fund's state is exposed by the `InsuranceApi` runtime API
//! (`pallet-insurance-runtime-api`, see [`Pallet::state`]).
//!
//! ## Runtime wiring
//! Minting at genesis adds to the total issuance, so the pallet must come after Balances in
//! `construct_runtime` (Balances' genesis sets the total issuance outright). With an
//! `initial_funding` of at least the existential deposit the fund account exists from
//! genesis; otherwise the runtime must endow it before the first inflow smaller than the
//! existential deposit.
#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics and never truncates: every module returns errors instead. The
// FRAME macros' expansions, the SCALE derives and the benchmarks are exempted where they are
// declared.
#![cfg_attr(
	not(test),
	deny(
		clippy::arithmetic_side_effects,
		clippy::as_conversions,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::panic,
		clippy::unwrap_used
	)
)]

pub use pallet::*;
pub use types::{ClaimWindow, InflowSource, InsuranceState, OutflowPurpose};
pub use weights::WeightInfo;

mod admin;
mod api;
mod claims;
mod fund;
// Also in std builds: the real-runtime fuzz tests (`runtime/tests/fuzz.rs`) check them.
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod invariants;
#[allow(clippy::as_conversions)]
pub mod types;
pub mod weights;

// Benchmarks set up state off-chain; they are not runtime code.
#[cfg(feature = "runtime-benchmarks")]
#[allow(
	clippy::as_conversions,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::panic,
	clippy::unwrap_used
)]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[polkadot_sdk::frame_support::pallet]
// The spine only forwards to the logic modules; the lints would fire on FRAME's expansions.
#[allow(
	clippy::arithmetic_side_effects,
	clippy::as_conversions,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::panic,
	clippy::unwrap_used
)]
pub mod pallet {
	use super::*;
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::fungible::{Inspect, Mutate},
			DefaultNoBound, PalletId,
		},
		frame_system::pallet_prelude::*,
		sp_runtime::traits::StaticLookup,
	};

	/// An account argument of a call, as the runtime's `Lookup` accepts it.
	pub type AccountIdLookupOf<T> =
		<<T as polkadot_sdk::frame_system::Config>::Lookup as StaticLookup>::Source;

	/// A market's claim window as stored.
	pub type ClaimWindowOf<T> = ClaimWindow<BlockNumberFor<T>>;

	/// The layout of this pallet's storage. A change to it bumps this and ships a
	/// `VersionedMigration` from the previous version in the runtime's `Migrations`
	/// (docs/operations.md#runtime-upgrades).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The token the fund holds (18 decimals).
		type Currency: Inspect<Self::AccountId, Balance = u128> + Mutate<Self::AccountId>;
		/// Identifies a perp market (outflow caps and claims are per market).
		type MarketId: Parameter + Member + Copy + MaxEncodedLen + Ord;
		/// Derives the fund's account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Withdraws surplus and sets the fund's parameters (Root or the `insurance_admin`
		/// track).
		type InsuranceAdmin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Length of a claim period (the span a market's outflow cap applies to), in blocks.
		#[pallet::constant]
		type ClaimPeriod: Get<BlockNumberFor<Self>>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// Governance may withdraw only the balance above this (or the existential deposit, if
	/// higher).
	#[pallet::storage]
	pub type TargetBalance<T> = StorageValue<_, u128, ValueQuery>;

	/// `LowWatermarkCrossed` is emitted when the balance crosses this level.
	#[pallet::storage]
	pub type LowWatermark<T> = StorageValue<_, u128, ValueQuery>;

	/// What a market may draw from the fund per claim period, for every purpose, for markets
	/// without an override (0 = nothing).
	#[pallet::storage]
	pub type DefaultClaimCap<T> = StorageValue<_, u128, ValueQuery>;

	/// Per-market overrides of `DefaultClaimCap`.
	#[pallet::storage]
	pub type ClaimCaps<T: Config> = StorageMap<_, Blake2_128Concat, T::MarketId, u128>;

	/// What each market drew in its latest claim period.
	#[pallet::storage]
	pub type Claims<T: Config> = StorageMap<_, Blake2_128Concat, T::MarketId, ClaimWindowOf<T>>;

	/// Whether the balance was below `LowWatermark` when last observed.
	#[pallet::storage]
	pub type BelowLowWatermark<T> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Initial `TargetBalance`.
		pub target_balance: u128,
		/// Initial `LowWatermark`.
		pub low_watermark: u128,
		/// Initial `DefaultClaimCap`.
		pub default_claim_cap: u128,
		/// Minted into the fund account (0 = none; otherwise at least the existential
		/// deposit unless the account is endowed by Balances' genesis).
		pub initial_funding: u128,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// An unbuildable genesis is a broken chain spec: fail loudly, as Balances does.
			if let Err(error) = Pallet::<T>::do_build_genesis(
				self.target_balance,
				self.low_watermark,
				self.default_claim_cap,
				self.initial_funding,
			) {
				panic!("insurance genesis: cannot mint initial_funding: {error:?}");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `amount` arrived from a protocol source; `balance` is the fund's balance after.
		Received { source: InflowSource, market: Option<T::MarketId>, amount: u128, balance: u128 },
		/// The fund paid `amount` of the `requested` to `to`; less than requested when the
		/// claim cap or the fund's balance did not allow more.
		Paid {
			purpose: OutflowPurpose,
			market: Option<T::MarketId>,
			to: T::AccountId,
			requested: u128,
			amount: u128,
			balance: u128,
		},
		/// The balance crossed `low_watermark`: downwards (`below`) or back up.
		LowWatermarkCrossed { balance: u128, low_watermark: u128, below: bool },
		/// `TargetBalance` was set.
		TargetBalanceSet { target_balance: u128 },
		/// `LowWatermark` was set.
		LowWatermarkSet { low_watermark: u128 },
		/// A market's claim cap (`Some`) or the default cap (`None`) was set.
		ClaimCapSet { market: Option<T::MarketId>, cap: u128 },
		/// A market's claim cap override was removed: the default cap applies again.
		ClaimCapRemoved { market: T::MarketId },
		/// Governance withdrew surplus to `to`.
		SurplusWithdrawn { to: T::AccountId, amount: u128, balance: u128 },
		/// `who` donated `amount` to the fund.
		Contributed { who: T::AccountId, amount: u128, balance: u128 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// An amount is zero.
		ZeroAmount,
		/// The caller's transferable balance (keeping its existential deposit) is below the
		/// amount.
		InsufficientBalance,
		/// The amount is above the surplus: the balance over `max(TargetBalance, ED)`.
		ExceedsSurplus,
		/// The market has no claim cap override.
		NoClaimCapOverride,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Donates `amount` of the caller's balance to the fund.
		///
		/// - Origin: signed.
		/// - Effect: transfers `amount` to the fund account; the caller keeps at least the
		///   existential deposit.
		/// - Events: `Contributed`; `LowWatermarkCrossed` if the balance rises past the low
		///   watermark.
		/// - Errors: `ZeroAmount`, `InsufficientBalance`; the token's `BelowMinimum` if the
		///   fund account does not exist yet and `amount` is below the existential deposit.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::contribute())]
		pub fn contribute(origin: OriginFor<T>, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_contribute(&who, amount)
		}

		/// Withdraws `amount` of the surplus (the balance above `max(TargetBalance, ED)`)
		/// to `to`.
		///
		/// - Origin: `InsuranceAdmin`.
		/// - Effect: transfers `amount` from the fund account to `to`.
		/// - Events: `SurplusWithdrawn`; `LowWatermarkCrossed` if the balance falls below the
		///   low watermark.
		/// - Errors: `ZeroAmount`, `ExceedsSurplus`; the token's `BelowMinimum` if `to` does
		///   not exist and `amount` is below the existential deposit.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::withdraw_surplus())]
		pub fn withdraw_surplus(
			origin: OriginFor<T>,
			to: AccountIdLookupOf<T>,
			amount: u128,
		) -> DispatchResult {
			T::InsuranceAdmin::ensure_origin(origin)?;
			let to = T::Lookup::lookup(to)?;
			Self::do_withdraw_surplus(&to, amount)
		}

		/// Sets `TargetBalance`, the level above which governance may withdraw.
		///
		/// - Origin: `InsuranceAdmin`.
		/// - Events: `TargetBalanceSet`.
		/// - Errors: none besides the origin.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_target_balance())]
		pub fn set_target_balance(origin: OriginFor<T>, amount: u128) -> DispatchResult {
			T::InsuranceAdmin::ensure_origin(origin)?;
			Self::do_set_target_balance(amount);
			Ok(())
		}

		/// Sets `LowWatermark` and compares the balance with it at once.
		///
		/// - Origin: `InsuranceAdmin`.
		/// - Events: `LowWatermarkSet`; `LowWatermarkCrossed` if the balance is now on the
		///   other side of the watermark than when last observed.
		/// - Errors: none besides the origin.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_low_watermark())]
		pub fn set_low_watermark(origin: OriginFor<T>, amount: u128) -> DispatchResult {
			T::InsuranceAdmin::ensure_origin(origin)?;
			Self::do_set_low_watermark(amount);
			Ok(())
		}

		/// Sets what `market` may draw per claim period (an override), or the default
		/// cap for every market without an override (`None`). 0 = nothing. A lower cap
		/// applies to the current period at once: what was already drawn stays paid.
		///
		/// - Origin: `InsuranceAdmin`.
		/// - Events: `ClaimCapSet`.
		/// - Errors: none besides the origin.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_claim_cap())]
		pub fn set_claim_cap(
			origin: OriginFor<T>,
			market: Option<T::MarketId>,
			cap: u128,
		) -> DispatchResult {
			T::InsuranceAdmin::ensure_origin(origin)?;
			Self::do_set_claim_cap(market, cap);
			Ok(())
		}

		/// Removes `market`'s claim cap override: the default cap applies to it again.
		///
		/// - Origin: `InsuranceAdmin`.
		/// - Events: `ClaimCapRemoved`.
		/// - Errors: `NoClaimCapOverride`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::remove_claim_cap())]
		pub fn remove_claim_cap(origin: OriginFor<T>, market: T::MarketId) -> DispatchResult {
			T::InsuranceAdmin::ensure_origin(origin)?;
			Self::do_remove_claim_cap(market)
		}
	}
}
