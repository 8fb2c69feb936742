//! The `privlink` command line: a thin front over the control socket.
//!
//! Contract: every command sends one request (`commands`) and prints the answer. With
//! `-o json` stdout is exactly the daemon's JSON response, pretty-printed (errors included);
//! with `-o table` (default) it is aligned columns (`views`, `table`). Errors go to stderr as
//! `error: <Code>: <Message>`. Exit codes: 0 success; 1 the API refused (or a batch call left
//! `Unsuccessful` items); 2 usage error; 3 privlinkd unreachable.

mod commands;
mod table;
mod views;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use serde_json::Value;

use crate::client::Client;
use crate::error::codes;
use crate::model::DEFAULT_ACCOUNT;
use crate::proto;
use commands::{Call, Command, View};

/// Default control socket of privlinkd.
pub const DEFAULT_SOCKET: &str = "/run/privlink/privlink.sock";

/// Notes printed after the top-level help.
const AFTER_HELP: &str = "Each command sends one AWS-named API action to privlinkd and prints the answer.
Every ID argument also takes the unique Name tag of a resource of that kind (ELBv2: ARN or name).
List-valued flags are comma-separated. Full reference: docs/cli.md in the source tree.
Exit codes: 0 ok, 1 API error (or a failed item of a batch call), 2 usage error, 3 privlinkd unreachable.";

/// privlink: AWS PrivateLink and VPC endpoints on one Linux machine (client of privlinkd).
#[derive(Parser)]
#[command(name = "privlink", version, propagate_version = true, after_help = AFTER_HELP)]
pub struct Cli {
    /// Path of privlinkd's control socket (a Unix socket).
    #[arg(
        long,
        global = true,
        env = "PRIVLINK_SOCKET",
        default_value = DEFAULT_SOCKET,
        help_heading = "Global options"
    )]
    socket: PathBuf,
    /// AWS account ID to act as (12 digits), e.g. 222222222222 for a second account.
    #[arg(
        long,
        global = true,
        env = "PRIVLINK_ACCOUNT",
        default_value = DEFAULT_ACCOUNT,
        help_heading = "Global options"
    )]
    account: String,
    /// Output format: table (aligned columns) or json (the raw AWS-shaped response).
    #[arg(
        short = 'o',
        long,
        global = true,
        value_enum,
        default_value_t = Output::Table,
        help_heading = "Global options"
    )]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Table,
    Json,
}

/// Parses the command line, runs the command, and returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let call = match cli.command.into_call() {
        Ok(call) => call,
        Err(usage) => {
            eprintln!("error: {usage}");
            return ExitCode::from(2);
        }
    };
    let mut client = match Client::connect(&cli.socket) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "error: {e} (is privlinkd running? choose the socket with --socket or PRIVLINK_SOCKET)"
            );
            return ExitCode::from(3);
        }
    };
    let Call { action, params, view } = call;
    let result = client.call(&proto::request(action, &cli.account, params));
    let response = match &result {
        Ok(v) => v.clone(),
        Err(e) => e.to_json(),
    };
    if cli.output == Output::Json || matches!(view, View::Json) {
        println!("{}", serde_json::to_string_pretty(&response).expect("JSON values print"));
    }
    match result {
        Err(e) => {
            eprintln!("error: {}: {}", e.code, e.message);
            ExitCode::from(if e.code == codes::SERVICE_UNAVAILABLE { 3 } else { 1 })
        }
        Ok(v) => show(&v, &view, cli.output == Output::Table),
    }
}

/// The `export` line of a `GetCredentials` answer (values are shell-safe: key characters are
/// `A-Za-z0-9+/`, the endpoint a URL).
fn exports(v: &Value) -> String {
    let mut line = String::from("export");
    for (var, key) in [
        ("AWS_ACCESS_KEY_ID", "AccessKeyId"),
        ("AWS_SECRET_ACCESS_KEY", "SecretAccessKey"),
        ("AWS_DEFAULT_REGION", "Region"),
        ("AWS_ENDPOINT_URL", "Endpoint"),
    ] {
        if let Some(val) = v[key].as_str() {
            line += &format!(" {var}='{val}'");
        }
    }
    line
}

/// Prints a successful answer (in table mode) and reports batch failures.
fn show(v: &Value, view: &View, table_mode: bool) -> ExitCode {
    if table_mode {
        match view {
            View::Tables(tables) => print!("{}", table::render(v, tables)),
            View::Stats => {
                print!("{}", table::render(v, views::STATS));
                let drops = v["Stats"]["Drops"].as_object().into_iter().flatten();
                let nonzero: Vec<_> = drops.filter(|(_, n)| n.as_u64().is_some_and(|n| n > 0)).collect();
                if !nonzero.is_empty() {
                    println!("\nDrops by reason:");
                    for (reason, n) in nonzero {
                        println!("  {reason:<32} {n}");
                    }
                }
            }
            View::Trace => {
                for (i, step) in v["Trace"]["Steps"].as_array().into_iter().flatten().enumerate() {
                    println!("{:>2}. {}", i + 1, step.as_str().unwrap_or_default());
                }
                print!("{}", table::render(v, views::TRACE));
            }
            View::Exports => println!("{}", exports(v)),
            View::Done | View::Unsuccessful | View::Json => {}
        }
    }
    let failed = v["Unsuccessful"].as_array().map(Vec::as_slice).unwrap_or_default();
    for item in failed {
        let e = &item["Error"];
        eprintln!(
            "error: {}: {}: {}",
            item["ResourceId"].as_str().unwrap_or("-"),
            e["Code"].as_str().unwrap_or("-"),
            e["Message"].as_str().unwrap_or("")
        );
    }
    if !failed.is_empty() {
        return ExitCode::from(1);
    }
    if table_mode && matches!(view, View::Done | View::Unsuccessful) {
        println!("ok");
    }
    ExitCode::SUCCESS
}
