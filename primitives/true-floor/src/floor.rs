//! The floor state machine: sales in, a smoothed low-quantile floor out.

use crate::{
	eligibility::{EligibilityFilter, RejectReason},
	error::FloorResult,
	fixed::{mul_div, mul_ratio, relative_difference, ONE},
	outliers::{bounded_step, RobustCentre},
	params::FloorParams,
	smoothing::Ema,
	types::Sale,
	window::push_capped,
};
use alloc::{
	collections::{BTreeMap, VecDeque},
	vec::Vec,
};

/// What happened to an ingested sale.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
	/// The sale counts towards the floor.
	Accepted,
	/// The sale was ignored, and why.
	Rejected(RejectReason),
}

/// Everything the floor remembers, all of it bounded by [`FloorParams`]. With the `scale`
/// feature it is SCALE-encodable, so an offchain worker keeps it in local storage.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FloorState {
	params: FloorParams,
	filter: EligibilityFilter,
	/// The last `centre_window` eligible prices (outliers included, so a genuine regime
	/// change moves the centre after enough sales instead of being rejected forever).
	eligible: VecDeque<u128>,
	/// The last `quantile_window` accepted sales, with their time buckets.
	accepted: VecDeque<Vote>,
	/// The step-bounded, unsmoothed floor.
	instant: Option<u128>,
	/// The smoothed floor.
	ema: Option<Ema>,
}

/// An accepted sale in the quantile window: its price and its time bucket (see
/// `FloorParams::burst_window`).
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Vote {
	price: u128,
	bucket: u64,
}

/// The `q`-quantile of `prices` (lower nearest rank: index `⌊q · (n − 1)⌋` of the sorted
/// prices); `None` if empty.
pub fn low_quantile(prices: impl IntoIterator<Item = u128>, q: u128) -> Option<u128> {
	let mut sorted: Vec<u128> = prices.into_iter().collect();
	sorted.sort_unstable();
	let last = u128::try_from(sorted.len().checked_sub(1)?).ok()?;
	let index = usize::try_from(mul_div(last, q.min(ONE), ONE).ok()?).ok()?;
	sorted.get(index).copied()
}

/// The `q`-quantile of `(price, weight)` pairs, weights 18-decimal (one sale is [`ONE`]):
/// the lowest price whose cumulative weight exceeds `q · (W − 1)` for a total weight `W`. With
/// every weight one this is [`low_quantile`] exactly; `None` if empty.
pub fn weighted_low_quantile(mut weighted: Vec<(u128, u128)>, q: u128) -> Option<u128> {
	weighted.sort_unstable();
	let total = weighted.iter().fold(0u128, |total, (_, weight)| total.saturating_add(*weight));
	let threshold = mul_div(total.checked_sub(ONE.min(total))?, q.min(ONE), ONE).ok()?;
	let mut cumulative = 0u128;
	let mut last = None;
	for (price, weight) in weighted {
		cumulative = cumulative.saturating_add(weight);
		last = Some(price);
		if cumulative > threshold {
			break;
		}
	}
	last
}

impl FloorState {
	/// An empty state; fails if `params` do not [validate](FloorParams::validate).
	pub fn new(params: FloorParams) -> FloorResult<Self> {
		params.validate()?;
		Ok(Self {
			params,
			filter: EligibilityFilter::new(),
			eligible: VecDeque::new(),
			accepted: VecDeque::new(),
			instant: None,
			ema: None,
		})
	}

	/// The parameters in use.
	pub fn params(&self) -> &FloorParams {
		&self.params
	}

	/// Runs `sale` through eligibility, the outlier filters and, if accepted, the floor.
	/// Never panics and never fails: anything that cannot be priced is rejected.
	pub fn ingest(&mut self, sale: &Sale) -> Verdict {
		if let Err(reason) = self.filter.check(sale, &self.params) {
			return Verdict::Rejected(reason);
		}
		let centre = self.robust_centre();
		if !self.crowds_its_bucket(sale) {
			push_capped(&mut self.eligible, sale.price, self.params.centre_window);
		}
		if let Some(centre) = centre {
			if let Err(reason) = centre.classify(sale.price, &self.params) {
				return Verdict::Rejected(reason);
			}
		}
		let vote = Vote { price: sale.price, bucket: self.bucket_of(sale.timestamp) };
		push_capped(&mut self.accepted, vote, self.params.quantile_window);
		self.update_floor(sale.timestamp);
		Verdict::Accepted
	}

	/// The time bucket of a sale at `timestamp` (0 when bursts are not looked for).
	fn bucket_of(&self, timestamp: u64) -> u64 {
		timestamp.checked_div(self.params.burst_window).unwrap_or(0)
	}

	/// Median and MAD of the recent eligible prices, once there are `min_samples` of them.
	pub fn robust_centre(&self) -> Option<RobustCentre> {
		if self.eligible.len() < self.min_samples() {
			return None;
		}
		RobustCentre::of(self.eligible.iter().copied())
	}

	fn min_samples(&self) -> usize {
		usize::try_from(self.params.min_samples).unwrap_or(usize::MAX)
	}

	/// Moves the instantaneous floor towards the quantile of the accepted window, by at
	/// most one step, and feeds it to the EMA at `now`. An arithmetic failure (impossible
	/// with validated parameters and prices below `max_price`) leaves the floor unchanged.
	fn update_floor(&mut self, now: u64) {
		if self.accepted.len() < self.min_samples() {
			return;
		}
		let Some(target) = self.target() else { return };
		let instant = match self.instant {
			None => target,
			Some(previous) => match bounded_step(previous, target, self.params.max_step) {
				Ok(bounded) => bounded,
				Err(_) => return,
			},
		};
		let ema = match self.ema {
			None => Ok(Ema::new(instant, now)),
			Some(ema) => ema.advance(now, instant, self.params.half_life),
		};
		if let Ok(ema) = ema {
			self.instant = Some(instant);
			self.ema = Some(ema);
		}
	}

	/// The price a sale must be under to count towards a burst: `burst_tolerance` under the
	/// current floor; `None` before there is a floor or with bursts not looked for.
	fn burst_line(&self) -> Option<u128> {
		let floor = self.instant.filter(|_| self.params.burst_window > 0)?;
		Some(floor.saturating_sub(mul_ratio(floor, self.params.burst_tolerance).ok()?))
	}

	/// How many sales of `bucket` under `line` the quantile window holds.
	fn under_line(&self, bucket: u64, line: u128) -> usize {
		self.accepted.iter().filter(|vote| vote.bucket == bucket && vote.price < line).count()
	}

	/// Whether `sale` is under the burst line in a bucket that already holds `burst_cap` such
	/// sales: it then stays out of the robust centre, which a burst would otherwise drag down.
	fn crowds_its_bucket(&self, sale: &Sale) -> bool {
		let Some(line) = self.burst_line().filter(|line| sale.price < *line) else {
			return false;
		};
		let count = self.under_line(self.bucket_of(sale.timestamp), line);
		u32::try_from(count).unwrap_or(u32::MAX) >= self.params.burst_cap
	}

	/// The `quantile` of the accepted window, where the sales of a time bucket that are under
	/// the burst line weigh `burst_cap` sales at most, together.
	fn target(&self) -> Option<u128> {
		let Some(line) = self.burst_line() else {
			return low_quantile(self.accepted.iter().map(|vote| vote.price), self.params.quantile);
		};
		let mut under: BTreeMap<u64, u128> = BTreeMap::new();
		for vote in self.accepted.iter().filter(|vote| vote.price < line) {
			let count = under.entry(vote.bucket).or_insert(0);
			*count = count.saturating_add(1);
		}
		let cap = u128::from(self.params.burst_cap);
		let weighted = self.accepted.iter().map(|vote| {
			let weight = match under.get(&vote.bucket) {
				Some(count) if vote.price < line && *count > cap => {
					mul_div(ONE, cap, *count).ok()?
				},
				_ => ONE,
			};
			Some((vote.price, weight))
		});
		weighted_low_quantile(weighted.collect::<Option<Vec<_>>>()?, self.params.quantile)
	}

	/// The quantile of the accepted window after the step bound, before smoothing.
	pub fn instant_floor(&self) -> Option<u128> {
		self.instant
	}

	/// The smoothed floor as of the last accepted sale; `None` until `min_samples` sales
	/// were accepted.
	pub fn floor(&self) -> Option<u128> {
		self.ema.map(|ema| ema.value)
	}

	/// The smoothed floor at `now`, having decayed towards the instantaneous floor since
	/// the last accepted sale.
	pub fn floor_at(&self, now: u64) -> Option<u128> {
		self.ema.and_then(|ema| ema.value_at(now, self.params.half_life).ok())
	}

	/// Whether to publish the floor at `now`, given the last published `(price, time)`:
	/// yes if nothing was published yet, if the heartbeat has passed, or if the floor moved
	/// by more than `publish_deviation` of the published price. Never without a floor.
	pub fn should_publish(&self, now: u64, last_published: Option<(u128, u64)>) -> bool {
		let Some(current) = self.floor_at(now) else {
			return false;
		};
		let Some((published, published_at)) = last_published else {
			return true;
		};
		if now.saturating_sub(published_at) >= self.params.heartbeat {
			return true;
		}
		// A zero published price cannot be compared against: replace it.
		relative_difference(current, published)
			.map_or(true, |moved| moved > self.params.publish_deviation)
	}
}
