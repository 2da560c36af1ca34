//! The custom origins of floorperp's governance tracks, and the track periods the chain runs.
//!
//! A referendum on the `market_admin`, `oracle_admin`, `insurance_admin` or `validator_admin`
//! track dispatches its call with the matching [`Origin`]; pallets accept it through
//! `super::MarketAdmin`, `super::OracleAdmin`, `super::InsuranceAdmin` and
//! `super::ValidatorAdmin` (each also accepts Root).
//!
//! [`FastTracks`] holds the period override of development networks: `None` on a production
//! chain (the tracks' own periods apply), set by the dev and local genesis presets so a
//! referendum passes in about a minute. It can only be set at genesis.

pub use pallet::*;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use polkadot_sdk::{frame_support, frame_support::pallet_prelude::*};

	/// Block-number periods that replace every track's periods on a development network.
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
		frame_support::Serialize,
		frame_support::Deserialize,
	)]
	#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
	pub struct TrackPeriods {
		/// Blocks a referendum waits before its decision may start.
		pub prepare: u32,
		/// Blocks it may be decided in.
		pub decision: u32,
		/// Blocks the approval must hold.
		pub confirm: u32,
		/// Blocks between approval and enactment.
		pub enactment: u32,
	}

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The governance origins a referendum track can dispatch with.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// Market parameters, new markets, pauses, liquidity and forced convergence.
		MarketAdmin,
		/// Oracle operators and the true-floor configuration.
		OracleAdmin,
		/// The insurance fund's target, watermark, claim caps and surplus withdrawals.
		InsuranceAdmin,
		/// Adds and removes validators.
		ValidatorAdmin,
	}

	/// Development networks' track periods (`None`: the tracks' production periods).
	#[pallet::storage]
	pub type FastTracks<T> = StorageValue<_, TrackPeriods, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Set only by development presets.
		pub fast_tracks: Option<TrackPeriods>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(periods) = self.fast_tracks {
				FastTracks::<T>::put(periods);
			}
		}
	}

	macro_rules! ensure_origin {
		($name:ident, $variant:ident) => {
			#[doc = concat!("Accepts the `", stringify!($variant), "` track's origin.")]
			pub struct $name;
			impl<O: Into<Result<Origin, O>> + From<Origin>> EnsureOrigin<O> for $name {
				type Success = ();

				fn try_origin(o: O) -> Result<Self::Success, O> {
					o.into().and_then(|origin| match origin {
						Origin::$variant => Ok(()),
						other => Err(O::from(other)),
					})
				}

				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$variant))
				}
			}
		};
	}

	ensure_origin!(MarketAdminTrack, MarketAdmin);
	ensure_origin!(OracleAdminTrack, OracleAdmin);
	ensure_origin!(InsuranceAdminTrack, InsuranceAdmin);
	ensure_origin!(ValidatorAdminTrack, ValidatorAdmin);
}
