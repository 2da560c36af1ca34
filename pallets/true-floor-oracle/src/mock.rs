//! Test runtime: the pallet with a recording oracle, three operators and a keystore.

use crate::{self as pallet_true_floor_oracle, crypto, CollectionConfig, Source};
use core::cell::RefCell;
use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{ConstU32, ConstU64, Contains},
	},
	frame_system::{self, EnsureRoot},
	pallet_oracle::DataFeeder,
	pallet_timestamp,
	sp_core::{sr25519, Pair},
	sp_io,
	sp_runtime::{
		generic, testing::TestXt, traits::BlakeTwo256, traits::Convert, traits::IdentifyAccount,
		AccountId32, BuildStorage, DispatchResult, MultiSigner,
	},
};
use true_floor::FloorParams;

pub type TxExtension = frame_system::AuthorizeCall<Test>;
pub type Extrinsic = TestXt<RuntimeCall, TxExtension>;
type Block = generic::Block<generic::Header<u64, BlakeTwo256>, Extrinsic>;
pub type AccountId = AccountId32;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		TrueFloor: pallet_true_floor_oracle,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = polkadot_sdk::sp_runtime::traits::IdentityLookup<AccountId>;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> TxExtension {
		TxExtension::new()
	}
}

thread_local! {
	static FEEDS: RefCell<Vec<(AccountId, u32, u128)>> = const { RefCell::new(Vec::new()) };
	static OPERATORS: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
}

/// The oracle stand-in: records what each operator fed.
pub struct MockOracle;
impl DataFeeder<u32, u128, AccountId> for MockOracle {
	fn feed_value(who: Option<AccountId>, key: u32, value: u128) -> DispatchResult {
		let who = who.ok_or(polkadot_sdk::sp_runtime::DispatchError::BadOrigin)?;
		FEEDS.with(|feeds| feeds.borrow_mut().push((who, key, value)));
		Ok(())
	}
}

/// What the oracle was fed, in order.
pub fn feeds() -> Vec<(AccountId, u32, u128)> {
	FEEDS.with(|feeds| feeds.borrow().clone())
}

/// The oracle operators (accounts of the keys `//Operator0`, `//Operator1`, `//Operator2`).
pub struct MockOperators;
impl Contains<AccountId> for MockOperators {
	fn contains(who: &AccountId) -> bool {
		OPERATORS.with(|operators| operators.borrow().contains(who))
	}
}

/// An operator key's account: the sr25519 public key as an `AccountId32`.
pub struct KeyToAccount;
impl Convert<crypto::Public, AccountId> for KeyToAccount {
	fn convert(key: crypto::Public) -> AccountId {
		MultiSigner::from(sr25519::Public::from(key)).into_account()
	}
}

parameter_types! {
	pub const FeedPriority: u64 = u64::MAX / 2;
}

impl pallet_true_floor_oracle::Config for Test {
	type CollectionKey = u32;
	type Feeder = MockOracle;
	type OperatorId = crypto::Public;
	type OperatorAccount = KeyToAccount;
	type Operators = MockOperators;
	type OracleAdmin = EnsureRoot<AccountId>;
	type TimeProvider = Timestamp;
	type FeedPriority = FeedPriority;
	type FeedLongevity = ConstU32<5>;
	type MaxHeartbeat = ConstU64<300>;
	type MaxCollections = ConstU32<12>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Benchmark hooks of the mock.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u32, AccountId> for MockBenchmarkHelper {
	fn collection(seed: u32) -> u32 {
		seed
	}
	fn make_operator(who: &AccountId) {
		OPERATORS.with(|operators| operators.borrow_mut().push(who.clone()));
	}
	fn operator_room() -> u32 {
		4
	}
}

/// [`new_test_ext`] with a keystore, for benchmarks that sign.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let mut ext = new_test_ext();
	ext.register_extension(polkadot_sdk::sp_keystore::KeystoreExt::new(
		polkadot_sdk::sp_keystore::testing::MemoryKeystore::new(),
	));
	ext
}

/// The collection the tests configure.
pub const COLLECTION: u32 = 7;

/// Operator `index`'s key pair.
pub fn operator_pair(index: u8) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//Operator{index}"), None).unwrap()
}

/// Operator `index`'s public key and account.
pub fn operator(index: u8) -> (crypto::Public, AccountId) {
	let public = crypto::Public::from(operator_pair(index).public());
	(public.clone(), KeyToAccount::convert(public))
}

/// Floor parameters a handful of sales can produce a floor with.
pub fn quick_params() -> FloorParams {
	FloorParams { min_samples: 3, token_cooldown: 0, heartbeat: 120, ..FloorParams::default() }
}

/// A configuration reading `sources` for the contract `0x11…11`, slug `apes`.
pub fn config(sources: &[Source]) -> CollectionConfig {
	CollectionConfig {
		contract: [0x11; 20],
		slug: b"apes".to_vec().try_into().unwrap(),
		sources: sources.to_vec().try_into().unwrap(),
		params: quick_params(),
	}
}

/// Three operators, block 1, time 1_700_000_000 s.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext: sp_io::TestExternalities = storage.into();
	ext.execute_with(|| {
		FEEDS.with(|feeds| feeds.borrow_mut().clear());
		OPERATORS
			.with(|operators| *operators.borrow_mut() = (0..3).map(|i| operator(i).1).collect());
		System::set_block_number(1);
		Timestamp::set_timestamp(1_700_000_000_000);
	});
	ext
}

/// How a [`MockTransport`] endpoint answers a request.
pub enum Answer {
	/// After `latency` milliseconds, with `reply`.
	After(u64, crate::offchain::Reply),
	/// Never.
	Hang,
}

/// A network under test control: each request is answered by `respond`, with a latency or
/// never, on a clock that only moves while the worker waits.
pub struct MockTransport {
	/// The clock, unix milliseconds.
	pub now: u64,
	/// Every request started, in order.
	pub sent: Vec<crate::offchain::HttpRequest>,
	respond: Box<dyn FnMut(&crate::offchain::HttpRequest) -> Answer>,
	/// Started requests: id, when answered (`None`: never), deadline, reply.
	started: Vec<(u16, Option<u64>, u64, crate::offchain::Reply)>,
}

impl MockTransport {
	/// A network at `now` answering with `respond`.
	pub fn new(
		now: u64,
		respond: impl FnMut(&crate::offchain::HttpRequest) -> Answer + 'static,
	) -> Self {
		Self { now, sent: Vec::new(), respond: Box::new(respond), started: Vec::new() }
	}
}

impl crate::offchain::Transport for MockTransport {
	fn now(&self) -> u64 {
		self.now
	}

	fn start(
		&mut self,
		request: &crate::offchain::HttpRequest,
		deadline: u64,
	) -> Result<u16, crate::offchain::FetchError> {
		let id = u16::try_from(self.sent.len()).unwrap();
		self.sent.push(request.clone());
		let (at, reply) = match (self.respond)(request) {
			Answer::After(latency, reply) => (Some(self.now + latency), reply),
			Answer::Hang => (None, Err(crate::offchain::FetchError::Timeout)),
		};
		self.started.push((id, at, deadline, reply));
		Ok(id)
	}

	fn wait(&mut self, ids: &[u16], until: u64) -> Vec<(u16, crate::offchain::Reply)> {
		// When each request is settled: answered, or timed out at its deadline.
		let settles = |(id, at, deadline, _): &(u16, Option<u64>, u64, crate::offchain::Reply)| {
			ids.contains(id).then(|| at.map_or(*deadline, |at| at.min(*deadline)))
		};
		let Some(next) = self.started.iter().filter_map(settles).min() else { return vec![] };
		if next > until {
			self.now = self.now.max(until);
			return vec![];
		}
		self.now = self.now.max(next);
		let now = self.now;
		let (settled, rest): (Vec<_>, Vec<_>) = self
			.started
			.drain(..)
			.partition(|entry| settles(entry).is_some_and(|time| time <= now));
		self.started = rest;
		settled
			.into_iter()
			.map(|(id, at, _, reply)| match at {
				Some(at) if at <= now => (id, reply),
				_ => (id, Err(crate::offchain::FetchError::Timeout)),
			})
			.collect()
	}
}
