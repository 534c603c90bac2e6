//! keyward: a keychain for API keys that hands each tool exactly the keys its owner
//! approved, and only while the tool's code is the code that was approved.
//!
//! The binary (`src/main.rs`) parses the command line and calls [`commands::run`].
#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod complete;
pub mod crypto;
pub mod digest;
pub mod error;
pub mod generate;
pub mod keychain;
pub mod keys;
pub mod keystore;
pub mod manifest;
pub mod mask;
pub mod names;
pub mod output;
pub mod prompt;
pub mod runner;
pub mod secret;
pub mod time;
pub mod token;
pub mod unlock;
pub mod vault;
