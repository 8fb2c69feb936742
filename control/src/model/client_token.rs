//! Client tokens: what an idempotent create (`ClientToken`) answered, kept with the state.
//!
//! Contract: one entry per (account, action, token). An entry remembers the request's
//! parameters (without `ClientToken` and `DryRun`) and the answer; it is kept for
//! [`CLIENT_TOKEN_TTL`] seconds after the call, as AWS keeps tokens for a limited time.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How long a client token is remembered, in seconds (AWS: at least 24 hours).
pub const CLIENT_TOKEN_TTL: u64 = 24 * 3600;

/// One idempotent call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientTokenUse {
    /// The request's parameters, minus `ClientToken` and `DryRun`.
    pub params: Value,
    /// The answer of the call.
    pub answer: Value,
    /// When the call was made (seconds since the Unix epoch).
    pub at: u64,
}

/// The key of a client token in [`super::State::client_tokens`].
pub fn client_token_key(account: &str, action: &str, token: &str) -> String {
    format!("{account}/{action}/{token}")
}
