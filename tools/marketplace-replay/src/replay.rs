//! The replay clock: which sales are visible at a real time, and when they are reported.
//!
//! The server starts at real time `R0`; the replay starts at CSV time `C0` (the `--start`
//! date, or the first sale). At speed `S` one real second replays `S` seconds of history,
//! so a sale made at CSV time `t` is visible once `(now − R0)·S ≥ t − C0`, and is reported
//! as made at `R0 + ⌊(t − C0)/S⌋`: sales look recent to a chain running now, and the
//! reported time of a visible sale is never in the future.

use true_floor::{
	time::{days_from_civil, parse_timestamp},
	Sale,
};

/// A sale as served: its position in the replay and the sale with its timestamp shifted
/// to replay time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
	/// The sale's index in time order (0-based); cursors and event ids derive from it.
	pub index: usize,
	/// The sale, `timestamp` being the reported (shifted) time.
	pub sale: Sale,
}

/// What a client asks for, newest first: how far back, from where and how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
	/// Only sales reported at or after this time (unix seconds, inclusive).
	pub after: Option<u64>,
	/// Only sales before this index (a previous page's cursor: its oldest sale's index).
	pub before: Option<usize>,
	/// At most this many sales (at least one is always allowed).
	pub limit: usize,
}

/// One page of visible sales.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
	/// The sales, newest first.
	pub items: Vec<Item>,
	/// The cursor of the next (older) page, the index of this page's oldest sale, if older
	/// sales within the request's bounds remain.
	pub next: Option<usize>,
}

/// A time-ordered sale dataset replayed from a real start time at a fixed speed.
#[derive(Clone, Debug)]
pub struct Replay {
	sales: Vec<Sale>,
	speed: u64,
	csv_start: u64,
	real_start: u64,
}

impl Replay {
	/// Replays `sales` (sorted here by time, ties kept in input order) at `speed` CSV
	/// seconds per real second, from CSV time `start` (default: the first sale; earlier
	/// sales are dropped), the replay beginning at real time `real_start`.
	pub fn new(
		mut sales: Vec<Sale>,
		speed: u64,
		start: Option<u64>,
		real_start: u64,
	) -> Result<Self, String> {
		if speed == 0 {
			return Err("the speed must be at least 1".into());
		}
		sales.sort_by_key(|sale| sale.timestamp);
		if let Some(start) = start {
			sales.retain(|sale| sale.timestamp >= start);
		}
		let csv_start = start.or_else(|| sales.first().map(|sale| sale.timestamp)).unwrap_or(0);
		Ok(Self { sales, speed, csv_start, real_start })
	}

	/// All sales of the replay, visible or not, in time order (original timestamps).
	pub fn sales(&self) -> &[Sale] {
		&self.sales
	}

	/// The number of sales in the replay.
	pub fn total(&self) -> usize {
		self.sales.len()
	}

	/// CSV seconds replayed per real second.
	pub fn speed(&self) -> u64 {
		self.speed
	}

	/// The CSV time the replay starts at (`C0`).
	pub fn csv_start(&self) -> u64 {
		self.csv_start
	}

	/// The real time the replay starts at (`R0`).
	pub fn real_start(&self) -> u64 {
		self.real_start
	}

	/// How far into the CSV the replay is at real time `now` (`C0 + (now − R0)·S`),
	/// saturating.
	pub fn csv_now(&self, now: u64) -> u64 {
		let replayed = now.saturating_sub(self.real_start).saturating_mul(self.speed);
		self.csv_start.saturating_add(replayed)
	}

	/// The reported (shifted) time of a sale made at CSV time `csv_time`.
	pub fn reported_time(&self, csv_time: u64) -> u64 {
		let offset = csv_time.saturating_sub(self.csv_start);
		self.real_start.saturating_add(offset.checked_div(self.speed).unwrap_or(offset))
	}

	/// The number of sales visible at real time `now`: a prefix of the replay.
	pub fn visible(&self, now: u64) -> usize {
		let elapsed = u128::from(now.saturating_sub(self.real_start));
		let horizon = elapsed.saturating_mul(u128::from(self.speed));
		self.sales.partition_point(|sale| {
			u128::from(sale.timestamp.saturating_sub(self.csv_start)) <= horizon
		})
	}

	/// The page `request` asks for at real time `now`: visible sales only, newest first, as
	/// the marketplace APIs page.
	pub fn window(&self, now: u64, request: &Request) -> Window {
		let visible = self.visible(now);
		let lower = request.after.map_or(0, |after| {
			self.sales.partition_point(|sale| self.reported_time(sale.timestamp) < after)
		});
		let upper = request.before.unwrap_or(visible).min(visible);
		let start = upper.saturating_sub(request.limit.max(1)).max(lower);
		let items = (start..upper)
			.rev()
			.filter_map(|index| {
				let sale = self.sales.get(index)?;
				Some(Item {
					index,
					sale: Sale { timestamp: self.reported_time(sale.timestamp), ..*sale },
				})
			})
			.collect();
		Window { items, next: (start > lower).then_some(start) }
	}

	/// The visible sales at real time `now` with their reported times, oldest first.
	pub fn visible_items(&self, now: u64) -> impl Iterator<Item = Item> + '_ {
		self.sales.iter().take(self.visible(now)).enumerate().map(|(index, sale)| Item {
			index,
			sale: Sale { timestamp: self.reported_time(sale.timestamp), ..*sale },
		})
	}
}

/// The CSV time a `--start` value names: a date `YYYY-MM-DD` (midnight UTC), or unix
/// seconds or an ISO-8601 date-time.
pub fn parse_start(text: &str) -> Result<u64, String> {
	let text = text.trim();
	let date = || {
		let mut parts = text.split('-');
		let mut number = || parts.next().filter(|part| !part.is_empty())?.parse::<u32>().ok();
		let (year, month, day) = (number()?, number()?, number()?);
		if parts.next().is_some() {
			return None;
		}
		days_from_civil(i64::from(year), month, day)?.checked_mul(86_400)
	};
	date()
		.or_else(|| parse_timestamp(text))
		.ok_or_else(|| format!("--start {text:?} is not a date (YYYY-MM-DD) or a unix time"))
}

#[cfg(test)]
mod tests {
	use super::*;
	use true_floor::{Currency, Marketplace, TokenId};

	fn sale(timestamp: u64, token: u128) -> Sale {
		Sale {
			marketplace: Marketplace::Other,
			tx_hash: [0; 32],
			log_index: 0,
			token_id: TokenId::from_u128(token),
			price: 1,
			currency: Currency::Eth,
			quantity: 1,
			items_in_tx: 1,
			buyer: [1; 20],
			seller: [2; 20],
			timestamp,
		}
	}

	fn request(after: Option<u64>, before: Option<usize>, limit: usize) -> Request {
		Request { after, before, limit }
	}

	#[test]
	fn sorts_stably_and_drops_sales_before_the_start() {
		let replay =
			Replay::new(vec![sale(50, 1), sale(10, 2), sale(50, 3), sale(5, 4)], 10, Some(10), 0)
				.unwrap();
		let tokens: Vec<_> = replay.sales().iter().map(|s| s.token_id).collect();
		assert_eq!(tokens, [2, 1, 3].map(TokenId::from_u128));
		assert_eq!(replay.csv_start(), 10);
	}

	#[test]
	fn visibility_and_reported_time_follow_the_speed() {
		let replay =
			Replay::new(vec![sale(100, 1), sale(160, 2), sale(219, 3)], 60, None, 1_000).unwrap();
		assert_eq!(replay.visible(999), 1);
		assert_eq!(replay.visible(1_000), 1);
		assert_eq!(replay.visible(1_001), 2);
		assert_eq!(replay.visible(1_002), 3);
		assert_eq!(replay.reported_time(100), 1_000);
		assert_eq!(replay.reported_time(219), 1_001);
		assert_eq!(replay.csv_now(1_002), 220);
	}

	#[test]
	fn windows_go_newest_first_within_after_before_and_limit() {
		let replay =
			Replay::new((0..5).map(|i| sale(i * 10, i.into())).collect(), 1, None, 0).unwrap();
		let indices = |window: &Window| window.items.iter().map(|i| i.index).collect::<Vec<_>>();
		// At 30 s, sales 0..=3 are visible; from 10 s on: 3, 2 then 1.
		let page = replay.window(30, &request(Some(10), None, 2));
		assert_eq!((indices(&page), page.next), (vec![3, 2], Some(2)));
		let page = replay.window(30, &request(Some(10), Some(2), 2));
		assert_eq!((indices(&page), page.next), (vec![1], None));
		let page = replay.window(30, &request(None, Some(99), 3));
		assert_eq!((indices(&page), page.next), (vec![3, 2, 1], Some(1)));
		let page = replay.window(100, &request(Some(41), None, 0));
		assert_eq!((indices(&page), page.next), (vec![], None));
		assert_eq!(
			replay.visible_items(30).map(|item| item.index).collect::<Vec<_>>(),
			[0, 1, 2, 3]
		);
	}

	#[test]
	fn start_dates() {
		assert_eq!(parse_start("2022-01-01"), Ok(1_640_995_200));
		assert_eq!(parse_start("2022-01-01T00:00:10"), Ok(1_640_995_210));
		assert_eq!(parse_start("1640995200"), Ok(1_640_995_200));
		assert!(parse_start("2022-13-01").is_err());
		assert!(parse_start("2022-01").is_err());
		assert!(parse_start("soon").is_err());
	}

	#[test]
	fn zero_speed_is_rejected() {
		assert!(Replay::new(vec![], 0, None, 0).is_err());
	}
}
