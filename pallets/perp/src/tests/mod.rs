mod api;
mod collateral;
mod guards;
mod invariants;
mod liquidation;
mod markets;
mod offchain;
mod trading;
