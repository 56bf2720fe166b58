//! Integration tests of what `sns` does when its outputs fail: stdout closed or on a full disk,
//! an output file that cannot be written after the run, Ctrl-C during a benchmark.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

fn sns() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sns"));
    c.env_remove("RUST_BACKTRACE");
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sns-cli-out-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn assert_no_panic(what: &str, stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what} panicked:\n{stderr}"
    );
}

/// Runs `sns ARGS` with stdout on /dev/full.
fn to_full_disk(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    sns()
        .args(args)
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .expect("run sns")
}

#[test]
fn stdout_on_a_full_disk_is_one_line_and_exit_2() {
    for args in [
        &["mazes"][..],
        &["run", "--maze", "u", "--trials", "1", "--quiet", "--json"],
        &["run", "--maze", "u", "--trials", "1", "--quiet"],
        &["--help"],
        &["--version"],
    ] {
        let o = to_full_disk(args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "sns {args:?}: {err}");
        assert_no_panic(&format!("sns {args:?}"), &err);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "sns {args:?}: {err}");
        assert!(
            lines[0].contains("stdout") && lines[0].contains("No space left"),
            "sns {args:?}: {err}"
        );
    }
}

/// Runs `sns ARGS` with stdout a pipe whose reading end is closed before anything is written.
fn to_closed_pipe(args: &[&str]) -> (ExitStatus, String) {
    let mut child = sns()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sns");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    (o.status, text(&o.stderr))
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    // `sns run` writes only after its run, so the pipe is closed by then for sure.
    for args in [
        &[
            "run", "--maze", "large", "--trials", "1", "--quiet", "--json",
        ][..],
        &["run", "--maze", "medium", "--trials", "1", "--quiet"],
        &["mazes"],
        &["--help"],
    ] {
        let (status, err) = to_closed_pipe(args);
        assert_no_panic(&format!("sns {args:?}"), &err);
        assert_eq!(status.code(), Some(0), "sns {args:?}: {err}");
        assert!(err.is_empty(), "sns {args:?} said: {err}");
    }
}

#[test]
fn run_prints_its_results_when_the_picture_cannot_be_written() {
    let dir = scratch("plot");
    // A folder named like a picture passes the checks before the run and fails the write after.
    let plot = dir.join("run.svg");
    std::fs::create_dir_all(&plot).expect("dir");
    let report = dir.join("run.html");
    std::fs::create_dir_all(&report).expect("dir");
    // A maze, and a control world (whose table and JSON are its own).
    let worlds: [&[&str]; 2] = [
        &["--maze", "u"],
        &["--world", "pendulum", "--max-steps", "200"],
    ];
    for (world, json) in worlds.iter().flat_map(|w| [(w, false), (w, true)]) {
        let mut args = vec!["run", "--trials", "2", "--quiet"];
        args.extend_from_slice(world);
        args.extend(["--plot", plot.to_str().expect("utf-8")]);
        args.extend(["--report", report.to_str().expect("utf-8")]);
        if json {
            args.push("--json");
        }
        let o = sns().args(&args).output().expect("run sns");
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_no_panic("sns run --plot", &err);
        if json {
            let v: serde_json::Value = serde_json::from_str(&out).expect("the JSON is printed");
            assert_eq!(v["trials"].as_array().map(Vec::len), Some(2));
        } else {
            assert!(
                out.contains("trial  success"),
                "the table is printed: {out}"
            );
        }
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--plot") && err.contains("run.svg"), "{err}");
        assert!(
            err.contains("--report") && err.contains("run.html"),
            "{err}"
        );
    }
}

/// The trial rows of `sns run ARGS`'s table.
fn table_rows(args: &[&str]) -> (Vec<Vec<String>>, String) {
    let o = sns()
        .arg("run")
        .args(args)
        .arg("--quiet")
        .output()
        .expect("run sns");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let rows = out
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|w| w.len() == 5 && w[0].parse::<u32>().is_ok())
        .collect();
    (rows, out)
}

#[test]
fn the_table_shows_path_and_ratio_only_for_successful_trials() {
    // OGBench task 1 crosses the maze: 20 steps cannot reach its goal.
    let (rows, out) = table_rows(&[
        "--maze",
        "large",
        "--task",
        "1",
        "--trials",
        "2",
        "--max-steps",
        "20",
    ]);
    assert_eq!(rows.len(), 2, "{out}");
    for r in &rows {
        assert_eq!(r[1], "false", "{out}");
        assert_eq!((r[3].as_str(), r[4].as_str()), ("-", "-"), "{out}");
    }
    let (rows, out) = table_rows(&["--maze", "u", "--trials", "1"]);
    assert_eq!(rows.len(), 1, "{out}");
    assert_eq!(rows[0][1], "true", "{out}");
    assert!(
        rows[0][3].parse::<f64>().is_ok() && rows[0][4].parse::<f64>().is_ok(),
        "{out}"
    );
}

#[test]
fn bench_writes_what_it_can_and_prints_its_summary() {
    let dir = scratch("partial");
    std::fs::create_dir_all(dir.join("runs.csv")).expect("runs.csv taken by a folder");
    let o = sns()
        .args([
            "bench", "--agents", "random", "--mazes", "u", "--seeds", "2",
        ])
        .args([
            "--max-steps",
            "300",
            "--quiet",
            "--out",
            dir.to_str().expect("utf-8"),
        ])
        .output()
        .expect("run sns");
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        out.contains("| random | u |"),
        "the summary is printed: {out}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("runs.csv"), "{err}");
    let summary = std::fs::read_to_string(dir.join("summary.md")).expect("summary.md written");
    assert!(summary.contains("| random | u |"));
    assert!(dir.join("run.toml").is_file());
}

/// Waits for `child` at most `limit`; kills it (and fails) past that.
fn wait_at_most(child: &mut Child, limit: Duration) -> ExitStatus {
    let t0 = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            return s;
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            panic!("sns did not stop within {limit:?} of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .expect("open runs.csv")
        .records()
        .collect::<Result<Vec<_>, _>>()
        .expect("runs.csv is valid CSV")
}

#[cfg(unix)]
#[test]
fn ctrl_c_keeps_the_finished_runs_of_a_bench() {
    let dir = scratch("sigint");
    // 100000 runs of 20000 steps on a maze whose goal is walled off (each run uses its whole
    // budget): hours of work, far more than can finish before the signal on any machine.
    let mut child = sns()
        .args([
            "bench",
            "--agents",
            "random",
            "--mazes",
            "walled:4x4:1",
            "--seeds",
            "100000",
        ])
        .args([
            "--trials",
            "1",
            "--max-steps",
            "20000",
            "--dynamics",
            "kinematic",
        ])
        .args(["--quiet", "--out", dir.to_str().expect("utf-8")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sns");
    std::thread::sleep(Duration::from_millis(2500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(kill.success());
    let status = wait_at_most(&mut child, Duration::from_secs(60));
    let o = child.wait_with_output().expect("output");
    let err = text(&o.stderr);
    assert_no_panic("sns bench", &err);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    let rows = read_rows(&dir.join("runs.csv"));
    assert!(
        !rows.is_empty() && rows.len() < 100_000,
        "{} rows",
        rows.len()
    );
    // Every row whole: every column of runs.csv, seeds distinct.
    let columns = sns_harness::bench::RUNS_COLUMNS.len();
    assert!(rows.iter().all(|r| r.len() == columns));
    let toml = std::fs::read_to_string(dir.join("run.toml")).expect("run.toml");
    assert!(toml.contains("interrupted = true"), "{toml}");
    assert!(
        toml.contains(&format!("runs_done = {}", rows.len())),
        "{toml}"
    );
    let summary = std::fs::read_to_string(dir.join("summary.md")).expect("summary.md");
    assert!(summary.contains("**Interrupted**"), "{summary}");
    assert!(text(&o.stdout).contains("| random | walled:4x4:1 |"));
}
