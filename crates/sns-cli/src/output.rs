//! What `sns` writes on stdout, and how a command ends.
//!
//! Results go to stdout through [`print()`], never `println!` (which panics when stdout is a closed
//! pipe or a full disk). A command that fails returns its error to [`fail`], which picks the
//! exit code: a closed pipe (`sns mazes | head -c 1`) ends quietly with 0, as `head` asked for no
//! more (ripgrep does the same); an interrupted benchmark ([`Interrupted`]) exits 130, as a shell
//! reports a process ended by SIGINT; any other error is one line on stderr and exit 2.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// Exit code of a command stopped by Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// stdout could not be written.
#[derive(Debug)]
pub struct StdoutError(pub io::Error);

impl fmt::Display for StdoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "writing to stdout: {}", self.0)
    }
}

impl std::error::Error for StdoutError {}

/// A command stopped by Ctrl-C after saving what it had; the message says what was kept.
#[derive(Debug)]
pub struct Interrupted(pub String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// Writes `text` on stdout and flushes it, so that a write error is seen here and not lost at
/// exit.
pub fn print(text: &str) -> Result<(), StdoutError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(StdoutError)
}

/// One line on stderr; an error writing it is ignored (there is nowhere left to say it).
pub fn eprint_line(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Whether `e` is stdout closed by its reader.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<StdoutError>()
        .is_some_and(|s| s.0.kind() == io::ErrorKind::BrokenPipe)
}

/// Ends a failed command: says why on stderr (unless stdout was closed by its reader) and
/// returns the exit code.
pub fn fail(e: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(e) {
        return ExitCode::SUCCESS;
    }
    if let Some(i) = e.downcast_ref::<Interrupted>() {
        eprint_line(&format!("interrupted: {i}"));
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    eprint_line(&format!("error: {e:#}"));
    ExitCode::from(crate::EXIT_BAD_INPUT)
}
