//! Runs sales through the floor and counts what happened to them.

use std::collections::BTreeMap;
use true_floor::{FloorParams, FloorState, RejectReason, Sale, Verdict};

/// Verdict counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
	/// Sales ingested.
	pub sales: u64,
	/// Sales accepted.
	pub accepted: u64,
	/// Sales rejected, by reason (only reasons that occurred).
	pub rejected: BTreeMap<RejectReason, u64>,
}

impl Counts {
	/// Adds one verdict.
	pub fn record(&mut self, verdict: Verdict) {
		self.sales += 1;
		match verdict {
			Verdict::Accepted => self.accepted += 1,
			Verdict::Rejected(reason) => *self.rejected.entry(reason).or_default() += 1,
		}
	}

	/// All rejections.
	pub fn rejected_total(&self) -> u64 {
		self.rejected.values().sum()
	}

	/// Rejections as `{reason: count}` with every reason present, for the JSON summary.
	pub fn rejected_json(&self) -> serde_json::Value {
		RejectReason::ALL
			.iter()
			.map(|reason| {
				(reason.name().to_string(), self.rejected.get(reason).copied().unwrap_or(0).into())
			})
			.collect::<serde_json::Map<_, _>>()
			.into()
	}
}

/// The result of running a stream of sales.
#[derive(Clone, Debug, Default)]
pub struct Backtest {
	/// One verdict per sale, in input order.
	pub verdicts: Vec<Verdict>,
	/// The smoothed floor after each sale (`None` before the first floor).
	pub floors: Vec<Option<u128>>,
	/// Totals.
	pub counts: Counts,
}

impl Backtest {
	/// Lowest and highest floor of the run.
	pub fn floor_range(&self) -> Option<(u128, u128)> {
		let floors = self.floors.iter().flatten();
		Some((*floors.clone().min()?, *floors.max()?))
	}
}

/// Ingests `sales` in order into a fresh [`FloorState`].
pub fn run(sales: &[Sale], params: FloorParams) -> Result<Backtest, String> {
	let mut state = FloorState::new(params).map_err(|e| format!("invalid parameters: {e:?}"))?;
	let mut result = Backtest::default();
	for sale in sales {
		let verdict = state.ingest(sale);
		result.counts.record(verdict);
		result.verdicts.push(verdict);
		result.floors.push(state.floor());
	}
	Ok(result)
}
