//! Real AWS clients against a test daemon's AWS API: the AWS CLI (`aws`) and Python scripts
//! that use boto3/botocore. Every response is parsed by botocore itself, so a wrong XML name
//! fails the test.
//!
//! Clients are confined: the endpoint is the daemon's 127.0.0.1 port, config and shared
//! credential files are `/dev/null`, instance metadata is off, retries are off.

use std::process::Command;

use serde_json::{Value, json};

use super::daemon::Daemon;

/// `true` if the AWS CLI and boto3 are installed. Missing: a loud skip, or a panic under
/// `CI=true` (`.ci/run` installs them).
pub fn require_aws_clients(test: &str) -> bool {
    let have =
        |cmd: &str, args: &[&str]| Command::new(cmd).args(args).output().is_ok_and(|o| o.status.success());
    if have("aws", &["--version"]) && have("python3", &["-c", "import boto3"]) {
        return true;
    }
    let why = "needs the AWS CLI and boto3 (pip install awscli==1.45.11 boto3==1.43.11)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{test}: {why} (CI=true, so this is a failure, not a skip)");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!! SKIPPED: {why}: {test} !!!!!!!!\n");
    false
}

/// An error a client reported: the AWS error code and message.
#[derive(Debug)]
pub struct AwsError {
    pub code: String,
    pub message: String,
}

impl Daemon {
    /// The environment that points an AWS client at this daemon as `account`.
    pub fn aws_env(&self, account: &str) -> Vec<(&'static str, String)> {
        let key = self.ok(json!({"Action": "GetCredentials", "Account": account}));
        let s = |k: &str| key[k].as_str().unwrap().to_string();
        vec![
            ("AWS_ACCESS_KEY_ID", s("AccessKeyId")),
            ("AWS_SECRET_ACCESS_KEY", s("SecretAccessKey")),
            ("AWS_DEFAULT_REGION", s("Region")),
            ("AWS_ENDPOINT_URL", self.api_url()),
            ("AWS_CONFIG_FILE", "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_MAX_ATTEMPTS", "1".into()),
            ("AWS_PAGER", String::new()),
        ]
    }

    /// A command with the client environment of `account`.
    pub fn aws_command(&self, account: &str, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_remove("AWS_PROFILE").env_remove("AWS_SESSION_TOKEN").envs(self.aws_env(account));
        cmd
    }

    /// `aws --output json ARGS…` as `account`: the parsed output (`null` when it prints
    /// nothing), or the error it reported.
    pub fn aws(&self, account: &str, args: &[&str]) -> Result<Value, AwsError> {
        let out = self
            .aws_command(account, "aws")
            .arg("--output")
            .arg("json")
            .args(args)
            .output()
            .expect("run aws");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            return Ok(if stdout.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&stdout)
                    .unwrap_or_else(|e| panic!("aws {args:?} printed non-JSON ({e}): {stdout}"))
            });
        }
        // "An error occurred (Code) when calling the Op operation: message"
        let line = stderr.lines().find(|l| l.contains("An error occurred (")).unwrap_or_else(|| {
            panic!("aws {args:?} failed without an AWS error (exit {:?}): {stderr}", out.status.code())
        });
        let code = line.split('(').nth(1).and_then(|r| r.split(')').next()).unwrap_or_default();
        let message = line.split_once("operation: ").map_or("", |(_, m)| m);
        Err(AwsError { code: code.to_string(), message: message.to_string() })
    }

    /// `aws` that must succeed.
    pub fn aws_ok(&self, account: &str, args: &[&str]) -> Value {
        self.aws(account, args).unwrap_or_else(|e| panic!("aws {}: {} {}", args.join(" "), e.code, e.message))
    }

    /// `aws` that must fail with `code`; returns the message.
    pub fn aws_err(&self, account: &str, args: &[&str], code: &str) -> String {
        match self.aws(account, args) {
            Ok(v) => panic!("aws {} succeeded, expected {code}: {v}", args.join(" ")),
            Err(e) => {
                assert_eq!(e.code, code, "aws {}: {}", args.join(" "), e.message);
                e.message
            }
        }
    }

    /// Runs a Python script (with boto3) as `account` with `args`; panics with its output if
    /// it fails, else returns its stdout.
    pub fn python(&self, account: &str, script: &str, args: &[&str]) -> String {
        let out = self.aws_command(account, "python3").arg(script).args(args).output().expect("run python3");
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{script} {args:?} failed:\n{stdout}\n{stderr}");
        stdout.into_owned()
    }
}
