//! What dispatch does around every operation: the services' common parameters `DryRun` and
//! `ClientToken`, so no operation handles them itself.
//!
//! Rules:
//! - Each action belongs to one API ([`Operation::service`]); only EC2 actions take `DryRun`
//!   (for the others it is `UnknownParameter`, as any parameter they do not read).
//! - `DryRun=true`: the operation runs in full — every check, every error — and then
//!   `DryRunOperation` ("Request would have succeeded, but DryRun flag is set.") replaces
//!   its answer. Callers discard the state of a failed call, so nothing changes.
//! - `ClientToken` (1..=64 ASCII characters), on the actions whose botocore input has it
//!   ([`Operation::client_token`]): the first successful call records its parameters and answer
//!   in the state (so tokens survive restarts). A later call of the same account, action and
//!   token with the same parameters answers the recorded answer without running again; with
//!   other parameters it is `IdempotentParameterMismatch`. Tokens expire after
//!   [`CLIENT_TOKEN_TTL`] seconds; expired ones are dropped whenever a new one is recorded.

use serde_json::Value;

use super::registry::Operation;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{CLIENT_TOKEN_TTL, ClientTokenUse, State, client_token_key};

/// The answer to a `DryRun` call that would have succeeded.
pub fn dry_run_operation() -> ApiError {
    ApiError::new(codes::DRY_RUN_OPERATION, "Request would have succeeded, but DryRun flag is set.")
}

/// The common parameters of one call, read before the operation runs.
pub struct Call {
    dry_run: bool,
    /// When the call is made (seconds since the Unix epoch).
    now: u64,
    /// The state key of the call's client token and the parameters it stands for.
    token: Option<(String, Value)>,
}

/// The parameters that do not make two calls different.
const NOT_COMPARED: &[&str] = &["ClientToken", "DryRun"];

impl Call {
    /// Reads `DryRun` and `ClientToken` where the action takes them.
    pub fn read(op: &Operation, req: &Request) -> Result<Call, ApiError> {
        let dry_run = op.takes_dry_run() && req.bool_opt("DryRun")?.unwrap_or(false);
        let token = match op.client_token {
            true => req.str_opt("ClientToken")?,
            false => None,
        };
        if let Some(t) = token.filter(|t| t.len() > 64 || !t.is_ascii()) {
            return Err(req.bad("ClientToken", &t.into(), "at most 64 ASCII characters"));
        }
        let token =
            token.map(|t| (client_token_key(&req.account, &req.action, t), req.params_except(NOT_COMPARED)));
        Ok(Call { dry_run, now: req.now, token })
    }

    /// The recorded answer of an earlier call with this client token, if it is one.
    pub fn replay(&self, state: &State, req: &Request) -> Result<Option<Value>, ApiError> {
        let Some((key, params)) = &self.token else { return Ok(None) };
        let Some(used) = state.client_tokens.get(key).filter(|u| self.now < u.at + CLIENT_TOKEN_TTL) else {
            return Ok(None);
        };
        if used.params != *params {
            return Err(ApiError::new(
                codes::IDEMPOTENT_PARAMETER_MISMATCH,
                format!(
                    "The ClientToken of this {} was used by a call with other parameters ({}); use a new token",
                    req.action,
                    super::request::snippet(&used.params)
                ),
            ));
        }
        req.mark_all_used();
        self.check()?;
        Ok(Some(used.answer.clone()))
    }

    /// `DryRunOperation` for a dry run (whose operation ran in full and succeeded).
    pub fn check(&self) -> Result<(), ApiError> {
        if self.dry_run { Err(dry_run_operation()) } else { Ok(()) }
    }

    /// This call without its client token (a replayed call records nothing again).
    pub fn replayed(self) -> Call {
        Call { token: None, ..self }
    }

    /// Records `answer` under the call's client token, if it has one, in `state`.
    pub fn record(&self, state: &mut State, answer: &Value) {
        if let Some((key, params)) = &self.token {
            state.client_tokens.retain(|_, u| self.now < u.at + CLIENT_TOKEN_TTL);
            let used = ClientTokenUse { params: params.clone(), answer: answer.clone(), at: self.now };
            state.client_tokens.insert(key.clone(), used);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::testkit::*;

    #[test]
    fn dry_run_checks_everything_and_changes_nothing() {
        let mut s = State::new();
        let e = fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16", "DryRun": true}),
            codes::DRY_RUN_OPERATION,
            "DryRun flag is set",
        );
        assert_eq!(e.message, "Request would have succeeded, but DryRun flag is set.");
        fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/8", "DryRun": true}),
            codes::INVALID_VPC_RANGE,
            "10.0.0.0/8",
        );
        fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16", "DryRun": true, "Bogus": 1}),
            codes::UNKNOWN_PARAMETER,
            "Bogus",
        );
        fails(
            &mut s,
            json!({"Action": "DescribeVpcs", "DryRun": "true"}),
            codes::DRY_RUN_OPERATION,
            "DryRun",
        );
        let v = ok(&mut s, json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16", "DryRun": false}));
        assert!(v["Vpc"]["VpcId"].is_string());
        fails(
            &mut s,
            json!({"Action": "DescribeLoadBalancers", "DryRun": true}),
            codes::UNKNOWN_PARAMETER,
            "DryRun",
        );
        let req = Request::parse(&json!({"Action": "DescribeVpcs", "DryRun": true})).unwrap();
        assert_eq!(crate::api::query(&s, &req).unwrap_err().code, codes::DRY_RUN_OPERATION);
    }

    #[test]
    fn client_tokens_replay_the_first_answer() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "a-1", "10.0.1.0/24", "us-east-1a");
        let run = json!({"Action": "RunInstances", "SubnetId": sn, "ClientToken": "tok-1"});
        let first = ok(&mut s, run.clone());
        let again = ok(&mut s, run.clone());
        assert_eq!(first, again);
        assert_eq!(s.instances.len(), 1, "the replay created nothing");
        let e = fails(
            &mut s,
            json!({"Action": "RunInstances", "SubnetId": sn, "ClientToken": "tok-1", "PrivateIpAddress": "10.0.1.9"}),
            codes::IDEMPOTENT_PARAMETER_MISMATCH,
            "ClientToken",
        );
        assert!(e.message.contains("RunInstances"), "{}", e.message);
        fails(
            &mut s,
            json!({"Action": "RunInstances", "SubnetId": sn, "ClientToken": "tok-2", "DryRun": true}),
            codes::DRY_RUN_OPERATION,
            "DryRun",
        );
        assert_eq!(s.client_tokens.len(), 1, "a dry run records no token");
        fails(
            &mut s,
            json!({"Action": "RunInstances", "SubnetId": sn, "ClientToken": "x".repeat(65)}),
            codes::INVALID_PARAMETER_VALUE,
            "ClientToken",
        );
        fails(
            &mut s,
            json!({"Action": "CreateSubnet", "VpcId": v, "CidrBlock": "10.0.2.0/24", "ClientToken": "t"}),
            codes::UNKNOWN_PARAMETER,
            "ClientToken",
        );
        // Tokens are kept with the state and expire.
        let back: State = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back.client_tokens, s.client_tokens);
        s.client_tokens.values_mut().for_each(|u| u.at -= CLIENT_TOKEN_TTL);
        ok(&mut s, run);
        assert_eq!(s.instances.len(), 2, "an expired token starts a new call");
        assert_eq!(s.client_tokens.len(), 1);
    }
}
