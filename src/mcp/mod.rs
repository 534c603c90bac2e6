//! MCP client configs: finding them, reading their servers, rewriting entries.
