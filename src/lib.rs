//! adsai: turns a planner's plain-English ad brief into a data-backed media plan.
//!
//! Layout: [`brief`] holds the SPEC's domain types; [`understand`] the router and the
//! specialists; [`conversation`] merges findings into a brief; [`plan`] the planner's output;
//! [`markets`] the configured markets; [`brain`] ties them together for every surface;
//! [`coordinator`] is the actor every surface talks to (a folder: handle, loop, turn, cache,
//! record, persistence), [`store`] keeps conversations across restarts (typed, async);
//! [`telemetry`] counts; [`present`] says how a plan reads (summary, labels, numbers, what
//! changed) and [`surface`] renders that and transports; [`export`] writes a plan as a chart,
//! CSV, xlsx or a Spotify Ads API–shaped draft; [`model`] asks an optional language model for a
//! specialist's reading.

pub mod app;
pub mod brain;
pub mod brief;
pub mod conversation;
pub mod coordinator;
pub mod data;
pub mod export;
pub mod markets;
pub mod message;
pub mod model;
pub mod plan;
pub mod present;
pub mod settings;
pub mod store;
pub mod surface;
pub mod telemetry;
pub mod understand;
