//! Surfaces: they transport messages to the brain and render what comes back; they never decide.
pub mod cli;
