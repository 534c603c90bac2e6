//! keyward: a keychain for API keys that hands each tool exactly the keys its owner
//! approved, and only while the tool's code is the code that was approved.
//!
//! The binary (`src/main.rs`) parses the command line and calls [`commands::run`].
#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub(crate) mod complete;
pub(crate) mod crypto;
pub(crate) mod deliver;
pub mod digest;
pub mod endpoints;
pub mod error;
pub(crate) mod gateway;
pub mod generate;
pub(crate) mod guard;
pub(crate) mod keychain;
pub(crate) mod keys;
pub(crate) mod keystore;
pub mod manifest;
pub(crate) mod mask;
pub(crate) mod mcp;
pub(crate) mod names;
pub(crate) mod openbao;
pub mod output;
pub(crate) mod prompt;
pub(crate) mod registry;
pub(crate) mod runner;
pub(crate) mod secret;
pub(crate) mod time;
pub mod token;
pub(crate) mod unlock;
pub(crate) mod vault;
