//! `privlink`: the CLI of privlink. All of it lives in [`privlink_control::cli`].

fn main() -> std::process::ExitCode {
    privlink_control::cli::main()
}
