//! The referendum tracks: `root`, `market_admin`, `oracle_admin`, `insurance_admin`,
//! `validator_admin`.
//!
//! Production periods (6-second blocks) follow how much a wrong decision costs and how
//! fast a fix must land: market parameters are decided in up to a week and enacted an hour
//! after a 3-hour confirmation; oracle configuration the same but enacted within 10 minutes
//! (a bad operator must go fast); insurance withdrawals and Root take two weeks, a day of
//! confirmation and a day before enactment; validator changes are decided in up to a week,
//! confirmed for a day and enacted after 10 minutes (the session delay adds one to two
//! hours), with more support than market parameters: they decide who finalizes and feeds
//! every index. Approval starts at 100 % and falls linearly to
//! 50 % over the decision period; support (turnout of all issuance) falls from the track's
//! ceiling to its floor. Development presets replace the periods through
//! [`super::origins::FastTracks`].

use super::origins::{FastTracks, Origin, TrackPeriods};
use crate::{Balance, BlockNumber, OriginCaller, Runtime, DAYS, HOURS, MINUTES, UNIT};
use alloc::borrow::Cow;
use polkadot_sdk::{
	frame_system,
	pallet_referenda::{self, Curve, Track, TrackInfo},
	sp_runtime::{str_array as s, Perbill},
};

/// Track ids.
pub mod id {
	/// Anything Root can do.
	pub const ROOT: u16 = 0;
	/// `MarketAdmin`.
	pub const MARKET_ADMIN: u16 = 1;
	/// `OracleAdmin`.
	pub const ORACLE_ADMIN: u16 = 2;
	/// `InsuranceAdmin`.
	pub const INSURANCE_ADMIN: u16 = 3;
	/// `ValidatorAdmin`.
	pub const VALIDATOR_ADMIN: u16 = 4;
}

const fn approval() -> Curve {
	Curve::LinearDecreasing {
		length: Perbill::from_percent(100),
		floor: Perbill::from_percent(50),
		ceil: Perbill::from_percent(100),
	}
}

const fn support(floor_permille: u32, ceil_percent: u32) -> Curve {
	Curve::LinearDecreasing {
		length: Perbill::from_percent(100),
		floor: Perbill::from_perthousand(floor_permille),
		ceil: Perbill::from_percent(ceil_percent),
	}
}

/// The production tracks.
const TRACKS: [Track<u16, Balance, BlockNumber>; 5] = [
	Track {
		id: id::ROOT,
		info: TrackInfo {
			name: s("root"),
			max_deciding: 1,
			decision_deposit: 100_000 * UNIT,
			prepare_period: 2 * HOURS,
			decision_period: 14 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: DAYS,
			min_approval: approval(),
			min_support: support(50, 25),
		},
	},
	Track {
		id: id::MARKET_ADMIN,
		info: TrackInfo {
			name: s("market_admin"),
			max_deciding: 10,
			decision_deposit: 10_000 * UNIT,
			prepare_period: HOURS,
			decision_period: 7 * DAYS,
			confirm_period: 3 * HOURS,
			min_enactment_period: HOURS,
			min_approval: approval(),
			min_support: support(10, 10),
		},
	},
	Track {
		id: id::ORACLE_ADMIN,
		info: TrackInfo {
			name: s("oracle_admin"),
			max_deciding: 10,
			decision_deposit: 10_000 * UNIT,
			prepare_period: HOURS,
			decision_period: 7 * DAYS,
			confirm_period: 3 * HOURS,
			min_enactment_period: 10 * MINUTES,
			min_approval: approval(),
			min_support: support(10, 10),
		},
	},
	Track {
		id: id::INSURANCE_ADMIN,
		info: TrackInfo {
			name: s("insurance_admin"),
			max_deciding: 5,
			decision_deposit: 50_000 * UNIT,
			prepare_period: 2 * HOURS,
			decision_period: 14 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: DAYS,
			min_approval: approval(),
			min_support: support(20, 20),
		},
	},
	Track {
		id: id::VALIDATOR_ADMIN,
		info: TrackInfo {
			name: s("validator_admin"),
			max_deciding: 5,
			decision_deposit: 20_000 * UNIT,
			prepare_period: HOURS,
			decision_period: 7 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: 10 * MINUTES,
			min_approval: approval(),
			min_support: support(20, 20),
		},
	},
];

/// The referendum tracks as `pallet_referenda` sees them.
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<Self::Id, Balance, BlockNumber>>> {
		let fast = FastTracks::<Runtime>::get();
		TRACKS.iter().map(move |track| match fast {
			None => Cow::Borrowed(track),
			Some(periods) => Cow::Owned(with_periods(track, periods)),
		})
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<Self::Id, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(id::ROOT),
			OriginCaller::Origins(Origin::MarketAdmin) => Ok(id::MARKET_ADMIN),
			OriginCaller::Origins(Origin::OracleAdmin) => Ok(id::ORACLE_ADMIN),
			OriginCaller::Origins(Origin::InsuranceAdmin) => Ok(id::INSURANCE_ADMIN),
			OriginCaller::Origins(Origin::ValidatorAdmin) => Ok(id::VALIDATOR_ADMIN),
			_ => Err(()),
		}
	}
}

fn with_periods(
	track: &Track<u16, Balance, BlockNumber>,
	periods: TrackPeriods,
) -> Track<u16, Balance, BlockNumber> {
	let mut fast = track.clone();
	fast.info.prepare_period = periods.prepare;
	fast.info.decision_period = periods.decision;
	fast.info.confirm_period = periods.confirm;
	fast.info.min_enactment_period = periods.enactment;
	fast
}
