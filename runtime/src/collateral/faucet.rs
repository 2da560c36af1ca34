//! # Faucet
//!
//! Test ETH on development and test networks: `drip` mints [`Drip`]'s amount of the
//! collateral asset to the caller, at most once per [`Drip`]'s period of blocks per account.
//! Production genesis leaves the amount at zero, which switches the call off
//! (`FaucetDisabled`), and only a `root` referendum could change it.

pub use pallet::*;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use crate::collateral::faucet_weights::WeightInfo;
	use polkadot_sdk::{
		frame_support::{pallet_prelude::*, traits::fungible::Mutate, DefaultNoBound},
		frame_system::{self, pallet_prelude::*},
		sp_runtime::Saturating,
	};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The asset the faucet gives out.
		type Asset: Mutate<Self::AccountId, Balance = u128>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// What one drip gives, and how many blocks an account waits between drips (amount 0:
	/// the faucet is off).
	#[pallet::storage]
	pub type Drip<T: Config> = StorageValue<_, (u128, BlockNumberFor<T>), ValueQuery>;

	/// The block each account last dripped in.
	#[pallet::storage]
	pub type LastDrip<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Per drip (0: off).
		pub amount: u128,
		/// Blocks between an account's drips.
		pub period: BlockNumberFor<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Drip::<T>::put((self.amount, self.period));
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` received `amount` of test ETH.
		Dripped { who: T::AccountId, amount: u128 },
		/// The drip was set (Root).
		DripSet { amount: u128, period: BlockNumberFor<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// This network has no faucet (production), or it is switched off.
		FaucetDisabled,
		/// The account dripped less than a period ago.
		TooSoon,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Mints one drip of test ETH to the caller.
		///
		/// - Origin: signed.
		/// - Effect: mints `Drip.0` to the caller; it can drip again `Drip.1` blocks later.
		/// - Events: `Dripped`.
		/// - Errors: `FaucetDisabled`, `TooSoon`; the asset's error if the mint fails.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::drip())]
		pub fn drip(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (amount, period) = Drip::<T>::get();
			ensure!(amount > 0, Error::<T>::FaucetDisabled);
			let now = frame_system::Pallet::<T>::block_number();
			if let Some(last) = LastDrip::<T>::get(&who) {
				ensure!(now >= last.saturating_add(period), Error::<T>::TooSoon);
			}
			T::Asset::mint_into(&who, amount)?;
			LastDrip::<T>::insert(&who, now);
			Self::deposit_event(Event::Dripped { who, amount });
			Ok(())
		}

		/// Sets the drip (0 switches the faucet off).
		///
		/// - Origin: Root.
		/// - Events: `DripSet`.
		/// - Errors: none besides the origin.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_drip())]
		pub fn set_drip(
			origin: OriginFor<T>,
			amount: u128,
			period: BlockNumberFor<T>,
		) -> DispatchResult {
			ensure_root(origin)?;
			Drip::<T>::put((amount, period));
			Self::deposit_event(Event::DripSet { amount, period });
			Ok(())
		}
	}
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmarks {
	use super::pallet::*;
	use polkadot_sdk::{
		frame_benchmarking::v2::*,
		frame_system::{pallet_prelude::BlockNumberFor, RawOrigin},
	};

	#[benchmarks]
	mod benches {
		use super::*;

		/// A second drip, a period after the first (the account's record is rewritten).
		#[benchmark]
		fn drip() {
			Drip::<T>::put((1_000_000_000_000_000_000u128, BlockNumberFor::<T>::from(0u32)));
			let caller: T::AccountId = whitelisted_caller();
			LastDrip::<T>::insert(&caller, BlockNumberFor::<T>::from(0u32));
			#[extrinsic_call]
			_(RawOrigin::Signed(caller.clone()));
			assert!(LastDrip::<T>::contains_key(&caller));
		}

		#[benchmark]
		fn set_drip() {
			#[extrinsic_call]
			_(RawOrigin::Root, 1u128, BlockNumberFor::<T>::from(10u32));
			assert_eq!(Drip::<T>::get().0, 1);
		}
	}
}
