//! The index as a quorum of operators, not one voice.
//!
//! `pallet-oracle` keeps each operator's latest value and asks its `CombineData` for the
//! index whenever a value arrives. [`QuorumMedian`] answers with the median of the largest
//! group of fresh values that lie within `max_spread` of each other, if that group is a
//! quorum (more than `share` of the operator set, at least two when there are two or more);
//! otherwise with nothing, so the stored index keeps its old value and timestamp and goes
//! stale for the perp markets (opening pauses, closes and liquidations go on). The index is
//! dated by the quorum: the time of the oldest of the newest `required` agreeing values, from
//! when that many operators had stood by it.
//!
//! A liar outside the band never joins a quorum; with one operator offline and one lying,
//! the remaining honest value is alone and the index goes stale instead of following either.

use crate::{pallet::Quorum, Config, QuorumPolicy};
use alloc::vec::Vec;
use core::marker::PhantomData;
use polkadot_sdk::{
	frame_support::traits::{Get, SortedMembers, Time},
	pallet_oracle::{self, CombineData, TimestampedValue},
	sp_runtime::{traits::Saturating, Perbill},
};

impl QuorumPolicy {
	/// The agreeing values needed with `operators` operators: more than `share` of them,
	/// at least two when there are two or more, never more than there are (one with none,
	/// for values fed by Root).
	pub fn required(&self, operators: u32) -> u32 {
		let above_share = self.share.mul_floor(operators).saturating_add(1);
		above_share.max(operators.min(2)).min(operators).max(1)
	}
}

/// The index from operators' `(value, timestamp)` pairs, fresh ones only: the median of the
/// largest group within `max_spread` (the lowest such group among equals) and the time the
/// quorum formed; `None` without a quorum.
pub fn combine<Moment: Ord + Copy>(
	mut values: Vec<(u128, Moment)>,
	required: u32,
	max_spread: Perbill,
) -> Option<(u128, Moment)> {
	values.sort_unstable_by_key(|(value, _)| *value);
	let mut best: Option<(usize, usize)> = None;
	let mut end = 0;
	for (start, (low, _)) in values.iter().enumerate() {
		let limit = low.saturating_add(max_spread.mul_floor(*low));
		end = end.max(start);
		while values.get(end.saturating_add(1)).is_some_and(|(value, _)| *value <= limit) {
			end = end.saturating_add(1);
		}
		let size = end.saturating_sub(start).saturating_add(1);
		let larger =
			|(first, last): (usize, usize)| size > last.saturating_sub(first).saturating_add(1);
		if best.is_none_or(larger) {
			best = Some((start, end));
		}
	}
	let (start, end) = best?;
	let group = values.get(start..=end)?;
	let required = usize::try_from(required).ok()?;
	if group.len() < required.max(1) {
		return None;
	}
	let (value, _) = *group.get(group.len() / 2)?;
	let mut times: Vec<Moment> = group.iter().map(|(_, time)| *time).collect();
	times.sort_unstable_by(|a, b| b.cmp(a));
	let formed = *times.get(required.saturating_sub(1))?;
	Some((value, formed))
}

/// `pallet-oracle`'s `CombineData` for the runtime: [`combine`] over the values younger
/// than `ExpiresIn`, with the quorum [`Quorum`] sets over `pallet-oracle`'s operator set.
pub struct QuorumMedian<T, ExpiresIn>(PhantomData<(T, ExpiresIn)>);

/// The oracle's time.
type MomentOf<T> = <<T as pallet_oracle::Config>::Time as Time>::Moment;

/// A timestamped index value of the runtime's oracle.
type Timestamped<T> = TimestampedValue<u128, MomentOf<T>>;

impl<T, ExpiresIn> CombineData<<T as pallet_oracle::Config>::OracleKey, Timestamped<T>>
	for QuorumMedian<T, ExpiresIn>
where
	T: Config + pallet_oracle::Config<OracleValue = u128>,
	ExpiresIn: Get<MomentOf<T>>,
{
	fn combine_data(
		_key: &<T as pallet_oracle::Config>::OracleKey,
		values: Vec<Timestamped<T>>,
		_previous: Option<Timestamped<T>>,
	) -> Option<Timestamped<T>> {
		let now = <T as pallet_oracle::Config>::Time::now();
		let expires_in = ExpiresIn::get();
		let fresh = values
			.into_iter()
			.filter(|value| value.timestamp.saturating_add(expires_in) > now)
			.map(|value| (value.value, value.timestamp))
			.collect();
		let operators = <T as pallet_oracle::Config>::Members::count();
		let policy = Quorum::<T>::get();
		let required = policy.required(u32::try_from(operators).unwrap_or(u32::MAX));
		combine(fresh, required, policy.max_spread)
			.map(|(value, timestamp)| TimestampedValue { value, timestamp })
	}
}
