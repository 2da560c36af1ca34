mod config;
mod feed;
mod offchain;
mod quorum;
mod sources;
