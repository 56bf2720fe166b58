//! Integration tests of the `sns` binary: `sns mazes`, `sns run --json`, help texts, and bad input
//! (exit code 2, one line on stderr naming the file:line:col or the flag, never a panic).

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn sns(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sns"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run the sns binary")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A map file under the temp folder, removed when dropped.
struct TempMap(PathBuf);

impl TempMap {
    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

impl Drop for TempMap {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A fresh file under the temp folder holding `text`; unique per process and call.
fn temp_map(text: &str) -> TempMap {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let p = std::env::temp_dir().join(format!("sns-cli-test-{}-{n}.txt", std::process::id()));
    std::fs::write(&p, text).expect("write temp map");
    TempMap(p)
}

/// Runs `sns run ARGS` and checks the bad-input contract: exit code 2, nothing on stdout, exactly
/// one non-empty line on stderr that contains every string of `names`, and no panic.
fn rejects(args: &[&str], names: &[&str]) -> String {
    let mut full = vec!["run", "--quiet", "--trials", "1", "--max-steps", "10"];
    full.extend_from_slice(args);
    let o = sns(&full);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "sns {full:?}: stderr {err}");
    assert!(
        stdout(&o).trim().is_empty(),
        "sns {full:?} printed {}",
        stdout(&o)
    );
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "sns {full:?}: not one line:\n{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace") && !err.contains("RUST_BACKTRACE"),
        "sns {full:?} panicked:\n{err}"
    );
    for n in names {
        assert!(err.contains(n), "sns {full:?}: {err:?} does not name {n:?}");
    }
    err
}

#[test]
fn mazes_lists_the_builtins() {
    let o = sns(&["mazes"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = stdout(&o)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    for n in ["u", "open", "medium", "large", "giant"] {
        assert!(names.iter().any(|x| x == n), "{n} missing from {names:?}");
    }
}

#[test]
fn run_json_has_the_documented_keys_and_succeeds_on_u() {
    let o = sns(&["run", "--maze", "u", "--json", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("stdout is one JSON object");
    assert!(v.is_object());
    assert_eq!(v["maze"], "u");
    assert_eq!(v["seed"], 0);
    assert_eq!(v["dynamics"], "pointmaze");
    assert_eq!(v["substrate"], "symbolic");
    for key in ["start", "goal"] {
        let a = v[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} not a list"));
        assert_eq!(a.len(), 2, "{key}");
        assert!(a.iter().all(|x| x.as_f64().is_some_and(f64::is_finite)));
    }
    let l_star = v["shortest_path"].as_f64().expect("shortest_path");
    assert!(l_star > 0.0);
    let trials = v["trials"].as_array().expect("trials");
    assert_eq!(trials.len(), 3, "default is 3 trials");
    for (k, t) in trials.iter().enumerate() {
        assert_eq!(t["trial"], k as u64 + 1);
        assert_eq!(t["success"], true, "trial {t}");
        let steps = t["steps"].as_u64().expect("steps");
        assert!(steps > 0 && steps <= 100_000);
        let len = t["path_length"].as_f64().expect("path_length");
        // The ball starts more than GOAL_RADIUS away and stops within it.
        assert!(len >= l_star - 2.0 * 0.45 - 1e-9, "{len} vs L* {l_star}");
    }
    assert!(v["graph"]["nodes"].as_u64().expect("nodes") > 0);
    assert!(v["graph"]["edges"].as_u64().is_some());
    assert!(v["steps_per_second"].as_f64().expect("steps_per_second") > 0.0);
}

#[test]
fn run_table_without_json() {
    let o = sns(&[
        "run", "--maze", "open", "--seed", "2", "--trials", "2", "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("maze open") && out.contains("seed 2"), "{out}");
    assert!(serde_json::from_str::<Value>(&out).is_err());
}

#[test]
fn help_mentions_every_flag() {
    let o = sns(&["--help"]);
    assert!(o.status.success());
    let top = stdout(&o);
    for cmd in ["run", "mazes", "bench", "plot"] {
        assert!(top.contains(cmd), "sns --help lacks {cmd}:\n{top}");
    }
    let o = sns(&["run", "--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for flag in [
        "--maze",
        "--seed",
        "--trials",
        "--dynamics",
        "--max-steps",
        "--json",
        "--start",
        "--goal",
        "--task",
        "--agent",
        "--substrate",
        "--quiet",
        "--plot",
        "--report",
        "--scenario",
    ] {
        assert!(help.contains(flag), "sns run --help lacks {flag}:\n{help}");
    }
}

#[test]
fn unknown_maze_name() {
    rejects(&["--maze", "no-such-maze"], &["--maze", "no-such-maze"]);
}

#[test]
fn unreadable_maze_file() {
    // Tests may run as root, where permission bits do not stop reading: a directory does.
    let dir = std::env::temp_dir();
    let d = dir.to_str().expect("utf-8 temp dir");
    rejects(&["--maze", d], &[d, "cannot read"]);
}

#[test]
fn wrong_character_names_file_line_col() {
    let p = temp_map("11111\n10001\n10x01\n11111\n");
    let f = p.path();
    rejects(&["--maze", f], &[&format!("{f}:3:3"), "'x'"]);
}

#[test]
fn invisible_characters_are_named_with_file_line_col() {
    for (text, at, name) in [
        (
            "\u{feff}11111\n10001\n11111\n",
            "1:1",
            "U+FEFF byte order mark",
        ),
        ("11111\n10\t01\n11111\n", "2:3", "tab"),
        ("11111\n100\u{0}1\n11111\n", "2:4", "NUL"),
    ] {
        let p = temp_map(text);
        let f = p.path();
        let err = rejects(&["--maze", f], &[&format!("{f}:{at}"), name]);
        assert!(
            !err.contains(['\t', '\0', '\u{feff}']),
            "raw character in {err:?}"
        );
    }
}

#[test]
fn invalid_utf8_map_names_file_line_col() {
    let p = temp_map("");
    std::fs::write(&p.0, b"11111\n10001\n10\xff01\n11111\n").expect("write");
    let f = p.path();
    rejects(&["--maze", f], &[&format!("{f}:3:3"), "not UTF-8"]);
}

#[test]
fn endless_or_huge_map_file_fails_at_once() {
    // Without the bound this read grows without end; with it, one line after 16 MiB.
    if std::path::Path::new("/dev/zero").exists() {
        rejects(&["--maze", "/dev/zero"], &["/dev/zero", "too large"]);
    }
    let p = temp_map("");
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&p.0)
        .expect("open");
    // Sparse: 100 MB of size, no disk space; refused by its size before any read.
    f.set_len(100_000_000).expect("set_len");
    rejects(&["--maze", p.path()], &[p.path(), "too large"]);
}

#[test]
fn dstar_grid_too_large_for_the_map_is_refused() {
    // A 300x300 map (424 m across) at 0.05 m would need 89 million cells (3.6 GB).
    let n = 300;
    let mut text = String::new();
    for r in 0..n {
        for c in 0..n {
            let wall = r == 0 || c == 0 || r + 1 == n || c + 1 == n;
            text.push(if wall { '1' } else { '0' });
        }
        text.push('\n');
    }
    let p = temp_map(&text);
    rejects(
        &["--maze", p.path(), "--agent", "dstar:0.05"],
        &["dstar", "limit", "resolution of at least"],
    );
}

#[test]
fn ragged_rows_name_file_and_line() {
    let p = temp_map("11111\n10001\n1001\n11111\n");
    let f = p.path();
    rejects(&["--maze", f], &[&format!("{f}:3:"), "ragged"]);
}

#[test]
fn open_border_names_file_line_col() {
    let p = temp_map("11111\n10000\n11111\n");
    let f = p.path();
    rejects(&["--maze", f], &[&format!("{f}:2:5"), "border"]);
    let p = temp_map("11011\n10001\n11111\n");
    let f = p.path();
    rejects(&["--maze", f], &[&format!("{f}:1:3"), "border"]);
}

#[test]
fn no_free_cell_names_file() {
    let p = temp_map("111\n111\n111\n");
    let f = p.path();
    rejects(&["--maze", f], &[f, "free"]);
    let p = temp_map("");
    let f = p.path();
    rejects(&["--maze", f], &[f]);
}

#[test]
fn start_or_goal_on_a_wall_names_the_flag() {
    rejects(&["--maze", "u", "--start", "0,0"], &["--start", "wall"]);
    rejects(&["--maze", "u", "--goal", "2,2"], &["--goal", "wall"]);
}

#[test]
fn start_or_goal_out_of_range_names_the_flag() {
    rejects(&["--maze", "u", "--start", "9,1"], &["--start", "out of"]);
    rejects(&["--maze", "u", "--goal", "1,5"], &["--goal", "out of"]);
}

#[test]
fn malformed_cells_name_the_flag() {
    for bad in ["3", "a,b", "-1,2", "1,2,3", ",", ""] {
        rejects(&["--maze", "u", "--start", bad], &["--start"]);
        rejects(&["--maze", "u", "--goal", bad], &["--goal"]);
    }
}

#[test]
fn bad_task_names_the_flag() {
    for t in ["0", "6", "-1", "x"] {
        rejects(&["--maze", "large", "--task", t], &["--task"]);
    }
    rejects(&["--maze", "u", "--task", "1"], &["--task", "OGBench"]);
}

#[test]
fn bad_numbers_name_the_flag() {
    for (flag, v) in [
        ("--seed", "-1"),
        ("--seed", "1.5"),
        ("--seed", "nan"),
        ("--seed", "99999999999999999999999"),
        ("--trials", "0"),
        ("--trials", "-2"),
        ("--trials", "inf"),
        ("--max-steps", "0"),
        ("--max-steps", "nan"),
        ("--max-steps", "-5"),
        ("--dims", "-1"),
    ] {
        rejects(&["--maze", "u", flag, v], &[flag]);
    }
    rejects(&["--maze", "u", "--dynamics", "fast"], &["--dynamics"]);
    rejects(&["--maze", "u", "--agent", "nobody"], &["--agent"]);
}

#[test]
fn pinned_cells_are_used() {
    let o = sns(&[
        "run", "--maze", "u", "--start", "3,1", "--goal", "1,1", "--trials", "1", "--json",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    // u is 5x5: cell (3,1) has centre (-1, -1), cell (1,1) has centre (-1, 1); noise is +-0.25.
    let near = |key: &str, x: f64, y: f64| {
        let a = &v[key];
        let (px, py) = (a[0].as_f64().expect("x"), a[1].as_f64().expect("y"));
        assert!(
            (px - x).abs() <= 0.25 && (py - y).abs() <= 0.25,
            "{key} ({px},{py})"
        );
    };
    near("start", -1.0, -1.0);
    near("goal", -1.0, 1.0);
    assert_eq!(v["trials"][0]["success"], true);
}

#[test]
fn step_budget_gives_success_false() {
    let o = sns(&[
        "run",
        "--maze",
        "large",
        "--task",
        "1",
        "--trials",
        "1",
        "--max-steps",
        "50",
        "--json",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["trials"][0]["success"], false);
    assert_eq!(v["trials"][0]["steps"], 50);
}

#[test]
fn bench_bad_numbers_name_the_flag() {
    for (flag, v) in [
        ("--seeds", "-1"),
        ("--seeds", "0"),
        ("--trials", "-1"),
        ("--max-steps", "nan"),
        ("--threads", "-2"),
    ] {
        let o = sns(&["bench", "--quiet", flag, v]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "bench {flag} {v}: {err}");
        assert_eq!(err.lines().count(), 1, "bench {flag} {v}: {err}");
        assert!(err.contains(flag), "bench {flag} {v}: {err}");
    }
}

/// Regression: these flags used to be ignored silently where they do not apply.
#[test]
fn neural_only_flags_are_refused_elsewhere() {
    rejects(&["--maze", "u", "--self-motion"], &["--self-motion"]);
    rejects(
        &["--maze", "u", "--agent", "bug2", "--dims", "96"],
        &["--dims"],
    );
}

/// Regression: a bad `--param` used to hang the agent or fail every trial silently.
#[test]
fn bad_param_values_are_refused() {
    rejects(
        &["--maze", "u", "--param", "lattice0=1e-6"],
        &["--param", "lattice0"],
    );
    rejects(
        &["--maze", "u", "--param", "cross_track_gain=nan"],
        &["--param"],
    );
    rejects(&["--maze", "u", "--param", "nonsense"], &["--param"]);
}

/// Regression: `run.toml` read the git state after the benchmark had written its own outputs, so
/// a benchmark into a tracked folder (as `bench/full` is here) always said `dirty = true`.
#[test]
fn a_bench_into_a_tracked_folder_of_a_clean_tree_is_not_dirty() {
    let repo = std::env::temp_dir().join(format!("sns-dirty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo).expect("temp repo");
    let in_repo = |prog: &str, args: &[&str]| {
        let o = Command::new(prog)
            .args(args)
            .current_dir(&repo)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .output()
            .expect("run in the temp repo");
        assert!(o.status.success(), "{prog} {args:?}: {}", stderr(&o));
    };
    let bench = |repo_prog: &dyn Fn(&str, &[&str])| {
        repo_prog(
            env!("CARGO_BIN_EXE_sns"),
            &[
                "bench", "--agents", "oracle", "--mazes", "u", "--seeds", "1", "--trials", "1",
                "--out", "out", "--quiet",
            ],
        )
    };
    in_repo("git", &["init", "-q"]);
    bench(&in_repo);
    in_repo("git", &["add", "out"]);
    in_repo("git", &["commit", "-q", "-m", "first bench"]);
    bench(&in_repo);
    let meta = std::fs::read_to_string(repo.join("out/run.toml")).expect("run.toml");
    let _ = std::fs::remove_dir_all(&repo);
    assert!(meta.contains("dirty = false"), "{meta}");
}
