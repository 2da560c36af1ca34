mod api;
mod collateral;
mod guards;
mod invariants;
mod markets;
mod trading;
