mod config;
mod feed;
mod offchain;
