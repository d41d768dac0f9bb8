//! Surfaces: they transport messages to the coordinator and render what comes back; they never decide.
pub mod cli;
pub mod http;
pub mod slack;
