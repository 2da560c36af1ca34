//! How far a cheap sybil cluster moves the floor.
//!
//! After every `every`-th clean sale that has a floor `F`, a cluster of `size` sales follows
//! it, `spacing` seconds apart: each of a fresh token between two fresh addresses (so no
//! eligibility rule can tell), at `F · (1 − discount)`, a price the outlier filters let
//! through. One actor with a handful of tokens and wallets makes such a cluster for the cost of
//! the fees. The stream is rerun, and each cluster's move is the largest
//! `|floor − clean floor| / clean floor` after any clean sale within `horizon` of the cluster's
//! last sale (and before the next cluster).

use crate::{
	backtest::{run, Backtest, Counts},
	robustness::{synthetic, synthetic_address, synthetic_token},
};
use true_floor::{
	fixed::{mul_ratio, relative_difference},
	FloorParams, Sale, ONE,
};

/// The cluster injected.
#[derive(Clone, Copy, Debug)]
pub struct Cluster {
	/// Inject after every this many clean sales.
	pub every: usize,
	/// Sales per cluster.
	pub size: u64,
	/// Seconds between the cluster's sales.
	pub spacing: u64,
	/// How far under the floor they sell, 18-decimal (0.15 = 15 %).
	pub discount: u128,
	/// A cluster's move is measured over this many seconds after its last sale.
	pub horizon: u64,
}

impl Default for Cluster {
	/// Ten sales a minute apart at 15 % under the floor, after every 200th sale.
	fn default() -> Self {
		Self { every: 200, size: 10, spacing: 60, discount: ONE * 15 / 100, horizon: 24 * 3_600 }
	}
}

/// The moves the clusters caused.
#[derive(Clone, Debug, Default)]
pub struct SybilReport {
	/// Verdicts of the injected sales.
	pub injected: Counts,
	/// Each cluster's largest relative move of the floor (fractions, 0.01 = 1 %).
	pub moves: Vec<f64>,
}

impl SybilReport {
	/// The largest move.
	pub fn max(&self) -> f64 {
		self.moves.iter().copied().fold(0.0, f64::max)
	}

	/// The 90th percentile of the moves (nearest rank).
	pub fn p90(&self) -> f64 {
		percentile(&self.moves, 0.9)
	}
}

/// The `p`-percentile of `values` by nearest rank (0 when empty).
pub fn percentile(values: &[f64], p: f64) -> f64 {
	let mut sorted = values.to_vec();
	sorted.sort_by(f64::total_cmp);
	let rank = (p * sorted.len() as f64).ceil() as usize;
	sorted.get(rank.saturating_sub(1)).copied().unwrap_or(0.0)
}

/// The cluster number `n` injected after a clean sale at `time` with floor `floor`.
fn cluster(n: u64, floor: u128, time: u64, config: &Cluster) -> Vec<Sale> {
	let price = floor.saturating_sub(mul_ratio(floor, config.discount).unwrap_or(0));
	(0..config.size)
		.map(|k| {
			let id = n * config.size + k;
			synthetic(
				synthetic_token(7, id),
				price,
				synthetic_address(7, id),
				synthetic_address(8, id),
				time + 1 + k * config.spacing,
			)
		})
		.collect()
}

/// Reruns `sales` with a cluster after every `config.every`-th sale, against the `clean` run.
pub fn sybil(
	sales: &[Sale],
	clean: &Backtest,
	params: FloorParams,
	config: &Cluster,
) -> Result<SybilReport, String> {
	let every = config.every.max(1);
	// (sale, clean index if a clean sale, cluster number if injected)
	let mut stream: Vec<(Sale, Option<usize>, Option<usize>)> = Vec::with_capacity(sales.len());
	let mut clusters = 0usize;
	for (index, sale) in sales.iter().enumerate() {
		stream.push((*sale, Some(index), None));
		let floor = clean.floors.get(index).copied().flatten();
		if let (true, Some(floor)) = ((index + 1) % every == 0, floor) {
			let injected = cluster(clusters as u64, floor, sale.timestamp, config);
			stream.extend(injected.into_iter().map(|sale| (sale, None, Some(clusters))));
			clusters += 1;
		}
	}
	stream.sort_by_key(|(sale, _, _)| sale.timestamp);
	let mixed: Vec<Sale> = stream.iter().map(|(sale, _, _)| *sale).collect();
	let run = run(&mixed, params)?;

	let mut report = SybilReport { moves: vec![0.0; clusters], ..Default::default() };
	let mut current: Option<(usize, u64)> = None;
	for ((sale, clean_index, injected), (verdict, floor)) in
		stream.iter().zip(run.verdicts.iter().zip(&run.floors))
	{
		if let Some(number) = injected {
			report.injected.record(*verdict);
			current = Some((*number, sale.timestamp));
			continue;
		}
		let (Some((number, last)), Some(clean_index)) = (current, clean_index) else { continue };
		if sale.timestamp > last.saturating_add(config.horizon) {
			continue;
		}
		let (Some(dirty), Some(Some(reference))) = (floor, clean.floors.get(*clean_index)) else {
			continue;
		};
		// The attack aims down: how far under the clean floor it pulled the published one.
		let deviation = if dirty < reference {
			relative_difference(*dirty, *reference).map_err(|e| format!("{e:?}"))? as f64
				/ ONE as f64
		} else {
			0.0
		};
		if let Some(worst) = report.moves.get_mut(number) {
			*worst = worst.max(deviation);
		}
	}
	Ok(report)
}
