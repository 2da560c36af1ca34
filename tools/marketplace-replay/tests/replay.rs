//! The replay server on a hand-made 13-row CSV (BAYC export header, one unreadable row),
//! with a hand-set clock: OpenSea v2 and LooksRare v2 pages and the Ethereum JSON-RPC node all
//! parse back with the project's own parsers and decoders, only the visible prefix is served,
//! cursors walk it exactly once newest first, OpenSea checks the API key, and over real HTTP a
//! hanging endpoint holds no other request up.

use marketplace_replay::{
	ethereum::{BLOCK_SECONDS, FIRST_BLOCK},
	events::tx_hash,
	replay::Item,
	Answer, Collection, Format, HttpServer, ManualClock, Replay, Service,
};
use serde_json::Value;
use std::{
	io::{BufRead, BufReader, Read, Write},
	net::{SocketAddr, TcpStream},
	path::PathBuf,
	process::{Command, Stdio},
	sync::Arc,
	time::Duration,
};
use true_floor::{
	ethereum::{self, rpc, Transfer},
	parsers::{self, hex_bytes},
	Currency, Marketplace, Page, Sale, TokenId,
};
use true_floor_cli::input::{read_sales, ColumnMap};

/// Real time the server starts at (`R0`).
const R0: u64 = 1_700_000_000;
/// The first sale of the fixture, 2022-01-01T00:00:00 (`C0`).
const C0: u64 = 1_640_995_200;
const SPEED: u64 = 60;
const COLUMNS: &str = "time=time,price=amount,token=id,buyer=buyer_address,seller=seller_address";
const CONTRACT: &str = "0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d";
const KEY: &str = "replay-key";

/// The fixture's tokens in time order (ties in file order) and their CSV offsets from C0.
const TOKENS: [u128; 12] = [3, 44, 101, 102, 7, 6, 8, 1256, 2000, 31, 9999, 9998];
const OFFSETS: [u64; 12] = [0, 30, 60, 60, 120, 600, 601, 3600, 3660, 7200, 86_400, 86_401];

fn manifest_dir() -> PathBuf {
	std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR").into()
}

fn fixture() -> PathBuf {
	manifest_dir().join("tests/fixtures/sales.csv")
}

fn fixture_sales() -> Vec<Sale> {
	let columns = ColumnMap::parse(COLUMNS).unwrap();
	read_sales(&fixture(), &columns, "1e-18").unwrap().sales
}

fn contract() -> [u8; 20] {
	hex_bytes(CONTRACT).unwrap()
}

/// A service over the fixture at `SPEED`, started at `R0`, read by `clock`, requiring `KEY`.
fn service(clock: &ManualClock) -> Service {
	let replay = Replay::new(fixture_sales(), SPEED, None, R0).unwrap();
	let collection = Collection { contract: contract(), slug: "boredapeyachtclub".into() };
	Service::new(replay, Box::new(clock.clone()), collection, Some(KEY.into()))
}

/// The request target of `format` from `after`, with page size and cursor.
fn target(format: Format, after: Option<u64>, limit: usize, cursor: Option<&str>) -> String {
	let mut target = match format {
		Format::OpenSeaV2 => {
			format!("/api/v2/events/collection/boredapeyachtclub?event_type=sale&limit={limit}")
		},
		Format::LooksRare => {
			format!("/api/v2/events?collection={CONTRACT}&type=SALE&pagination%5Bfirst%5D={limit}")
		},
	};
	if let Some(after) = after {
		target.push_str(&format!("&after={after}"));
	}
	if let Some(cursor) = cursor {
		let name = if format == Format::OpenSeaV2 { "next" } else { "pagination%5Bcursor%5D" };
		target.push_str(&format!("&{name}={cursor}"));
	}
	target
}

fn key_header() -> Vec<(String, String)> {
	vec![("X-API-KEY".into(), KEY.into())]
}

fn parse(format: Format, body: &[u8]) -> Page {
	let parsed = match format {
		Format::OpenSeaV2 => parsers::opensea_v2::parse(body),
		Format::LooksRare => parsers::looksrare::parse(body),
	};
	parsed.unwrap_or_else(|error| {
		panic!("{}: {error:?} in {}", format.name(), String::from_utf8_lossy(body))
	})
}

/// GETs a page of `format` from `service` (with the API key) and parses it.
fn page(
	service: &Service,
	format: Format,
	after: Option<u64>,
	limit: usize,
	cursor: Option<&str>,
) -> Page {
	let target = target(format, after, limit, cursor);
	let Answer::Send(reply) = service.handle("GET", &target, &key_header(), &[]) else {
		panic!("no answer")
	};
	assert_eq!(reply.status, 200, "{}: {}", format.name(), reply.body);
	parse(format, reply.body.as_bytes())
}

/// What a feed carries of a sale.
fn comparable(sale: &Sale) -> (u128, TokenId, [u8; 20], [u8; 20], u64, Currency, u32) {
	(
		sale.price,
		sale.token_id,
		sale.buyer,
		sale.seller,
		sale.timestamp,
		sale.currency,
		sale.quantity,
	)
}

fn tokens(sales: &[Sale]) -> Vec<u128> {
	sales
		.iter()
		.map(|sale| TOKENS.into_iter().find(|&t| TokenId::from_u128(t) == sale.token_id).unwrap())
		.collect()
}

fn reported(offset: u64) -> u64 {
	R0 + offset / SPEED
}

/// A JSON-RPC call's result from `service`'s Ethereum node.
fn rpc_call(service: &Service, calls: &[Value]) -> Vec<u8> {
	let Answer::Send(reply) = service.handle("POST", "/rpc", &[], &rpc::body(calls)) else {
		panic!("no answer")
	};
	assert_eq!(reply.status, 200);
	reply.body.into_bytes()
}

/// The sales the Ethereum node shows, read as the offchain worker reads them.
fn ethereum_sales(service: &Service) -> Vec<Sale> {
	let head = rpc::parse_single(&rpc_call(service, &[rpc::block_number(1)])).unwrap();
	let head = rpc::parse_quantity(&head).unwrap();
	let logs = rpc_call(service, &[rpc::transfer_logs(2, &contract(), FIRST_BLOCK, head)]);
	let logs = rpc::parse_logs(&rpc::parse_single(&logs).unwrap()).unwrap();
	let transfers: Vec<Transfer> =
		logs.iter().filter_map(|log| Transfer::from_log(log, &contract())).collect();
	let (single, skipped) = ethereum::single_item_transfers(&transfers);
	assert_eq!(skipped, 0);
	let mut calls: Vec<Value> =
		(0u64..).zip(&single).map(|(id, t)| rpc::receipt(id, &t.tx_hash)).collect();
	calls.extend((1_000u64..).zip(&single).map(|(id, t)| rpc::block(id, t.block_number)));
	let results = rpc::parse_batch(&rpc_call(service, &calls)).unwrap();
	(0u64..)
		.zip(&single)
		.filter_map(|(id, transfer)| {
			let logs = rpc::receipt_logs(&results[&id]).unwrap().unwrap();
			let time = rpc::block_timestamp(&results[&(1_000 + id)]).unwrap();
			ethereum::sale_of(transfer, &contract(), &logs, time)
		})
		.collect()
}

#[test]
fn fixture_reads_like_the_bayc_export() {
	let columns = ColumnMap::parse(COLUMNS).unwrap();
	let input = read_sales(&fixture(), &columns, "1e-18").unwrap();
	assert_eq!(input.rows, 13);
	assert_eq!(input.unreadable.get("time"), Some(&1));
	let sales = Replay::new(input.sales, SPEED, None, R0).unwrap();
	let timeline: Vec<(TokenId, u64)> =
		sales.sales().iter().map(|sale| (sale.token_id, sale.timestamp)).collect();
	let expected: Vec<(TokenId, u64)> =
		TOKENS.iter().zip(OFFSETS).map(|(&t, o)| (TokenId::from_u128(t), C0 + o)).collect();
	assert_eq!(timeline, expected);
	assert_eq!(sales.csv_start(), C0);
}

#[test]
fn every_feed_round_trips_through_its_parser() {
	let clock = ManualClock::new(R0 + 10_000);
	let service = service(&clock);
	let expected: Vec<_> = service
		.replay()
		.sales()
		.iter()
		.map(|sale| comparable(&Sale { timestamp: R0 + (sale.timestamp - C0) / SPEED, ..*sale }))
		.collect();
	assert_eq!(expected.len(), 12);
	for format in Format::ALL {
		let page = page(&service, format, None, 200, None);
		// Newest first, as the APIs page.
		let served: Vec<_> = page.sales.iter().rev().map(comparable).collect();
		assert_eq!(served, expected, "{}", format.name());
		assert_eq!(page.skipped, 0);
		// LooksRare's cursor is always the last id; OpenSea says "no more".
		let cursor = if format == Format::LooksRare { Some("1".to_string()) } else { None };
		assert_eq!(page.cursor, cursor, "{}", format.name());
		// No transaction hashes in the CSV: each sale gets its own stand-in.
		let hashes: std::collections::BTreeSet<_> =
			page.sales.iter().map(|sale| sale.tx_hash).collect();
		assert_eq!(hashes.len(), 12, "{}", format.name());
		let first = Item { index: 0, sale: service.replay().sales()[0] };
		assert_eq!(page.sales.last().unwrap().tx_hash, tx_hash(&first));
	}
	// The Ethereum node: the same sales, oldest first, dated by their blocks (12 s apart),
	// half on Seaport and half on Blur.
	let sales = ethereum_sales(&service);
	let dated_by_block: Vec<_> = expected
		.iter()
		.map(|sale| {
			let mut sale = *sale;
			sale.4 = R0 + (sale.4 - R0) / BLOCK_SECONDS * BLOCK_SECONDS;
			sale
		})
		.collect();
	assert_eq!(sales.iter().map(comparable).collect::<Vec<_>>(), dated_by_block);
	let venues: Vec<Marketplace> = sales.iter().map(|sale| sale.marketplace).collect();
	assert_eq!(
		venues[..4],
		[Marketplace::Seaport, Marketplace::Blur, Marketplace::Seaport, Marketplace::Blur]
	);
}

#[test]
fn bodies_have_the_marketplace_envelopes() {
	let clock = ManualClock::new(R0 + 1);
	let service = service(&clock);
	let body = |format| {
		let Answer::Send(reply) =
			service.handle("GET", &target(format, None, 2, None), &key_header(), &[])
		else {
			panic!()
		};
		serde_json::from_str::<Value>(&reply.body).unwrap()
	};
	// At +1 s four sales are visible: the page is the newest two, 102 and 101.
	let v2 = body(Format::OpenSeaV2);
	assert_eq!(v2["next"], "2");
	assert_eq!(v2["asset_events"][0]["nft"]["identifier"], "102");
	assert_eq!(v2["asset_events"][0]["nft"]["contract"], CONTRACT);
	assert_eq!(v2["asset_events"][0]["payment"]["quantity"], "81250000000000000000");
	assert_eq!(v2["asset_events"][0]["payment"]["decimals"], 18);
	assert_eq!(v2["asset_events"][0]["closing_date"], R0 + 1);
	assert_eq!(v2["asset_events"][0]["chain"], "ethereum");
	let looksrare = body(Format::LooksRare);
	assert_eq!(
		(looksrare["success"].as_bool(), looksrare["message"].is_null()),
		(Some(true), true)
	);
	assert_eq!(looksrare["data"][1]["id"], "3");
	assert_eq!(looksrare["data"][1]["createdAt"], "2023-11-14T22:13:21.000Z");
	assert_eq!(looksrare["data"][1]["order"]["amounts"], serde_json::json!(["1"]));
	let tx = looksrare["data"][0]["hash"].as_str().unwrap();
	assert_eq!(tx.len(), 66);
	assert_eq!(tx, tx.to_lowercase());
}

#[test]
fn only_the_visible_prefix_is_served() {
	let clock = ManualClock::new(R0);
	let service = service(&clock);
	// (real seconds since start, visible sales): visible once elapsed·60 ≥ t − C0.
	for (elapsed, visible) in [(0, 1), (1, 4), (2, 5), (10, 6), (11, 7), (1_440, 11), (1_441, 12)] {
		clock.set(R0 + elapsed);
		for format in Format::ALL {
			let mut sales = page(&service, format, None, 200, None).sales;
			sales.reverse();
			assert_eq!(tokens(&sales), TOKENS[..visible], "{} at +{elapsed}s", format.name());
			let times: Vec<u64> = sales.iter().map(|sale| sale.timestamp).collect();
			let expected: Vec<u64> = OFFSETS[..visible].iter().map(|&o| reported(o)).collect();
			assert_eq!(times, expected);
			assert!(times.iter().all(|&time| time <= R0 + elapsed), "never in the future");
		}
		assert_eq!(tokens(&ethereum_sales(&service)), TOKENS[..visible], "ethereum at +{elapsed}s");
		let health: Value = serde_json::from_str(&service.respond("GET", "/health").body).unwrap();
		assert_eq!((health["ok"].as_bool(), health["total"].as_u64()), (Some(true), Some(12)));
		assert_eq!(health["visible"].as_u64(), Some(visible as u64));
		assert_eq!(health["csv_now"].as_u64(), Some(C0 + elapsed * SPEED));
		assert_eq!(health["head_block"].as_u64(), Some(FIRST_BLOCK + elapsed / BLOCK_SECONDS));
	}
}

#[test]
fn opensea_after_is_inclusive() {
	let clock = ManualClock::new(R0 + 10);
	let service = service(&clock);
	// Reported times at +10 s: 0, 0, 1, 1, 2, 10 (sale 6 at 10 is not visible yet).
	let newest_first =
		|after| tokens(&page(&service, Format::OpenSeaV2, Some(after), 200, None).sales);
	assert_eq!(newest_first(R0 + 1), [6, 7, 102, 101]);
	assert_eq!(newest_first(R0 + 10), [6]);
	assert_eq!(newest_first(R0 + 11), [] as [u128; 0]);
	clock.advance(1);
	assert_eq!(newest_first(R0 + 10), [8, 6]);
}

/// Walks every page of `format` with page size 2 from `after`; the tokens and page count.
fn walk(service: &Service, format: Format, after: Option<u64>) -> (Vec<u128>, usize) {
	let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
	loop {
		let page = page(service, format, after, 2, cursor.as_deref());
		pages += 1;
		assert!(pages <= 20, "{} does not end", format.name());
		all.extend(tokens(&page.sales));
		let more = match format {
			// LooksRare: the cursor is the last id; a short page is the end.
			Format::LooksRare => page.sales.len() == 2,
			Format::OpenSeaV2 => page.cursor.is_some(),
		};
		if !more {
			return (all, pages);
		}
		cursor = page.cursor;
	}
}

#[test]
fn cursors_walk_every_visible_sale_once_newest_first() {
	let clock = ManualClock::new(R0);
	let service = service(&clock);
	// +61 s: 9 visible (odd: the last page is short); +60 s: 8 (LooksRare needs an empty
	// page to see the end).
	for (elapsed, visible) in [(61, 9), (60, 8)] {
		clock.set(R0 + elapsed);
		for format in Format::ALL {
			let (all, pages) = walk(&service, format, None);
			let mut expected = TOKENS[..visible].to_vec();
			expected.reverse();
			assert_eq!(all, expected, "{}", format.name());
			let expected_pages =
				if format == Format::LooksRare { visible / 2 + 1 } else { visible.div_ceil(2) };
			assert_eq!(pages, expected_pages, "{}", format.name());
		}
		// From an "after" time, OpenSea's pages stop at it.
		let (tail, _) = walk(&service, Format::OpenSeaV2, Some(R0 + 2));
		let mut expected = TOKENS[4..visible].to_vec();
		expected.reverse();
		assert_eq!(tail, expected);
	}
}

#[test]
fn opensea_wants_the_key_and_bad_queries_are_json_errors() {
	let clock = ManualClock::new(R0 + 10_000);
	let service = service(&clock);
	let opensea = target(Format::OpenSeaV2, None, 2, None);
	for headers in [vec![], vec![("x-api-key".to_string(), "wrong".to_string())]] {
		let Answer::Send(reply) = service.handle("GET", &opensea, &headers, &[]) else { panic!() };
		assert_eq!(reply.status, 401, "{headers:?}");
	}
	// LooksRare's public reads need no key.
	assert_eq!(service.respond("GET", &target(Format::LooksRare, None, 2, None)).status, 200);
	for bad in [
		"/api/v2/events/collection/x?limit=0",
		"/api/v2/events/collection/x?limit=many",
		"/api/v2/events/collection/x?after=yesterday",
		"/api/v2/events/collection/x?next=abc",
		"/api/v2/events?type=SALE&pagination%5Bcursor%5D=0",
		"/api/v2/events?pagination%5Bfirst%5D=-1",
	] {
		let Answer::Send(reply) = service.handle("GET", bad, &key_header(), &[]) else { panic!() };
		assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
		let error: Value = serde_json::from_str(&reply.body).unwrap();
		assert!(error["error"].is_string(), "{bad}");
	}
	for unknown in ["/", "/api/v1/events", "/sales/v6", "/health/x", "/v1/events"] {
		assert_eq!(service.respond("GET", unknown).status, 404, "{unknown}");
	}
	assert_eq!(service.respond("DELETE", "/health").status, 405);
	assert_eq!(service.handle("GET", "/hang/api/v2/events", &[], &[]), Answer::Hang);
	// Other event types: nothing to serve, not an error.
	let reply = service.respond("GET", "/api/v2/events?type=LIST");
	assert_eq!(parse(Format::LooksRare, reply.body.as_bytes()), Page::default());
	// Oversized pages are capped at the API's maximum.
	assert_eq!(page(&service, Format::LooksRare, None, 5_000, None).sales.len(), 12);
	// JSON-RPC: unknown methods and garbage are JSON-RPC errors, receipts of unknown
	// transactions null, blocks past the head null.
	let answer = |body: &[u8]| -> Value {
		let Answer::Send(reply) = service.handle("POST", "/", &[], body) else { panic!() };
		serde_json::from_str(&reply.body).unwrap()
	};
	assert_eq!(
		answer(br#"{"jsonrpc":"2.0","id":7,"method":"eth_call","params":[]}"#)["error"]["code"],
		-32601
	);
	assert_eq!(answer(b"not json")["error"]["code"], -32700);
	let unknown =
		answer(&rpc::body(&[rpc::receipt(1, &[9; 32]), rpc::block(2, FIRST_BLOCK + 1_000_000)]));
	assert!(unknown[0]["result"].is_null() && unknown[1]["result"].is_null());
	// Another contract's logs: none.
	let other =
		answer(&rpc::body(&[rpc::transfer_logs(3, &[1; 20], FIRST_BLOCK, FIRST_BLOCK + 10_000)]));
	assert_eq!(other["result"], serde_json::json!([]));
}

/// A minimal HTTP/1.1 request: status, content type and body.
fn http(
	address: SocketAddr,
	method: &str,
	target: &str,
	body: &[u8],
) -> (u16, Option<String>, Vec<u8>) {
	let mut stream = TcpStream::connect(address).unwrap();
	write!(
		stream,
		"{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
		body.len()
	)
	.unwrap();
	stream.write_all(body).unwrap();
	let mut response = Vec::new();
	stream.read_to_end(&mut response).unwrap();
	let split = response.windows(4).position(|window| window == b"\r\n\r\n").unwrap();
	let head = String::from_utf8(response[..split].to_vec()).unwrap();
	let body = response[split + 4..].to_vec();
	let mut lines = head.lines();
	let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
	let content_type = lines.find_map(|line| {
		let (name, value) = line.split_once(':')?;
		name.eq_ignore_ascii_case("content-type").then(|| value.trim().to_string())
	});
	(status, content_type, body)
}

#[test]
fn serves_over_real_http_and_a_hanging_endpoint_holds_nothing_up() {
	let clock = ManualClock::new(R0 + 10_000);
	let server = Arc::new(HttpServer::bind("127.0.0.1:0", service(&clock)).unwrap());
	let address = server.local_addr().unwrap();
	let running = Arc::clone(&server);
	let thread = std::thread::spawn(move || running.run());

	// A request that will never be answered.
	let mut hanging = TcpStream::connect(address).unwrap();
	write!(hanging, "GET /hang/api/v2/events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
	hanging.set_read_timeout(Some(Duration::from_millis(300))).unwrap();

	// Meanwhile every other endpoint answers.
	let (status, content_type, body) =
		http(address, "GET", &target(Format::LooksRare, None, 3, None), &[]);
	assert_eq!((status, content_type.as_deref()), (200, Some("application/json")));
	assert_eq!(tokens(&parse(Format::LooksRare, &body).sales), [9998, 9999, 31]);
	let (status, _, body) = http(address, "POST", "/rpc", &rpc::body(&[rpc::block_number(1)]));
	assert_eq!(status, 200);
	let head = rpc::parse_quantity(&rpc::parse_single(&body).unwrap()).unwrap();
	assert_eq!(head, FIRST_BLOCK + 10_000 / BLOCK_SECONDS);
	let (status, _, _) = http(address, "GET", &target(Format::OpenSeaV2, None, 3, None), &[]);
	assert_eq!(status, 401, "no key sent");

	let mut nothing = [0u8; 1];
	let waited = hanging.read(&mut nothing);
	assert!(waited.is_err(), "the hanging endpoint answered: {waited:?}");

	server.stop();
	thread.join().unwrap();
}

#[test]
fn the_binary_announces_its_address_and_serves() {
	let mut child = Command::new(env!("CARGO_BIN_EXE_marketplace-replay"))
		.arg("--input")
		.arg(fixture())
		.args(["--columns", COLUMNS, "--price-scale", "1e-18", "--speed", "3600"])
		.args(["--start", "2021-12-31", "--listen", "127.0.0.1:0", "--contract", CONTRACT])
		.args(["--opensea-api-key", KEY])
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.unwrap();
	let mut line = String::new();
	BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
	let result = std::panic::catch_unwind(|| {
		let rest = line.strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}"));
		let (address, summary) = rest.split_once(' ').unwrap();
		assert_eq!(summary.trim_end(), "(12 sales, speed 3600)");
		let address: SocketAddr = address.parse().unwrap();
		let (status, _, body) = http(address, "GET", "/health", &[]);
		assert_eq!(status, 200);
		let health: Value = serde_json::from_slice(&body).unwrap();
		assert_eq!(health["total"], 12);
		// The replay starts a day before the first sale: at 3600× that is 24 real seconds.
		assert_eq!(health["visible"], 0);
		assert_eq!(health["csv_start"], C0 - 86_400);
		let (status, _, _) = http(address, "GET", "/api/v2/events/collection/x", &[]);
		assert_eq!(status, 401);
	});
	child.kill().unwrap();
	child.wait().unwrap();
	if let Err(panic) = result {
		std::panic::resume_unwind(panic);
	}
}

#[test]
fn wrapped_ether_other_tokens_and_bundles_on_chain() {
	let sale = |token: u128, currency, quantity, price: u128, time| Sale {
		marketplace: Marketplace::Other,
		tx_hash: [0; 32],
		log_index: 0,
		token_id: TokenId::from_u128(token),
		price,
		currency,
		quantity,
		items_in_tx: 1,
		buyer: [0xb0; 20],
		seller: [0x5e; 20],
		timestamp: time,
	};
	let big_token = TokenId([0xff; 32]);
	let sales = vec![
		sale(1, Currency::Weth, 1, 9_000_000_000_000_000_000, C0),
		sale(2, Currency::Other, 1, 30_000, C0 + 1),
		sale(3, Currency::Eth, 2, 20_000_000_000_000_000_000, C0 + 2),
		// Odd index, ETH, a token id too large to pack: Blur's unpacked `Execution`.
		Sale {
			token_id: big_token,
			..sale(0, Currency::Eth, 1, 8_000_000_000_000_000_000, C0 + 3)
		},
	];
	let clock = ManualClock::new(R0 + 100);
	let replay = Replay::new(sales, 1, None, R0).unwrap();
	let collection = Collection { contract: contract(), slug: "apes".into() };
	let service = Service::new(replay, Box::new(clock), collection, None);
	let found: Vec<(TokenId, Marketplace, Currency, u128)> = ethereum_sales(&service)
		.iter()
		.map(|sale| (sale.token_id, sale.marketplace, sale.currency, sale.price))
		.collect();
	// The bundle (two of token 3) is no single-NFT sale; the USDC-like sale is `Other`.
	assert_eq!(
		found,
		[
			(
				TokenId::from_u128(1),
				Marketplace::Seaport,
				Currency::Weth,
				9_000_000_000_000_000_000
			),
			(TokenId::from_u128(2), Marketplace::Seaport, Currency::Other, 30_000),
			(big_token, Marketplace::Blur, Currency::Eth, 8_000_000_000_000_000_000),
		]
	);
}
