//! Integration tests: one binary (link time matters on 2 cores), one module per area.

mod catalogue;
mod cli;
mod doors;
mod eval;
mod faults;
mod http;
mod plan;
mod props;
mod redis;
mod replicas;

mod slack;
mod slack_faults;
mod slack_standin;
mod soak;
