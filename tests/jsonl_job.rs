//! The JSON Lines driver shared by the cross-checks' job examples (`sns-worlds`'s
//! `pointmaze_job`, `sns-control`'s `control_job`), included by `#[path]`: one job per line of
//! stdin, one result line per job on stdout. A line that cannot be read, parsed, run or encoded is
//! a one-line error naming the input line, exit 2; a closed stdout ends quietly.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

/// Runs every job of stdin through `run`; `name` prefixes the error messages.
pub fn serve<J: DeserializeOwned, T: Serialize>(
    name: &str,
    run: impl Fn(J) -> Result<T, String>,
) -> ExitCode {
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (i, line) in stdin.lock().lines().enumerate() {
        let fail = |msg: String| {
            eprintln!("{name}: stdin:{}: {msg}", i + 1);
            ExitCode::from(2)
        };
        let line = match line {
            Ok(l) => l,
            Err(e) => return fail(format!("cannot read: {e}")),
        };
        if line.trim().is_empty() {
            continue;
        }
        let job: J = match serde_json::from_str(&line) {
            Ok(j) => j,
            Err(e) => return fail(format!("bad job: {e}")),
        };
        let t = match run(job) {
            Ok(t) => t,
            Err(e) => return fail(e),
        };
        let text = match serde_json::to_string(&t) {
            Ok(s) => s,
            Err(e) => return fail(format!("cannot encode the trajectory: {e}")),
        };
        if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
            // The reader went away: end quietly, as a filter does.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
            return fail(format!("cannot write: {e}"));
        }
    }
    ExitCode::SUCCESS
}
