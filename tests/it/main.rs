//! Integration tests: one binary (link time matters on 2 cores), one module per area.

mod catalogue;
mod cli;
mod doors;
mod eval;
mod exports;
mod faults;
mod http;
mod model;
mod model_plans;
mod model_standin;
mod plan;
mod props;
mod readme;
mod redis;
mod replicas;
mod scenarios;

mod slack;
mod slack_blocks;
mod slack_faults;
mod slack_standin;
mod soak;
