//! How closely the floor tracks the collection's actual low prices on clean history.
//!
//! Every hour from a day after the first sale to half a day before the last, the smoothed
//! floor (as of that hour, from the sales so far) is compared with a hindsight reference: the
//! 10 % quantile (lower nearest rank) of the single-item ETH/WETH sales in the 24 hours centred
//! on that hour, where at least `MIN_REFERENCE_SALES` are. The error is
//! `|floor − reference| / reference`; lag after a move and bias from the filters both show.

use crate::sybil::percentile;
use true_floor::{
	fixed::relative_difference, floor::low_quantile, Currency, FloorParams, FloorState, Sale, ONE,
};

/// Seconds per hour.
const HOUR: u64 = 3_600;
/// Half the reference window.
const HALF_WINDOW: u64 = 12 * HOUR;
/// Hours without a reference are skipped.
const MIN_REFERENCE_SALES: usize = 10;
/// The reference quantile.
const REFERENCE_QUANTILE: u128 = ONE / 10;

/// The tracking error over the sampled hours.
#[derive(Clone, Debug, Default)]
pub struct Accuracy {
	/// Hours compared.
	pub samples: usize,
	/// Median of the relative errors.
	pub median: f64,
	/// 90th percentile of the relative errors.
	pub p90: f64,
	/// Mean of the relative errors.
	pub mean: f64,
	/// Median of the signed relative errors (negative: the floor runs under the reference).
	pub bias: f64,
}

/// Whether a sale counts for the reference: one item, in ether, a price.
fn plain(sale: &Sale) -> bool {
	sale.quantity == 1
		&& sale.items_in_tx == 1
		&& sale.currency != Currency::Other
		&& sale.price > 0
}

/// The tracking error of the floor computed with `params` over `sales` (sorted by time).
pub fn accuracy(sales: &[Sale], params: FloorParams) -> Result<Accuracy, String> {
	let (Some(first), Some(last)) = (sales.first(), sales.last()) else {
		return Ok(Accuracy::default());
	};
	let plain: Vec<&Sale> = sales.iter().filter(|sale| plain(sale)).collect();
	let mut state = FloorState::new(params).map_err(|e| format!("invalid parameters: {e:?}"))?;
	let mut next = 0;
	let (mut low, mut high) = (0, 0);
	let mut errors = Vec::new();
	let mut signed = Vec::new();
	let mut hour = first.timestamp + 2 * HALF_WINDOW;
	while hour + HALF_WINDOW <= last.timestamp {
		while let Some(sale) = sales.get(next).filter(|sale| sale.timestamp <= hour) {
			state.ingest(sale);
			next += 1;
		}
		while plain.get(low).is_some_and(|sale| sale.timestamp < hour - HALF_WINDOW) {
			low += 1;
		}
		while plain.get(high).is_some_and(|sale| sale.timestamp <= hour + HALF_WINDOW) {
			high += 1;
		}
		let window = plain.get(low..high).unwrap_or_default();
		if let (true, Some(floor)) = (window.len() >= MIN_REFERENCE_SALES, state.floor_at(hour)) {
			let reference = low_quantile(window.iter().map(|sale| sale.price), REFERENCE_QUANTILE)
				.ok_or("empty reference window")?;
			let error = relative_difference(floor, reference).map_err(|e| format!("{e:?}"))?;
			let error = error as f64 / ONE as f64;
			errors.push(error);
			signed.push(if floor < reference { -error } else { error });
		}
		hour += HOUR;
	}
	let mean =
		if errors.is_empty() { 0.0 } else { errors.iter().sum::<f64>() / errors.len() as f64 };
	Ok(Accuracy {
		samples: errors.len(),
		median: percentile(&errors, 0.5),
		p90: percentile(&errors, 0.9),
		mean,
		bias: percentile(&signed, 0.5),
	})
}
