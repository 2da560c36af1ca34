//! How far injected manipulation moves the floor.
//!
//! After every `every`-th clean sale that has a floor `F`, four synthetic sales follow it
//! within seconds: a wash round trip of one token between two fresh addresses at `3F` (A→B,
//! then B→A), a dump at `0.05F` and a spike at `20F` (each a fresh token and fresh parties,
//! so only the price can give them away). The stream is rerun and the floor after each clean
//! sale is compared with the clean run's.

use crate::backtest::{run, Backtest, Counts};
use true_floor::{fixed::relative_difference, FloorParams, Marketplace, Sale, TokenId, ONE};

/// The outcome of a robustness run.
#[derive(Clone, Debug, Default)]
pub struct Robustness {
	/// Verdicts of the injected sales only.
	pub injected: Counts,
	/// Clean sales where both runs had a floor.
	pub compared: u64,
	/// Largest `|injected − clean| / clean` over the compared floors.
	pub max_deviation: f64,
	/// Mean of the same.
	pub mean_deviation: f64,
}

/// A synthetic address: role byte, then the injection number.
pub(crate) fn synthetic_address(role: u8, n: u64) -> [u8; 20] {
	let mut address = [0xee; 20];
	address[0] = role;
	address[12..].copy_from_slice(&n.to_be_bytes());
	address
}

/// A synthetic token id far above any real collection's ids.
pub(crate) fn synthetic_token(role: u8, n: u64) -> TokenId {
	let mut id = [0xff; 32];
	id[0] = role;
	id[24..].copy_from_slice(&n.to_be_bytes());
	TokenId(id)
}

/// A synthetic one-item ETH sale.
pub(crate) fn synthetic(
	token: TokenId,
	price: u128,
	seller: [u8; 20],
	buyer: [u8; 20],
	timestamp: u64,
) -> Sale {
	Sale {
		marketplace: Marketplace::Other,
		tx_hash: [0; 32],
		log_index: 0,
		token_id: token,
		price,
		currency: true_floor::Currency::Eth,
		quantity: 1,
		items_in_tx: 1,
		buyer,
		seller,
		timestamp,
	}
}

/// The four manipulative sales injected after a clean sale at `time` with floor `floor`.
fn manipulation(n: u64, floor: u128, time: u64) -> [Sale; 4] {
	let (a, b) = (synthetic_address(1, n), synthetic_address(2, n));
	let wash = floor.saturating_mul(3);
	[
		synthetic(synthetic_token(1, n), wash, a, b, time + 1),
		synthetic(synthetic_token(1, n), wash, b, a, time + 2),
		synthetic(
			synthetic_token(2, n),
			floor / 20,
			synthetic_address(3, n),
			synthetic_address(4, n),
			time + 3,
		),
		synthetic(
			synthetic_token(3, n),
			floor.saturating_mul(20),
			synthetic_address(5, n),
			synthetic_address(6, n),
			time + 4,
		),
	]
}

/// Reruns `sales` with manipulation injected after every `every`-th sale, comparing against
/// the `clean` run of the same sales.
pub fn robustness(
	sales: &[Sale],
	clean: &Backtest,
	params: FloorParams,
	every: usize,
) -> Result<Robustness, String> {
	let every = every.max(1);
	// (sale, index of the clean sale it is, if it is one)
	let mut stream: Vec<(Sale, Option<usize>)> = Vec::with_capacity(sales.len() * 2);
	let mut injections = 0u64;
	for (index, sale) in sales.iter().enumerate() {
		stream.push((*sale, Some(index)));
		let floor = clean.floors.get(index).copied().flatten();
		if let (true, Some(floor)) = ((index + 1) % every == 0, floor) {
			injections += 1;
			stream.extend(manipulation(injections, floor, sale.timestamp).map(|sale| (sale, None)));
		}
	}
	// Injected sales land a few seconds later, possibly after later clean sales.
	stream.sort_by_key(|(sale, _)| sale.timestamp);
	let mixed: Vec<Sale> = stream.iter().map(|(sale, _)| *sale).collect();
	let run = run(&mixed, params)?;

	let mut result = Robustness::default();
	let mut total = 0f64;
	for ((_, clean_index), (verdict, floor)) in
		stream.iter().zip(run.verdicts.iter().zip(&run.floors))
	{
		let Some(clean_index) = clean_index else {
			result.injected.record(*verdict);
			continue;
		};
		let (Some(dirty), Some(Some(reference))) = (floor, clean.floors.get(*clean_index)) else {
			continue;
		};
		let deviation = relative_difference(*dirty, *reference).map_err(|e| format!("{e:?}"))?;
		let deviation = deviation as f64 / ONE as f64;
		result.compared += 1;
		total += deviation;
		result.max_deviation = result.max_deviation.max(deviation);
	}
	if result.compared > 0 {
		result.mean_deviation = total / result.compared as f64;
	}
	Ok(result)
}
