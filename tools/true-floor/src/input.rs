//! Sale CSVs with a column mapping.

use crate::price::{parse_scale, to_wei};
use std::{collections::BTreeMap, path::Path};
use true_floor::{
	annotate_items_in_tx, parsers::hex_bytes, time::parse_timestamp, Currency, Marketplace, Sale,
	TokenId,
};

/// Which CSV header holds each field. `time`, `price`, `token`, `buyer` and `seller` are
/// required; `tx`, `currency` and `quantity` are optional (absent: unknown transaction,
/// ETH, one item).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
	/// Unix seconds or ISO-8601 / "YYYY-MM-DD HH:MM:SS".
	pub time: String,
	/// The price, in the unit given by the price scale.
	pub price: String,
	/// The decimal token id.
	pub token: String,
	/// The buyer's address.
	pub buyer: String,
	/// The seller's address.
	pub seller: String,
	/// The transaction hash.
	pub tx: Option<String>,
	/// The payment token symbol ("ETH", "WETH", …).
	pub currency: Option<String>,
	/// The number of items sold.
	pub quantity: Option<String>,
}

impl ColumnMap {
	/// Parses `field=header,field=header,…`.
	pub fn parse(spec: &str) -> Result<Self, String> {
		let mut map = BTreeMap::new();
		for pair in spec.split(',').filter(|pair| !pair.trim().is_empty()) {
			let (field, header) = pair
				.split_once('=')
				.ok_or_else(|| format!("column mapping {pair:?} is not field=header"))?;
			map.insert(field.trim().to_string(), header.trim().to_string());
		}
		let mut take = |field: &str| map.remove(field);
		let required = |value: Option<String>, field: &str| {
			value.ok_or_else(|| format!("--columns needs {field}=<header>"))
		};
		let columns = Self {
			time: required(take("time"), "time")?,
			price: required(take("price"), "price")?,
			token: required(take("token"), "token")?,
			buyer: required(take("buyer"), "buyer")?,
			seller: required(take("seller"), "seller")?,
			tx: take("tx"),
			currency: take("currency"),
			quantity: take("quantity"),
		};
		match map.keys().next() {
			Some(unknown) => Err(format!("unknown column field {unknown:?} (time, price, token, buyer, seller, tx, currency, quantity)")),
			None => Ok(columns),
		}
	}
}

/// The sales of a CSV, sorted by time, and how many rows could not be read.
#[derive(Clone, Debug, Default)]
pub struct Input {
	/// Sales in time order (ties in file order), sweeps annotated.
	pub sales: Vec<Sale>,
	/// Data rows in the file.
	pub rows: u64,
	/// Rows skipped because a required field was empty or malformed, by field.
	pub unreadable: BTreeMap<String, u64>,
}

/// Column indices of the mapped headers.
struct Indices {
	time: usize,
	price: usize,
	token: usize,
	buyer: usize,
	seller: usize,
	tx: Option<usize>,
	currency: Option<usize>,
	quantity: Option<usize>,
}

impl Indices {
	fn find(headers: &csv::StringRecord, columns: &ColumnMap) -> Result<Self, String> {
		let find = |name: &str| {
			headers.iter().position(|header| header.trim() == name).ok_or_else(|| {
				let known: Vec<&str> = headers.iter().map(str::trim).collect();
				format!("no column {name:?} in the CSV (headers: {})", known.join(", "))
			})
		};
		let optional = |name: &Option<String>| name.as_deref().map(find).transpose();
		Ok(Self {
			time: find(&columns.time)?,
			price: find(&columns.price)?,
			token: find(&columns.token)?,
			buyer: find(&columns.buyer)?,
			seller: find(&columns.seller)?,
			tx: optional(&columns.tx)?,
			currency: optional(&columns.currency)?,
			quantity: optional(&columns.quantity)?,
		})
	}
}

/// A token id column: decimal ids as numbers, anything else ("4668.0" excepted) by its first
/// 32 bytes, so equal strings are still the same token. Exports leave the id empty for
/// bundle sales; those get id 0 and are rejected by their quantity.
fn token_id(text: &str) -> Option<TokenId> {
	let text = text.trim();
	if text.is_empty() {
		return Some(TokenId::default());
	}
	let integral = text.strip_suffix(".0").unwrap_or(text);
	TokenId::from_decimal(integral).or_else(|| {
		let mut bytes = [0u8; 32];
		for (byte, source) in bytes.iter_mut().zip(text.bytes()) {
			*byte = source;
		}
		Some(TokenId(bytes))
	})
}

/// A quantity column ("1", "1.0").
fn quantity(text: &str) -> Option<u32> {
	let text = text.trim();
	text.strip_suffix(".0").unwrap_or(text).parse().ok()
}

/// One row to a sale, or the name of the first field that could not be read.
fn row_to_sale(row: &csv::StringRecord, at: &Indices, scale: i32) -> Result<Sale, &'static str> {
	let field = |index: usize| row.get(index).map(str::trim).unwrap_or("");
	let timestamp = parse_timestamp(field(at.time)).ok_or("time")?;
	let price = to_wei(field(at.price), scale).map_err(|_| "price")?;
	let token_id = token_id(field(at.token)).ok_or("token")?;
	let buyer = hex_bytes::<20>(field(at.buyer)).ok_or("buyer")?;
	let seller = hex_bytes::<20>(field(at.seller)).ok_or("seller")?;
	let tx_hash = match at.tx {
		Some(index) if !field(index).is_empty() => hex_bytes::<32>(field(index)).ok_or("tx")?,
		_ => [0; 32],
	};
	let currency = at.currency.map_or(Currency::Eth, |index| Currency::from_symbol(field(index)));
	let quantity = match at.quantity {
		Some(index) => quantity(field(index)).ok_or("quantity")?,
		None => 1,
	};
	Ok(Sale {
		marketplace: Marketplace::Other,
		tx_hash,
		// Exports have no log index: a repeated row (same transaction and token) is then a
		// duplicate, and another token in the same transaction a multi-item sale.
		log_index: 0,
		token_id,
		price,
		currency,
		quantity,
		items_in_tx: 1,
		buyer,
		seller,
		timestamp,
	})
}

/// Reads every row of `path`, skipping (and counting) unreadable ones.
pub fn read_sales(path: &Path, columns: &ColumnMap, price_scale: &str) -> Result<Input, String> {
	let scale = parse_scale(price_scale)?;
	let mut reader = csv::ReaderBuilder::new()
		.flexible(true)
		.from_path(path)
		.map_err(|e| format!("{}: {e}", path.display()))?;
	let headers = reader.headers().map_err(|e| format!("{}: {e}", path.display()))?.clone();
	let at = Indices::find(&headers, columns)?;
	let mut input = Input::default();
	for row in reader.records() {
		let row = row.map_err(|e| format!("{}: {e}", path.display()))?;
		input.rows += 1;
		match row_to_sale(&row, &at, scale) {
			Ok(sale) => input.sales.push(sale),
			Err(field) => *input.unreadable.entry(field.to_string()).or_default() += 1,
		}
	}
	// Stable: sales at the same second stay in file order, so runs are reproducible.
	input.sales.sort_by_key(|sale| sale.timestamp);
	annotate_items_in_tx(&mut input.sales);
	Ok(input)
}
