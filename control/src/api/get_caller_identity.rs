//! STS `GetCallerIdentity {}` → `{"Account", "Arn", "UserId"}`: the calling account's root
//! user (`arn:aws:iam::<account>:root`; a root user's UserId is its account ID).

use serde_json::{Value, json};

use super::request::Request;
use crate::error::ApiError;
use crate::model::State;

pub fn run(_state: &State, req: &Request) -> Result<Value, ApiError> {
    let account = &req.account;
    Ok(json!({"Account": account, "Arn": format!("arn:aws:iam::{account}:root"), "UserId": account}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn names_the_callers_root() {
        let mut s = State::new();
        let v = ok(&mut s, json!({"Action": "GetCallerIdentity", "Account": CONSUMER}));
        assert_eq!(
            v,
            json!({"Account": CONSUMER, "Arn": format!("arn:aws:iam::{CONSUMER}:root"), "UserId": CONSUMER})
        );
        fails(
            &mut s,
            json!({"Action": "GetCallerIdentity", "DryRun": true}),
            codes::UNKNOWN_PARAMETER,
            "DryRun",
        );
    }
}
