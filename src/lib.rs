//! adsai: turns a planner's plain-English ad brief into a data-backed media plan.
//!
//! Layout: [`brief`] holds the SPEC's domain types; [`understand`] the router and the
//! specialists; [`conversation`] merges findings into a brief; [`plan`] the planner's output;
//! [`markets`] the configured markets; [`brain`] ties them together for every surface;
//! [`surface`] renders and transports (command line today).

pub mod brain;
pub mod brief;
pub mod conversation;
pub mod markets;
pub mod plan;
pub mod surface;
pub mod understand;
