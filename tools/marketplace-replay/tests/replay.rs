//! The replay server on a hand-made 13-row CSV (BAYC export header, one unreadable row),
//! with a hand-set clock: every format parses back with the project's own parsers, only
//! the visible prefix is served, cursors walk it exactly once, and real HTTP works.

use marketplace_replay::{
	events::tx_hash, replay::Item, Collection, Format, HttpServer, ManualClock, Replay, Service,
};
use serde_json::Value;
use std::{
	io::{BufRead, BufReader, Read, Write},
	net::{SocketAddr, TcpStream},
	path::PathBuf,
	process::{Command, Stdio},
	sync::Arc,
};
use true_floor::{
	parsers::{self, hex_bytes},
	Currency, Page, Sale, TokenId,
};
use true_floor_cli::input::{read_sales, ColumnMap};

/// Real time the server starts at (`R0`).
const R0: u64 = 1_700_000_000;
/// The first sale of the fixture, 2022-01-01T00:00:00 (`C0`).
const C0: u64 = 1_640_995_200;
const SPEED: u64 = 60;
const COLUMNS: &str = "time=time,price=amount,token=id,buyer=buyer_address,seller=seller_address";
const CONTRACT: &str = "0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d";

/// The fixture's tokens in time order (ties in file order) and their CSV offsets from C0.
const TOKENS: [u128; 12] = [3, 44, 101, 102, 7, 6, 8, 1256, 2000, 31, 9999, 9998];
const OFFSETS: [u64; 12] = [0, 30, 60, 60, 120, 600, 601, 3600, 3660, 7200, 86_400, 86_401];

/// The crate's directory, read when the test runs: the shared target dir may hold a test
/// binary built from another checkout, whose compile-time `env!` path no longer exists.
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

/// A service over the fixture at `SPEED`, started at `R0`, read by `clock`.
fn service(clock: &ManualClock) -> Service {
	let replay = Replay::new(fixture_sales(), SPEED, None, R0).unwrap();
	let collection =
		Collection { contract: hex_bytes(CONTRACT).unwrap(), slug: "boredapeyachtclub".into() };
	Service::new(replay, Box::new(clock.clone()), collection)
}

/// The request target of `format` with the given "after", page size and cursor.
fn target(format: Format, after: Option<u64>, limit: usize, cursor: Option<&str>) -> String {
	let after = after.map(|time| time.to_string());
	let cursor = cursor.map(str::to_string);
	let (path, fixed, after_key, limit_key, cursor_key) = match format {
		Format::OpenSeaV2 => (
			"/api/v2/events/collection/boredapeyachtclub",
			"event_type=sale".to_string(),
			"after",
			"limit",
			"next",
		),
		Format::OpenSeaV1 => (
			"/api/v1/events",
			format!("asset_contract_address={CONTRACT}&event_type=successful"),
			"occurred_after",
			"limit",
			"cursor",
		),
		Format::LooksRare => (
			"/api/v1/events",
			format!("collection={CONTRACT}&type=SALE"),
			"from",
			"pagination%5Bfirst%5D",
			"pagination%5Bcursor%5D",
		),
		Format::X2y2 => (
			"/v1/events",
			format!("contract={CONTRACT}&type=sale"),
			"created_after",
			"limit",
			"cursor",
		),
		Format::Reservoir => (
			"/sales/v6",
			format!("collection={CONTRACT}&sortDirection=asc"),
			"startTimestamp",
			"limit",
			"continuation",
		),
	};
	let mut query = format!("{fixed}&{limit_key}={limit}");
	if let Some(after) = after {
		query.push_str(&format!("&{after_key}={after}"));
	}
	if let Some(cursor) = cursor {
		query.push_str(&format!("&{cursor_key}={cursor}"));
	}
	format!("{path}?{query}")
}

fn parse(format: Format, body: &[u8]) -> Page {
	let parsed = match format {
		Format::OpenSeaV2 => parsers::opensea_v2::parse(body),
		Format::OpenSeaV1 => parsers::opensea_v1::parse(body),
		Format::LooksRare => parsers::looksrare::parse(body),
		Format::X2y2 => parsers::x2y2::parse(body),
		Format::Reservoir => parsers::reservoir::parse(body),
	};
	parsed.unwrap_or_else(|error| {
		panic!("{}: {error:?} in {}", format.name(), String::from_utf8_lossy(body))
	})
}

/// GETs a page of `format` from `service` and parses it.
fn page(
	service: &Service,
	format: Format,
	after: Option<u64>,
	limit: usize,
	cursor: Option<&str>,
) -> Page {
	let reply = service.respond("GET", &target(format, after, limit, cursor));
	assert_eq!(reply.status, 200, "{}: {}", format.name(), reply.body);
	parse(format, reply.body.as_bytes())
}

/// What an event carries of a sale.
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

fn tokens(page: &Page) -> Vec<u128> {
	page.sales
		.iter()
		.map(|sale| TOKENS.into_iter().find(|&t| TokenId::from_u128(t) == sale.token_id).unwrap())
		.collect()
}

fn reported(offset: u64) -> u64 {
	R0 + offset / SPEED
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
fn every_format_round_trips_through_its_parser() {
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
		let served: Vec<_> = page.sales.iter().map(comparable).collect();
		assert_eq!(served, expected, "{}", format.name());
		assert_eq!(page.skipped, 0);
		// LooksRare's cursor is always the last id; the others say "no more".
		let cursor = if format == Format::LooksRare { Some("12".to_string()) } else { None };
		assert_eq!(page.cursor, cursor, "{}", format.name());
		// No transaction hashes in the CSV: each sale gets its own stand-in.
		let hashes: std::collections::BTreeSet<_> =
			page.sales.iter().map(|sale| sale.tx_hash).collect();
		assert_eq!(hashes.len(), 12, "{}", format.name());
		let first = Item { index: 0, sale: service.replay().sales()[0] };
		assert_eq!(page.sales[0].tx_hash, tx_hash(&first));
		assert!(page.sales.iter().all(|sale| sale.items_in_tx == 1));
	}
}

#[test]
fn bodies_have_the_marketplace_envelopes() {
	let clock = ManualClock::new(R0 + 1);
	let service = service(&clock);
	let body = |format| {
		let reply = service.respond("GET", &target(format, None, 2, None));
		serde_json::from_str::<Value>(&reply.body).unwrap()
	};
	let v2 = body(Format::OpenSeaV2);
	assert_eq!(v2["next"], "2");
	assert_eq!(v2["asset_events"][0]["nft"]["identifier"], "3");
	assert_eq!(v2["asset_events"][0]["nft"]["contract"], CONTRACT);
	assert_eq!(v2["asset_events"][0]["payment"]["quantity"], "75500000000000000000");
	assert_eq!(v2["asset_events"][0]["closing_date"], R0);
	let v1 = body(Format::OpenSeaV1);
	assert_eq!((v1["next"].as_str(), v1["previous"].is_null()), (Some("2"), true));
	assert_eq!(v1["asset_events"][1]["event_timestamp"], "2023-11-14T22:13:20");
	assert_eq!(v1["asset_events"][1]["payment_token"]["symbol"], "ETH");
	let looksrare = body(Format::LooksRare);
	assert_eq!(
		(looksrare["success"].as_bool(), looksrare["message"].is_null()),
		(Some(true), true)
	);
	assert_eq!(looksrare["data"][1]["id"], 2);
	assert_eq!(looksrare["data"][1]["createdAt"], "2023-11-14T22:13:20.000Z");
	let x2y2 = body(Format::X2y2);
	assert_eq!((x2y2["success"].as_bool(), x2y2["next"].as_str()), (Some(true), Some("2")));
	assert_eq!(x2y2["data"][0]["order"]["currency"], "0x0000000000000000000000000000000000000000");
	let reservoir = body(Format::Reservoir);
	assert_eq!(reservoir["continuation"], "2");
	assert_eq!(reservoir["sales"][0]["price"]["amount"]["decimal"], 75.5);
	let tx = reservoir["sales"][0]["txHash"].as_str().unwrap();
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
			let page = page(&service, format, None, 200, None);
			assert_eq!(tokens(&page), TOKENS[..visible], "{} at +{elapsed}s", format.name());
			let times: Vec<u64> = page.sales.iter().map(|sale| sale.timestamp).collect();
			let expected: Vec<u64> = OFFSETS[..visible].iter().map(|&o| reported(o)).collect();
			assert_eq!(times, expected);
			assert!(times.iter().all(|&time| time <= R0 + elapsed), "never in the future");
		}
		let health: Value = serde_json::from_str(&service.respond("GET", "/health").body).unwrap();
		assert_eq!((health["ok"].as_bool(), health["total"].as_u64()), (Some(true), Some(12)));
		assert_eq!(health["visible"].as_u64(), Some(visible as u64));
		assert_eq!(health["csv_now"].as_u64(), Some(C0 + elapsed * SPEED));
	}
	// Before the start only sales at C0 are visible.
	clock.set(R0 - 100);
	assert_eq!(tokens(&page(&service, Format::X2y2, None, 200, None)), [3]);
}

#[test]
fn after_is_inclusive_and_ignored_with_a_cursor() {
	let clock = ManualClock::new(R0 + 10);
	let service = service(&clock);
	for format in Format::ALL {
		let name = format.name();
		// Reported times at +10 s: 0, 0, 1, 1, 2, 10 (sale 6 at 10 is not visible yet).
		assert_eq!(
			tokens(&page(&service, format, Some(R0 + 1), 200, None)),
			[101, 102, 7, 6],
			"{name}"
		);
		assert_eq!(tokens(&page(&service, format, Some(R0 + 10), 200, None)), [6], "{name}");
		let none = page(&service, format, Some(R0 + 11), 200, None);
		assert!(none.sales.is_empty() && none.cursor.is_none(), "{name}");
		assert_eq!(
			tokens(&page(&service, format, Some(R0 + 11), 2, Some("3"))),
			[102, 7],
			"{name}"
		);
		clock.advance(1);
		assert_eq!(tokens(&page(&service, format, Some(R0 + 10), 200, None)), [6, 8], "{name}");
		clock.set(R0 + 10);
	}
}

/// Walks every page of `format` with page size 2; returns the tokens and the page count.
fn walk(service: &Service, format: Format, after: Option<u64>) -> (Vec<u128>, usize) {
	let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
	loop {
		let page = page(service, format, after, 2, cursor.as_deref());
		pages += 1;
		assert!(pages <= 20, "{} does not end", format.name());
		all.extend(tokens(&page));
		let more = match format {
			// LooksRare: the cursor is the last id; a short page is the end.
			Format::LooksRare => page.sales.len() == 2,
			_ => page.cursor.is_some(),
		};
		if !more {
			if format != Format::LooksRare {
				assert_eq!(page.cursor, None);
			}
			return (all, pages);
		}
		cursor = page.cursor;
	}
}

#[test]
fn cursors_walk_every_visible_sale_once() {
	let clock = ManualClock::new(R0);
	let service = service(&clock);
	// +61 s: 9 visible (odd: the last page is short); +60 s: 8 (LooksRare needs an empty
	// page to see the end).
	for (elapsed, visible) in [(61, 9), (60, 8)] {
		clock.set(R0 + elapsed);
		for format in Format::ALL {
			let (all, pages) = walk(&service, format, None);
			assert_eq!(all, TOKENS[..visible], "{}", format.name());
			let expected_pages =
				if format == Format::LooksRare { visible / 2 + 1 } else { visible.div_ceil(2) };
			assert_eq!(pages, expected_pages, "{}", format.name());
			// Starting from an "after" time, the cursor pages keep going past it.
			let (tail, _) = walk(&service, format, Some(R0 + 2));
			assert_eq!(tail, TOKENS[4..visible], "{}", format.name());
		}
	}
	// A cursor from before the server restarted, beyond what is visible: an empty last page.
	clock.set(R0);
	let stale = page(&service, Format::OpenSeaV2, None, 2, Some("7"));
	assert!(stale.sales.is_empty() && stale.cursor.is_none());
}

#[test]
fn bad_queries_and_unknown_paths_are_json_errors() {
	let clock = ManualClock::new(R0 + 10_000);
	let service = service(&clock);
	for bad in [
		"/api/v2/events/collection/x?limit=0",
		"/api/v2/events/collection/x?limit=many",
		"/api/v2/events/collection/x?after=yesterday",
		"/api/v1/events?cursor=abc",
		"/api/v1/events?type=SALE&pagination%5Bcursor%5D=-1",
		"/v1/events?created_after=soon",
		"/sales/v6?sortDirection=desc",
		"/sales/v6?continuation=%22x%22",
	] {
		let reply = service.respond("GET", bad);
		assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
		let error: Value = serde_json::from_str(&reply.body).unwrap();
		assert!(error["error"].is_string(), "{bad}");
	}
	for unknown in ["/", "/api/v3/events", "/sales/v5", "/health/x", "/x2y2/api/v1/events"] {
		assert_eq!(service.respond("GET", unknown).status, 404, "{unknown}");
	}
	assert_eq!(service.respond("POST", "/health").status, 405);
	// Other event types: nothing to serve, not an error.
	let reply = service.respond("GET", "/api/v2/events/collection/x?event_type=transfer");
	assert_eq!(reply.status, 200);
	assert_eq!(parse(Format::OpenSeaV2, reply.body.as_bytes()), Page::default());
	// Oversized pages are capped at 200; LooksRare's real `from` (an address) is ignored.
	assert_eq!(page(&service, Format::Reservoir, None, 5_000, None).sales.len(), 12);
	let reply = service.respond("GET", &format!("/api/v1/events?type=SALE&from={CONTRACT}"));
	assert_eq!(parse(Format::LooksRare, reply.body.as_bytes()).sales.len(), 12);
}

/// A minimal HTTP/1.1 GET: status, content type and body.
fn http_get(address: SocketAddr, target: &str) -> (u16, Option<String>, Vec<u8>) {
	let mut stream = TcpStream::connect(address).unwrap();
	write!(stream, "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
		.unwrap();
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
	let length = head
		.lines()
		.find_map(|line| {
			line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
		})
		.map(|length| length.parse::<usize>().unwrap());
	assert_eq!(length, Some(body.len()), "a plain Content-Length body");
	(status, content_type, body)
}

#[test]
fn serves_over_real_http() {
	let clock = ManualClock::new(R0 + 10_000);
	let server = Arc::new(HttpServer::bind("127.0.0.1:0", service(&clock)).unwrap());
	let address = server.local_addr().unwrap();
	assert!(address.ip().is_loopback() && address.port() != 0);
	let running = Arc::clone(&server);
	let thread = std::thread::spawn(move || running.run());

	let (status, content_type, body) = http_get(address, &target(Format::Reservoir, None, 3, None));
	assert_eq!((status, content_type.as_deref()), (200, Some("application/json")));
	let page = parse(Format::Reservoir, &body);
	assert_eq!(tokens(&page), [3, 44, 101]);
	assert_eq!(page.cursor.as_deref(), Some("3"));
	let (status, _, body) = http_get(address, &target(Format::LooksRare, None, 200, None));
	assert_eq!(status, 200);
	assert_eq!(parse(Format::LooksRare, &body).sales.len(), 12);

	let (status, content_type, body) = http_get(address, "/no/such/path");
	assert_eq!((status, content_type.as_deref()), (404, Some("application/json")));
	let error: Value = serde_json::from_slice(&body).unwrap();
	assert_eq!(error["status"], 404);

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
		let (status, _, body) = http_get(address.parse().unwrap(), "/health");
		assert_eq!(status, 200);
		let health: Value = serde_json::from_slice(&body).unwrap();
		assert_eq!(health["total"], 12);
		// The replay starts a day before the first sale: at 3600× that is 24 real seconds.
		assert_eq!(health["visible"], 0);
		assert_eq!(health["csv_start"], C0 - 86_400);
	});
	child.kill().unwrap();
	child.wait().unwrap();
	if let Err(panic) = result {
		std::panic::resume_unwind(panic);
	}
}
