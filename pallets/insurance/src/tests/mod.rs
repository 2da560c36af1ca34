mod admin;
mod claims;
mod contributions;
mod genesis;
mod invariants;
mod payouts;
mod watermark;
