//! adsai: turns a planner's plain-English ad brief into a data-backed media plan.
//!
//! Layout: [`app`] runs what the binary asks (logging, data, store, coordinator, surfaces,
//! signals); [`settings`] is the one settings type, a leaf; [`message`] parses a text once at the
//! edge; [`brief`] holds the brief's domain types (`docs/brief.md` §2); [`understand`] the router
//! and the specialists; [`conversation`] merges findings into a brief; [`plan`] the planner;
//! [`markets`] the configured markets; [`brain`] is the pipeline the coordinator runs;
//! [`coordinator`] is the actor every surface talks to (a folder: handle, loop, turn, cache,
//! record, persistence), [`store`] keeps conversations across restarts (typed, async);
//! [`reload`] swaps in changed data files; [`datagen`] writes synthetic data; [`telemetry`]
//! counts; [`present`] says how a plan reads (summary, labels, numbers, what changed) and
//! [`surface`] renders that and transports; [`export`] writes a plan as a chart, CSV, xlsx or a
//! Spotify Ads API–shaped draft; [`model`] asks an optional language model for a specialist's
//! reading.

pub mod app;
pub mod brain;
pub mod brief;
pub mod conversation;
pub mod coordinator;
pub mod datagen;
pub mod export;
pub mod markets;
pub mod message;
pub mod model;
pub mod plan;
pub mod present;
pub mod reload;
pub mod settings;
pub mod store;
pub mod surface;
pub mod telemetry;
pub mod understand;

/// The old name of [`reload`] (the live data reload), kept for callers.
pub use reload as data;
