//! # Validator manager
//!
//! The validator set, decided by governance: a `validator_admin` referendum (or Root) adds or
//! removes a validator, and `pallet-session` takes the new set at its next planning
//! ([`Pallet`] is its `SessionManager`). See [`super`] for the delay and why.

pub use pallet::*;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::super::manager_weights::WeightInfo;
	use alloc::vec::Vec;
	use polkadot_sdk::{
		frame_support::{pallet_prelude::*, traits::Contains, DefaultNoBound},
		frame_system::pallet_prelude::*,
		pallet_session::SessionManager,
	};

	/// pallet-session's session counter.
	pub type SessionIndex = u32;

	/// v1: the set and the session length (`super::super::migration` seeds them on chains
	/// that ran without sessions, v0).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who may add and remove validators: Root or a `validator_admin` referendum.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Accounts that have registered session keys (`session.setKeys`): only they can be
		/// added, or the referendum would enact a validator that can never author.
		type HasSessionKeys: Contains<Self::AccountId>;
		/// The most validators the set holds (Aura's and GRANDPA's authority bound).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The fewest validators the set keeps: a removal below it is refused.
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// The session length where genesis sets none.
		#[pallet::constant]
		type DefaultSessionLength: Get<BlockNumberFor<Self>>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
		/// Registers session keys for benchmark accounts.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Benchmark set-up the runtime provides.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// Makes `who` an account with registered session keys.
		fn register_keys(who: &AccountId);
	}

	/// The validators the next planned session takes, sorted. The active set is
	/// `session.validators`; it follows this one within two sessions.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since pallet-session last planned a session.
	#[pallet::storage]
	pub type PlanPending<T> = StorageValue<_, bool, ValueQuery>;

	/// Blocks per session.
	#[pallet::storage]
	pub type SessionLength<T: Config> =
		StorageValue<_, BlockNumberFor<T>, ValueQuery, T::DefaultSessionLength>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first validators (each needs session keys in `session`'s genesis).
		pub validators: Vec<T::AccountId>,
		/// Blocks per session; `None`: `DefaultSessionLength`.
		pub session_length: Option<BlockNumberFor<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut validators = self.validators.clone();
			validators.sort();
			validators.dedup();
			let validators = BoundedVec::try_from(validators)
				.expect("genesis validators fit MaxValidators; qed");
			Validators::<T>::put(validators);
			if let Some(length) = self.session_length {
				assert!(length > 0u32.into(), "a session lasts at least one block");
				SessionLength::<T>::put(length);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` joins the validator set; it authors from the session after next.
		ValidatorAdded { who: T::AccountId },
		/// `who` leaves the validator set; it stops authoring from the session after next.
		ValidatorRemoved { who: T::AccountId },
		/// pallet-session planned `session` with these validators: they author from it on.
		SessionPlanned { session: SessionIndex, validators: Vec<T::AccountId> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is a validator already.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The set holds `MaxValidators` already.
		TooManyValidators,
		/// The removal would leave fewer than `MinValidators`.
		TooFewValidators,
		/// The account has not registered session keys (`session.setKeys`).
		NoSessionKeys,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `who` to the validator set.
		///
		/// - Origin: `AdminOrigin` (Root or a `validator_admin` referendum).
		/// - Effect: `who` is in the set pallet-session plans next; it authors blocks, votes
		///   in GRANDPA and feeds the oracle from the session after next (at most two
		///   sessions after this call).
		/// - Events: `ValidatorAdded`.
		/// - Errors: `AlreadyValidator`, `TooManyValidators`, `NoSessionKeys`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(T::HasSessionKeys::contains(&who), Error::<T>::NoSessionKeys);
			let mut validators = Validators::<T>::get();
			let at = validators.binary_search(&who).err().ok_or(Error::<T>::AlreadyValidator)?;
			validators.try_insert(at, who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Validators::<T>::put(validators);
			PlanPending::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Removes `who` from the validator set.
		///
		/// - Origin: `AdminOrigin` (Root or a `validator_admin` referendum).
		/// - Effect: `who` is not in the set pallet-session plans next; it stops authoring,
		///   voting and feeding the oracle from the session after next. Its session keys
		///   stay registered (it may `session.purgeKeys` to get the deposit back).
		/// - Events: `ValidatorRemoved`.
		/// - Errors: `NotValidator`, `TooFewValidators`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let mut validators = Validators::<T>::get();
			let at = validators.binary_search(&who).map_err(|_| Error::<T>::NotValidator)?;
			ensure!(
				validators.len() > T::MinValidators::get() as usize,
				Error::<T>::TooFewValidators
			);
			validators.remove(at);
			Validators::<T>::put(validators);
			PlanPending::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}
	}

	impl<T: Config> SessionManager<T::AccountId> for Pallet<T> {
		fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
			if !PlanPending::<T>::take() {
				return None;
			}
			let validators = Validators::<T>::get().into_inner();
			Self::deposit_event(Event::SessionPlanned {
				session: new_index,
				validators: validators.clone(),
			});
			Some(validators)
		}

		fn new_session_genesis(_: SessionIndex) -> Option<Vec<T::AccountId>> {
			let validators = Validators::<T>::get().into_inner();
			(!validators.is_empty()).then_some(validators)
		}

		fn end_session(_: SessionIndex) {}
		fn start_session(_: SessionIndex) {}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			let validators = Validators::<T>::get();
			ensure!(
				validators.windows(2).all(|pair| pair[0] < pair[1]),
				"the validator set is sorted and has no duplicate"
			);
			ensure!(
				validators.len() >= T::MinValidators::get() as usize,
				"the validator set keeps MinValidators"
			);
			ensure!(SessionLength::<T>::get() > 0u32.into(), "a session lasts at least one block");
			Ok(())
		}
	}
}

/// Blocks per session, as pallet-session's `PeriodicSessions` reads it.
pub struct SessionLengthOf<T>(core::marker::PhantomData<T>);
impl<T: Config>
	polkadot_sdk::frame_support::traits::Get<
		polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor<T>,
	> for SessionLengthOf<T>
{
	fn get() -> polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor<T> {
		SessionLength::<T>::get()
	}
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmarks {
	use super::pallet::*;
	use alloc::vec::Vec;
	use polkadot_sdk::{
		frame_benchmarking::v2::*,
		frame_support::{
			traits::{EnsureOrigin, Get},
			BoundedVec,
		},
	};

	/// A set one short of full (sorted), so `add_validator` searches and shifts the most.
	fn almost_full_set<T: Config>() -> Vec<T::AccountId> {
		let mut validators: Vec<T::AccountId> = (0..T::MaxValidators::get().saturating_sub(1))
			.map(|i| account("validator", i, 0))
			.collect();
		validators.sort();
		Validators::<T>::put(BoundedVec::truncate_from(validators.clone()));
		validators
	}

	#[benchmarks]
	mod benches {
		use super::*;

		#[benchmark]
		fn add_validator() -> Result<(), BenchmarkError> {
			almost_full_set::<T>();
			let who: T::AccountId = account("candidate", 0, 0);
			T::BenchmarkHelper::register_keys(&who);
			let origin =
				T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
			#[extrinsic_call]
			_(origin as T::RuntimeOrigin, who.clone());
			assert!(Validators::<T>::get().contains(&who));
			Ok(())
		}

		#[benchmark]
		fn remove_validator() -> Result<(), BenchmarkError> {
			let validators = almost_full_set::<T>();
			let who = validators[0].clone();
			let origin =
				T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
			#[extrinsic_call]
			_(origin as T::RuntimeOrigin, who.clone());
			assert!(!Validators::<T>::get().contains(&who));
			Ok(())
		}
	}
}
