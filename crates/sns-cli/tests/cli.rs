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

/// Runs `sns ARGS` and checks clap's contract for a malformed flag: exit code 2, nothing on stdout,
/// clap's whole message on stderr (a first line `error: ...`, and the hint to `--help` at its end),
/// containing every string of `names`, and no panic.
fn clap_rejects(args: &[&str], names: &[&str]) -> String {
    let o = sns(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "sns {args:?}: stderr {err}");
    assert!(
        stdout(&o).trim().is_empty(),
        "sns {args:?} printed {}",
        stdout(&o)
    );
    assert!(err.starts_with("error: "), "sns {args:?}: {err}");
    assert!(
        err.trim_end()
            .ends_with("For more information, try '--help'."),
        "sns {args:?}: clap's message was cut:\n{err}"
    );
    assert!(!err.contains("panicked"), "sns {args:?} panicked:\n{err}");
    for n in names {
        assert!(err.contains(n), "sns {args:?}: {err:?} does not name {n:?}");
    }
    err
}

/// `clap_rejects` for `sns run` with a tiny budget.
fn run_clap_rejects(args: &[&str], names: &[&str]) -> String {
    let mut full = vec!["run", "--quiet", "--trials", "1", "--max-steps", "10"];
    full.extend_from_slice(args);
    clap_rejects(&full, names)
}

/// A fresh folder path under the temp folder (not created), removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir_path(tag: &str) -> TempDir {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    TempDir(std::env::temp_dir().join(format!("sns-cli-{tag}-{}-{n}", std::process::id())))
}

/// Regression: clap's errors were cut to their first line, which can say nothing
/// ("the following required arguments were not provided:") and never listed valid values.
#[test]
fn clap_errors_are_shown_whole() {
    run_clap_rejects(
        &["--maze", "u", "--dynamics", "foo"],
        &["--dynamics", "possible values: pointmaze, kinematic"],
    );
    let err = clap_rejects(&["plot"], &["required arguments", "<DIR>"]);
    assert!(err.lines().count() > 2, "{err}");
}

/// Regression: `--start 18446744073709551615,1` was reported as cell (-1,1).
#[test]
fn a_huge_cell_index_is_reported_as_written() {
    let err = rejects(
        &["--maze", "u", "--start", "18446744073709551615,1"],
        &["--start", "(18446744073709551615,1)", "out of"],
    );
    assert!(!err.contains("(-1,1)"), "{err}");
}

/// Regression: `--dims 1200000000` asked for 19 GB and aborted; `bench --threads 100000000`
/// spawned threads for ever. Both are refused by the flag parser, before anything is built.
#[test]
fn sizes_have_documented_limits() {
    run_clap_rejects(
        &[
            "--maze",
            "u",
            "--substrate",
            "neural",
            "--dims",
            "1200000000",
        ],
        &["--dims", "1..=1536"],
    );
    clap_rejects(
        &["bench", "--quiet", "--threads", "100000000"],
        &["--threads", "1..=1024"],
    );
    let o = sns(&["run", "--help"]);
    assert!(stdout(&o).contains("at most 1536"), "{}", stdout(&o));
    let o = sns(&["bench", "--help"]);
    assert!(stdout(&o).contains("1 to 1024"), "{}", stdout(&o));
}

/// Regression: `sns bench --agents sns,dstar:0` ran every valid job, then failed, threw them all
/// away, and said the same thing twice.
#[test]
fn bench_refuses_a_bad_agent_before_running_anything() {
    let out = temp_dir_path("bench-bad-agent");
    let dir = out.0.to_str().expect("utf-8");
    let o = sns(&[
        "bench",
        "--quiet",
        "--agents",
        "sns,dstar:0",
        "--mazes",
        "u",
        "--seeds",
        "1",
        "--out",
        dir,
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("dstar:0"), "{err}");
    assert_eq!(err.matches("outside [0.05, 2] m").count(), 1, "{err}");
    assert!(!out.0.exists(), "the bench wrote {dir}");
}

/// Regression: an agent that cannot be built on one world (D* Lite at 0.05 m on this 150 x 100 m
/// room needs a grid over its cell limit) was found only when its jobs ran, after the others had
/// run. The neural substrate, which refused every world over 50 m, now builds on it.
#[test]
fn bench_checks_every_job_before_the_first_runs() {
    let (wall, row) = ("1".repeat(150), format!("1{}1\n", "0".repeat(148)));
    let wide = format!("{wall}\n{}{wall}\n", row.repeat(98));
    let map = temp_map(&wide);
    let out = temp_dir_path("bench-preflight");
    let dir = out.0.to_str().expect("utf-8");
    let mazes = format!("u,{}", map.path());
    let o = sns(&[
        "bench",
        "--quiet",
        "--agents",
        "oracle,sns:neural,dstar:0.05",
        "--mazes",
        &mazes,
        "--seeds",
        "2",
        "--out",
        dir,
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("dstar:0.05 on") && err.contains("needs a grid"),
        "{err}"
    );
    assert!(!err.contains("sns:neural"), "{err}");
    assert!(!out.0.exists(), "the bench ran and wrote {dir}");
}

/// `sns bench --param` reaches the agents and is archived: run.toml records every parameter,
/// the changed one with its new value; a bad one is refused before anything runs.
#[test]
fn bench_params_are_applied_and_archived() {
    let out = temp_dir_path("bench-param");
    let dir = out.0.to_str().expect("utf-8");
    let base = [
        "bench", "--quiet", "--agents", "sns", "--mazes", "u", "--seeds", "1",
    ];
    let mut args = base.to_vec();
    args.extend(["--trials", "1", "--param", "cut_radius=0.3", "--out", dir]);
    let o = sns(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let toml = std::fs::read_to_string(out.0.join("run.toml")).expect("run.toml");
    let params = &toml[toml.find("[config.params]").expect("a params table")..];
    assert!(params.contains("cut_radius = 0.3\n"), "{params}");
    assert!(params.contains("w_untried = 0.8\n"), "{params}");
    assert!(params.contains("cruise_speed = 4.0\n"), "{params}");
    let bad = temp_dir_path("bench-bad-param");
    let mut args = base.to_vec();
    let bad_dir = bad.0.to_str().expect("utf-8");
    args.extend(["--param", "cut_radius=-1", "--out", bad_dir]);
    let o = sns(&args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cut_radius"), "{err}");
    assert!(!bad.0.exists(), "the bench wrote {bad_dir}");
}

/// On a control world `--param` sets the control agent's parameters (`SystemParams`): the run
/// with `hold_control=false` differs from the default one (on), and `sns bench` archives the value in
/// run.toml's `system_params`; a name that neither agent has is refused.
#[test]
fn control_params_are_applied_and_archived() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--world",
            "pendulum",
            "--trials",
            "1",
            "--max-steps",
            "3000",
            "--quiet",
            "--json",
        ];
        args.extend(extra);
        let o = sns(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        // What the run did, without its timings.
        String::from_utf8(o.stdout)
            .expect("utf-8")
            .lines()
            .filter(|l| !l.contains("wall_time") && !l.contains("steps_per_second"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let plain = run(&[]);
    assert_eq!(plain, run(&["--param", "hold_control=true"]));
    assert_ne!(plain, run(&["--param", "hold_control=false"]));
    let out = temp_dir_path("bench-control-param");
    let dir = out.0.to_str().expect("utf-8");
    let o = sns(&[
        "bench",
        "--quiet",
        "--agents",
        "sns",
        "--worlds",
        "mountaincar",
        "--seeds",
        "1",
        "--trials",
        "1",
        "--param",
        "hold_effort=2",
        "--out",
        dir,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let toml = std::fs::read_to_string(out.0.join("run.toml")).expect("run.toml");
    let system = &toml[toml
        .find("[config.system_params]")
        .expect("a system_params table")..];
    assert!(system.contains("hold_effort = 2.0\n"), "{system}");
    assert!(system.contains("cell = 0.015625\n"), "{system}");
    let bad = temp_dir_path("bench-control-bad-param");
    let o = sns(&[
        "bench",
        "--quiet",
        "--agents",
        "sns",
        "--worlds",
        "mountaincar",
        "--seeds",
        "1",
        "--param",
        "nonsense=1",
        "--out",
        bad.0.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("neither a maze nor a control-world parameter"));
}

/// The constants that lived in function bodies (plan read-out, stall and blocking thresholds,
/// timeouts, the controller's corner overshoot and forgetting, ...) are parameters: set with
/// `--param`, archived in run.toml, checked. Every name run.toml records is a name `--param`
/// takes, and back: a bench that sets each archived parameter to its own archived value runs.
#[test]
fn every_archived_parameter_is_settable_by_name() {
    let out = temp_dir_path("bench-every-param");
    let dir = out.0.to_str().expect("utf-8");
    let base = [
        "bench", "--quiet", "--agents", "sns", "--mazes", "u", "--seeds", "1", "--trials", "1",
    ];
    let mut args = base.to_vec();
    args.extend(["--param", "plan_ahead=5", "--param", "forgetting=0.99"]);
    args.extend(["--out", dir]);
    let o = sns(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let toml = std::fs::read_to_string(out.0.join("run.toml")).expect("run.toml");
    let params = &toml[toml.find("[config.params]").expect("a params table")..];
    assert!(params.contains("plan_ahead = 5.0\n"), "{params}");
    assert!(params.contains("forgetting = 0.99\n"), "{params}");
    assert!(params.contains("timeout_slack = 300\n"), "{params}");
    let pairs: Vec<String> = params
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    assert!(pairs.len() > 45, "{pairs:?}");
    let again = temp_dir_path("bench-every-param-again");
    let mut args = base.to_vec();
    for p in &pairs {
        args.extend(["--param", p.as_str()]);
    }
    args.extend(["--out", again.0.to_str().expect("utf-8")]);
    let o = sns(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    rejects(
        &["--maze", "u", "--param", "plan_ahead=2"],
        &["--param", "plan_ahead must be"],
    );
}

/// Search mode from the command line: SNS finds a goal it does not sense; the agents that steer
/// by the goal's position are refused with one line.
#[test]
fn hide_goal_searches_and_refuses_agents_that_need_the_goal() {
    let o = sns(&[
        "run",
        "--quiet",
        "--maze",
        "medium",
        "--trials",
        "2",
        "--hide-goal",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["hide_goal"], true);
    for t in v["trials"].as_array().expect("trials") {
        assert_eq!(t["success"], true, "{t}");
    }
    for agent in ["bug2", "dstar", "oracle"] {
        let o = sns(&[
            "run",
            "--quiet",
            "--maze",
            "u",
            "--hide-goal",
            "--agent",
            agent,
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(agent) && err.contains("--hide-goal"), "{err}");
    }
}

/// Regression: a bench `--out` that is a file said only "File exists".
#[test]
fn bench_out_must_be_a_folder() {
    let file = temp_map("not a folder\n");
    let f = file.path();
    let o = sns(&[
        "bench", "--quiet", "--agents", "oracle", "--mazes", "u", "--seeds", "1", "--out", f,
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(f) && err.contains("must be a folder"), "{err}");
    assert_eq!(
        std::fs::read_to_string(f).expect("still there"),
        "not a folder\n"
    );
}

/// A scenario file under the temp folder, removed when dropped.
fn temp_scenario(text: &str) -> TempMap {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let p = std::env::temp_dir().join(format!("sns-cli-scn-{}-{n}.toml", std::process::id()));
    std::fs::write(&p, text).expect("write temp scenario");
    TempMap(p)
}

/// Regression: a change at a trial beyond `--trials` was accepted and never fired.
#[test]
fn a_scenario_change_that_never_fires_is_refused() {
    let sc = temp_scenario("maze = \"u\"\nstart = [3, 1]\ngoal = [1, 1]\n[[change]]\nbefore_trial = 3\nwall = [[1, 3]]\n");
    let f = sc.path();
    // `rejects` runs one trial.
    rejects(
        &["--scenario", f],
        &[f, "never fires", "the run has 1 trial"],
    );
    let o = sns(&[
        "bench",
        "--quiet",
        "--agents",
        "oracle",
        "--scenarios",
        f,
        "--trials",
        "2",
        "--seeds",
        "1",
        "--out",
        "/nonexistent/never-written",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("never fires"), "{err}");
}

/// Regression: a change that closed every way to the goal, without walling the goal cell itself,
/// was accepted (the task became impossible by fiat).
#[test]
fn a_scenario_change_that_walls_in_the_goal_is_refused() {
    let sc = temp_scenario("maze = \"u\"\ntrials = 2\nstart = [3, 1]\ngoal = [1, 1]\n[[change]]\nbefore_trial = 2\nwall = [[2, 3]]\n");
    let f = sc.path();
    rejects(&["--scenario", f], &[f, "walls in", "(1,1)"]);
}

/// Regression: `--agent sns:neural --substrate symbolic` ran the neural substrate in silence, and
/// `--substrate` was ignored for the baselines.
#[test]
fn contradictory_substrates_are_refused() {
    rejects(
        &[
            "--maze",
            "u",
            "--agent",
            "sns:neural",
            "--substrate",
            "symbolic",
        ],
        &["--agent", "--substrate symbolic"],
    );
    rejects(
        &["--maze", "u", "--agent", "bug2", "--substrate", "neural"],
        &["--substrate", "bug2"],
    );
}

/// Regression: `--param dt` was refused as unknown although `MazeParams::check` has a rule for it.
/// It is accepted; a value other than the world's step is warned about.
#[test]
fn param_dt_is_settable_and_checked() {
    let o = sns(&[
        "run", "--maze", "u", "--trials", "1", "--quiet", "--json", "--param", "dt=0.02",
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.starts_with("warning: --param dt=0.02"), "{err}");
    let o = sns(&[
        "run", "--maze", "u", "--trials", "1", "--quiet", "--json", "--param", "dt=0.01",
    ]);
    assert!(
        o.status.success() && stderr(&o).is_empty(),
        "{}",
        stderr(&o)
    );
    rejects(
        &["--maze", "u", "--param", "dt=0"],
        &["--param", "dt must be"],
    );
}

/// Regression: the README's first command drew a 0.76 m task on large (seed 0). Mazes with OGBench
/// tasks now default to task 1, which crosses the maze; `--task random` keeps PointMaze's draw.
#[test]
fn the_default_task_crosses_the_maze() {
    let l_star = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--maze",
            "large",
            "--trials",
            "1",
            "--max-steps",
            "10",
            "--json",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let o = sns(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
        v["shortest_path"].as_f64().expect("L*")
    };
    let default = l_star(&[]);
    assert_eq!(default, l_star(&["--task", "1"]));
    assert!(default > 11.0, "{default}");
    assert!(l_star(&["--task", "random"]) < 1.0);
    // A pinned cell turns the default off: the other end is drawn.
    assert_ne!(l_star(&["--start", "1,1"]), default);
    let o = sns(&["run", "--help"]);
    let help = stdout(&o);
    assert!(
        help.contains("random") && help.contains("Default: task 1"),
        "{help}"
    );
}

/// The example outputs in the README are what the commands print (a session changed the agent's
/// decisions on `large` and the README kept the old table): every `$ cargo run --release -- ARGS`
/// block of the README that shows an output is run as `sns ARGS --quiet` and its lines compared,
/// the speed aside (it is machine-dependent: the README shows it as `...` or not at all).
#[test]
fn the_readme_examples_are_what_the_commands_print() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let without_speed = |line: &str| match line.find("speed:") {
        Some(i) => line[..i].trim_end().to_string(),
        None => line.trim_end().to_string(),
    };
    let mut lines = readme.lines();
    let mut checked = 0;
    while let Some(line) = lines.next() {
        let Some(cmd) = line.trim().strip_prefix("$ cargo run --release -- ") else {
            continue;
        };
        let shown: Vec<String> = lines
            .by_ref()
            .take_while(|l| l.starts_with("    "))
            .map(|l| without_speed(&l[4..]))
            .filter(|l| !l.is_empty())
            .collect();
        if shown.is_empty() {
            // A command shown without its output (one that writes files).
            continue;
        }
        let mut args: Vec<&str> = cmd.split_whitespace().collect();
        args.push("--quiet");
        let o = sns(&args);
        assert!(o.status.success(), "sns {args:?}: {}", stderr(&o));
        let printed: Vec<String> = stdout(&o)
            .lines()
            .map(without_speed)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(printed, shown, "README block of `{cmd}`");
        checked += 1;
    }
    assert!(
        checked >= 2,
        "the README's examples were not found ({checked})"
    );
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
    // A 300x300 map (300 m a side) at 0.05 m would need 36 million cells (1.5 GB).
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
        run_clap_rejects(&["--maze", "large", "--task", t], &["--task", "random"]);
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
        run_clap_rejects(&["--maze", "u", flag, v], &[flag]);
    }
    run_clap_rejects(&["--maze", "u", "--dynamics", "fast"], &["--dynamics"]);
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
        clap_rejects(&["bench", "--quiet", flag, v], &[flag]);
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

/// Runs `prog args` in `repo` (git with a committer set), asserting it succeeds.
fn in_repo(repo: &std::path::Path, prog: &str, args: &[&str]) {
    let o = Command::new(prog)
        .args(args)
        .current_dir(repo)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .output()
        .expect("run in the temp repo");
    assert!(o.status.success(), "{prog} {args:?}: {}", stderr(&o));
}

/// A new git repository in a fresh temporary folder named after `name`.
fn temp_repo(name: &str) -> std::path::PathBuf {
    let repo = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo).expect("temp repo");
    in_repo(&repo, "git", &["init", "-q"]);
    repo
}

/// A one-run benchmark in `repo` into `out`; its run.toml.
fn bench_in(repo: &std::path::Path, out: &str) -> String {
    in_repo(
        repo,
        env!("CARGO_BIN_EXE_sns"),
        &[
            "bench", "--agents", "oracle", "--mazes", "u", "--seeds", "1", "--trials", "1",
            "--out", out, "--quiet",
        ],
    );
    std::fs::read_to_string(repo.join(out).join("run.toml")).expect("run.toml")
}

/// Regression: `run.toml` read the git state after the benchmark had written its own outputs, so
/// a benchmark into a tracked folder (as `bench/full` is here) always said `dirty = true`.
#[test]
fn a_bench_into_a_tracked_folder_of_a_clean_tree_is_not_dirty() {
    let repo = temp_repo("sns-dirty");
    bench_in(&repo, "out");
    in_repo(&repo, "git", &["add", "out"]);
    in_repo(&repo, "git", &["commit", "-q", "-m", "first bench"]);
    let meta = bench_in(&repo, "out");
    let _ = std::fs::remove_dir_all(&repo);
    assert!(meta.contains("dirty = false"), "{meta}");
}

/// Regression: a benchmark run after another had rewritten its archive in `bench/` said
/// `dirty = true`, though the code was the commit's (session 10: archives are not code); a change
/// to a tracked file outside `bench/` still makes it dirty.
#[test]
fn archives_in_bench_do_not_make_the_tree_dirty_but_code_does() {
    let repo = temp_repo("sns-dirty-bench");
    std::fs::write(repo.join("code.txt"), "1").expect("write");
    bench_in(&repo, "bench/a");
    in_repo(&repo, "git", &["add", "code.txt", "bench"]);
    in_repo(&repo, "git", &["commit", "-q", "-m", "first bench"]);
    // Rewrites the tracked archive bench/a (its timings change), then runs another.
    bench_in(&repo, "bench/a");
    let after_archive = bench_in(&repo, "bench/b");
    std::fs::write(repo.join("code.txt"), "2").expect("write");
    let after_code = bench_in(&repo, "bench/c");
    let _ = std::fs::remove_dir_all(&repo);
    assert!(after_archive.contains("dirty = false"), "{after_archive}");
    assert!(after_code.contains("dirty = true"), "{after_code}");
}

// Classic-control worlds (issue 12, section 3).

const CONTROL_WORLDS: [&str; 5] = [
    "mountaincar",
    "pendulum",
    "acrobot",
    "acrobot-continuous",
    "cartpole-swingup",
];

/// `sns run ARGS --json --quiet`, parsed, after checking that it succeeded.
fn run_json(args: &[&str]) -> Value {
    let mut full = vec!["run", "--json", "--quiet"];
    full.extend_from_slice(args);
    let o = sns(&full);
    assert!(o.status.success(), "sns {full:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("stdout is one JSON object")
}

#[test]
fn worlds_lists_the_control_worlds_then_the_mazes() {
    let o = sns(&["worlds"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let first: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let at = |n: &str| {
        first
            .iter()
            .position(|x| *x == n)
            .unwrap_or_else(|| panic!("{n} missing:\n{out}"))
    };
    let last_control = CONTROL_WORLDS.iter().map(|w| at(w)).max().expect("five");
    for m in ["u", "open", "medium", "large", "giant"] {
        assert!(at(m) > last_control, "{m} before a control world:\n{out}");
    }
    // Each control world says its state dimension, action and success.
    for w in CONTROL_WORLDS {
        let i = out
            .find(&format!("\n{w} "))
            .expect("listed at a line start")
            + 1;
        let entry: String = out[i..].lines().take(2).collect::<Vec<_>>().join(" ");
        for part in ["state ", "action ", "success "] {
            assert!(entry.contains(part), "{w}: {entry}");
        }
    }
    assert!(
        out.contains("perfect:"),
        "the generators are listed:\n{out}"
    );
}

/// The oracle's own run: success in every trial, in about the oracle's minimum (its grid's
/// error: measured 0 to 4 steps on seeds 0-9, docs/CONTROL.md), and the JSON has the keys of
/// a maze run plus `world`.
#[test]
fn run_world_mountaincar_oracle_json() {
    let v = run_json(&["--world", "mountaincar", "--agent", "oracle"]);
    assert_eq!(v["world"], "mountaincar");
    assert_eq!(v["maze"], Value::Null);
    assert_eq!(v["dynamics"], "MountainCarContinuous-v0");
    assert_eq!(v["agent"], "oracle");
    assert_eq!(v["start"].as_array().map(Vec::len), Some(2));
    let trials = v["trials"].as_array().expect("trials");
    assert_eq!(trials.len(), 3);
    for t in trials {
        assert_eq!(t["success"], true, "{t}");
        let steps = t["steps"].as_u64().expect("steps");
        let opt = t["optimal_steps"].as_u64().expect("optimal_steps");
        assert!(steps.abs_diff(opt) <= 4, "{t}");
        let ret = t["return"].as_f64().expect("return");
        // 100 at the goal, less 0.1 a^2 per step with |a| <= 1.
        assert!(
            ret >= 100.0 - 0.1 * steps as f64 - 1e-9 && ret < 100.0,
            "{t}"
        );
    }
    let maze = run_json(&["--maze", "u", "--trials", "1", "--max-steps", "20"]);
    let keys = |v: &Value| -> std::collections::BTreeSet<String> {
        v.as_object().expect("object").keys().cloned().collect()
    };
    let mut want = keys(&maze);
    want.insert("world".into());
    assert_eq!(keys(&v), want);
    // The pendulum's oracle swings up and holds; seed 0's claim is met within a step.
    let p = run_json(&["--world", "pendulum", "--agent", "oracle", "--trials", "1"]);
    let t = &p["trials"][0];
    assert_eq!(t["success"], true, "{t}");
    let (steps, opt) = (t["steps"].as_u64(), t["optimal_steps"].as_u64());
    assert!(
        steps
            .zip(opt)
            .is_some_and(|(s, o)| s.abs_diff(o) <= 1 && s >= 100),
        "{t}"
    );
}

#[test]
fn random_runs_on_every_control_world() {
    for w in CONTROL_WORLDS {
        let v = run_json(&[
            "--world",
            w,
            "--agent",
            "random",
            "--trials",
            "2",
            "--max-steps",
            "300",
            "--seed",
            "3",
        ]);
        assert_eq!(v["world"], w);
        assert_eq!(v["seed"], 3);
        let trials = v["trials"].as_array().expect("trials");
        assert_eq!(trials.len(), 2, "{w}");
        for t in trials {
            let steps = t["steps"].as_u64().expect("steps");
            assert!(
                steps == 300 || (t["success"] == true && steps < 300),
                "{w}: {t}"
            );
            assert!(t["return"].as_f64().is_some_and(f64::is_finite), "{w}: {t}");
            // Every world has an oracle (grid on the 2-D worlds, search on the 4-D ones).
            assert!(t["optimal_steps"].is_u64(), "{w}: {t}");
        }
        // The table, too.
        let o = sns(&[
            "run",
            "--world",
            w,
            "--agent",
            "random",
            "--trials",
            "1",
            "--max-steps",
            "50",
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.contains(&format!("world {w} ")) && out.contains("steps/optimal"),
            "{out}"
        );
    }
}

#[test]
fn control_world_errors_are_one_line() {
    rejects(
        &["--world", "mountainca"],
        &["--world", "mountaincar", "mountainca"],
    );
    rejects(
        &["--world", "pendulum", "--agent", "oracle", "--hide-goal"],
        &["--hide-goal"],
    );
    rejects(
        &[
            "--world",
            "pendulum",
            "--agent",
            "sns:neural",
            "--dims",
            "100",
        ],
        &["--dims 100", "multiple of 12"],
    );
    rejects(
        &[
            "--world",
            "acrobot",
            "--agent",
            "sns:neural",
            "--self-motion",
        ],
        &["--self-motion", "acrobot"],
    );
    rejects(
        &["--world", "pendulum", "--dims", "48"],
        &["--dims", "neural substrate"],
    );
    // On a control world --param sets the control agent's parameters: a maze agent's is
    // unknown there, and a value out of range is refused before anything runs.
    rejects(
        &["--world", "pendulum", "--param", "lattice0=1"],
        &["--param", "unknown parameter 'lattice0'"],
    );
    rejects(
        &["--world", "pendulum", "--param", "hold_effort=-1"],
        &["--param", "hold_effort"],
    );
    rejects(&["--world", "pendulum", "--agent", "bug2"], &["mazes only"]);
    rejects(
        &["--world", "pendulum", "--task", "1"],
        &["--task", "pendulum"],
    );
    rejects(
        &["--world", "cartpole-swingup", "--plot", "x.txt"],
        &["--plot", "x.txt", "svg or .png"],
    );
    rejects(
        &[
            "--world",
            "pendulum",
            "--report",
            "no-such-folder-sns/x.html",
        ],
        &["--report", "no-such-folder-sns", "does not exist"],
    );
    rejects(
        &["--world", "acrobot", "--report", "x.svg"],
        &["--report", "x.svg", "html"],
    );
    run_clap_rejects(&["--world", "pendulum", "--maze", "u"], &["--maze"]);
    // A maze by --world runs as by --maze.
    let v = run_json(&["--world", "u", "--trials", "1", "--max-steps", "20"]);
    assert_eq!(v["maze"], "u");
    assert!(v.get("world").is_none());
}

#[test]
fn control_scenario_values_are_checked_with_file_line_col() {
    let sc = temp_scenario("world = \"pendulum\"\n[params]\nm = -1\n");
    let f = sc.path();
    rejects(&["--scenario", f], &[f, "line 3, column 5", "out of range"]);
    let sc = temp_scenario(
        "world = \"mountaincar\"\n[[change]]\nbefore_trial = 2\nset = { horsepower = 2 }\n",
    );
    let f = sc.path();
    rejects(
        &["--scenario", f],
        &[f, "line 4, column 9", "horsepower", "power"],
    );
    // A valid one runs, and its changes are reported when they happen.
    let sc = temp_scenario(
        "world = \"pendulum\"\ntrials = 2\n[params]\nm = 1.5\n\
         [[change]]\ntrial = 2\nstep = 5\nset = { max_torque = 1.0 }\n",
    );
    rejects(
        &["--scenario", sc.path(), "--world", "acrobot"],
        &["--world acrobot", "pendulum"],
    );
    let v = run_json(&[
        "--scenario",
        sc.path(),
        "--agent",
        "random",
        "--max-steps",
        "20",
    ]);
    assert_eq!(v["world"], "pendulum");
    let ch = v["changes"].as_array().expect("changes");
    assert_eq!(ch.len(), 1);
    assert_eq!(
        (ch[0]["trial"].as_u64(), ch[0]["step"].as_u64()),
        (Some(2), Some(5))
    );
}

#[test]
fn bench_worlds_writes_one_runs_csv_for_mazes_and_control_worlds() {
    let out = temp_dir_path("bench-worlds");
    let dir = out.0.to_str().expect("utf-8");
    let o = sns(&[
        "bench",
        "--quiet",
        "--agents",
        "random,oracle",
        "--worlds",
        "mountaincar,pendulum",
        "--seeds",
        "2",
        "--trials",
        "2",
        "--max-steps",
        "300",
        "--out",
        dir,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.0.join("runs.csv")).expect("runs.csv");
    assert_eq!(
        text.lines().next(),
        Some(sns_harness::bench::RUNS_COLUMNS.join(",").as_str())
    );
    let rows: Vec<sns_harness::bench::BenchRow> = csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("valid rows");
    assert_eq!(rows.len(), 2 * 2 * 2 * 2);
    for r in &rows {
        assert!(r.maze == "mountaincar" || r.maze == "pendulum", "{r:?}");
        assert!(r.ret.is_some() && r.optimal_steps.is_some(), "{r:?}");
        assert!(
            r.path_length.is_none() && r.shortest_path.is_none(),
            "{r:?}"
        );
        if r.agent == "oracle" {
            assert!(r.success, "{r:?}");
        }
    }
    let summary = std::fs::read_to_string(out.0.join("summary.md")).expect("summary.md");
    assert!(
        summary.contains("steps/optimal T1") && summary.contains("return TK"),
        "{summary}"
    );
    let meta = std::fs::read_to_string(out.0.join("run.toml")).expect("run.toml");
    assert!(meta.contains("mountaincar = mountaincar"), "{meta}");
    // Mazes and control worlds in one file.
    let mixed = temp_dir_path("bench-mixed");
    let mdir = mixed.0.to_str().expect("utf-8");
    let o = sns(&[
        "bench",
        "--quiet",
        "--agents",
        "random",
        "--mazes",
        "u",
        "--worlds",
        "acrobot",
        "--seeds",
        "1",
        "--trials",
        "1",
        "--max-steps",
        "100",
        "--dynamics",
        "kinematic",
        "--out",
        mdir,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: Vec<sns_harness::bench::BenchRow> = csv::Reader::from_path(mixed.0.join("runs.csv"))
        .expect("runs.csv")
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("valid rows");
    let kinds: Vec<(&str, bool)> = rows
        .iter()
        .map(|r| (r.maze.as_str(), r.ret.is_some()))
        .collect();
    assert_eq!(kinds, vec![("u", false), ("acrobot", true)]);
    let summary = std::fs::read_to_string(mixed.0.join("summary.md")).expect("summary.md");
    assert!(
        summary.contains("path/L* T1") && summary.contains("steps/optimal T1"),
        "{summary}"
    );
}

/// `--plot` and `--report` on every control world: both files are written, the PNG decodes at
/// the phase portrait's size, the page embeds the run's states (its start and every step of
/// every trial) and its places, and the JSON is the run's without them.
#[test]
fn plot_and_report_are_written_for_every_control_world() {
    let dir = temp_dir_path("control-viz");
    std::fs::create_dir_all(&dir.0).expect("dir");
    for w in CONTROL_WORLDS {
        let png = dir.0.join(format!("{w}.png"));
        let html = dir.0.join(format!("{w}.html"));
        let v = run_json(&[
            "--world",
            w,
            "--trials",
            "2",
            "--max-steps",
            "300",
            "--plot",
            png.to_str().expect("utf-8"),
            "--report",
            html.to_str().expect("utf-8"),
        ]);
        let trials = v["trials"].as_array().expect("trials");
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(&png).expect("the PNG is written"),
        ));
        let reader = decoder.read_info().expect("the PNG decodes");
        let kind: sns_harness::ControlWorldKind = w.parse().expect("a control world");
        assert_eq!(
            (reader.info().width, reader.info().height),
            sns_viz::control::picture_size(kind),
            "{w}"
        );
        let page = std::fs::read_to_string(&html).expect("the page is written");
        let start = page.find("id=\"sns-data\">").expect("data slot") + "id=\"sns-data\">".len();
        let end = start + page[start..].find("</script>").expect("end of data");
        let data: Value = serde_json::from_str(&page[start..end]).expect("JSON");
        assert_eq!(data["meta"]["world"], *w);
        let rec = data["rec"]["trials"].as_array().expect("recorded trials");
        assert_eq!(rec.len(), trials.len(), "{w}");
        for (r, t) in rec.iter().zip(trials) {
            let steps = t["steps"].as_u64().expect("steps");
            let samples = r["samples"].as_array().expect("samples");
            assert_eq!(samples.len() as u64, steps + 1, "{w}");
            assert_eq!(
                r["t1"].as_u64().zip(r["t0"].as_u64()).map(|(a, b)| a - b),
                Some(steps)
            );
            for (i, x) in samples[0][2].as_array().expect("state").iter().enumerate() {
                let s = v["start"][i].as_f64().expect("start");
                // The recorded state is sensed: angles wrapped into [-pi, pi).
                let d = (x.as_f64().expect("number") - s).abs();
                assert!(
                    d < 1e-6 || (d - std::f64::consts::TAU).abs() < 1e-6,
                    "{w}: {d}"
                );
            }
        }
        assert!(data["rec"]["places_total"].as_u64() > Some(0), "{w}");
        assert!(v.get("rec").is_none() && v.get("places").is_none());
    }
}

/// `--agent sns:neural` runs on every control world (the state-space code laid out from the
/// task, or as `--dims` asks) and solves mountaincar; `sns bench` runs it beside `sns`.
#[test]
fn the_neural_substrate_runs_on_control_worlds() {
    let v = run_json(&[
        "--world",
        "mountaincar",
        "--agent",
        "sns:neural",
        "--trials",
        "2",
        "--max-steps",
        "2000",
    ]);
    assert_eq!(v["substrate"], "neural");
    let trials = v["trials"].as_array().expect("trials");
    assert!(trials.iter().all(|t| t["success"] == true), "{v}");
    assert!(trials[0]["steps"].as_u64().expect("steps") <= 1000, "{v}");
    for w in [
        "pendulum",
        "acrobot",
        "acrobot-continuous",
        "cartpole-swingup",
    ] {
        let v = run_json(&[
            "--world",
            w,
            "--agent",
            "sns:neural",
            "--trials",
            "1",
            "--max-steps",
            "50",
        ]);
        assert_eq!(v["world"], w);
        assert_eq!(v["trials"][0]["steps"].as_u64(), Some(50), "{v}");
    }
    let a = run_json(&[
        "--world",
        "pendulum",
        "--agent",
        "sns:neural",
        "--dims",
        "48",
        "--trials",
        "1",
        "--max-steps",
        "300",
    ]);
    let b = run_json(&[
        "--world",
        "pendulum",
        "--agent",
        "sns:neural",
        "--trials",
        "1",
        "--max-steps",
        "300",
    ]);
    assert_ne!(
        a["trials"][0]["return"], b["trials"][0]["return"],
        "--dims changes the code, and so the run"
    );
    let out = temp_dir_path("bench-neural-control");
    let dir = out.0.to_str().expect("utf-8");
    let o = sns(&[
        "bench",
        "--quiet",
        "--agents",
        "sns,sns:neural",
        "--worlds",
        "mountaincar",
        "--seeds",
        "1",
        "--trials",
        "1",
        "--max-steps",
        "1500",
        "--out",
        dir,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.0.join("runs.csv")).expect("runs.csv");
    let rows: Vec<sns_harness::bench::BenchRow> = csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("valid rows");
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().any(|r| r.agent == "sns:neural" && r.success),
        "{rows:?}"
    );
}

/// Regressions from a hostile test of the command line: each input below was accepted in
/// silence, hung, panicked or was reported without its place.
#[test]
fn hostile_inputs_are_refused_where_they_are_written() {
    // `rate-maps --dims` had no upper limit: a huge value panicked with a backtrace.
    clap_rejects(
        &[
            "rate-maps",
            "--maze",
            "u",
            "--out",
            "/nonexistent/r.png",
            "--dims",
            "18446744073709551612",
        ],
        &["--dims", "1..=1536"],
    );
    // A scenario's cell of three numbers was read as its first two.
    let sc = temp_scenario("maze = \"u\"\nstart = [1, 1, 1]\n");
    rejects(
        &["--scenario", sc.path()],
        &[
            sc.path(),
            "line 2, column 9",
            "start must be a cell [row, col]",
        ],
    );
    let sc = temp_scenario(
        "maze = \"u\"\ntrials = 2\n[[change]]\nbefore_trial = 2\nwall = [[1, 3, 5]]\n",
    );
    rejects(
        &["--scenario", sc.path()],
        &[sc.path(), "line 5, column 9", "[row, col], not 3 numbers"],
    );
    // Cells on walls and bad task numbers were reported without a line.
    let sc = temp_scenario("maze = \"u\"\ngoal = [0, 0]\n");
    rejects(
        &["--scenario", sc.path()],
        &[sc.path(), "line 2, column 8", "goal", "wall"],
    );
    let sc = temp_scenario("maze = \"large\"\ntask = 9\n");
    rejects(
        &["--scenario", sc.path()],
        &[sc.path(), "line 2, column 8", "task 9"],
    );
    let sc = temp_scenario("maze = \"nonexistent-maze\"\n");
    rejects(
        &["--scenario", sc.path()],
        &[sc.path(), "line 1, column 8", "unknown maze"],
    );
    // Neither or both of `maze` and `world`.
    let sc = temp_scenario("description = \"empty\"\n");
    rejects(&["--scenario", sc.path()], &["`maze`", "`world`"]);
    let sc = temp_scenario("world = \"pendulum\"\nmaze = \"u\"\n");
    rejects(
        &["--scenario", sc.path()],
        &[sc.path(), "line 2, column 1", "not both"],
    );
    // A maze change after the step budget never fires.
    let sc = temp_scenario(
        "maze = \"u\"\nstart = [3, 1]\ngoal = [1, 1]\n[[change]]\ntrial = 1\nstep = 500\nwall = [[1, 3]]\n",
    );
    rejects(
        &["--scenario", sc.path()],
        &[sc.path(), "never fires", "--max-steps"],
    );
    // The command line's maze or world silently gave way to the scenario's.
    rejects(
        &[
            "--maze",
            "u",
            "--scenario",
            "../../scenarios/mountaincar-half-power.toml",
        ],
        &["--maze u", "contradicts", "mountaincar"],
    );
    rejects(
        &[
            "--world",
            "pendulum",
            "--scenario",
            "../../scenarios/large-door-closes.toml",
        ],
        &["--world pendulum", "contradicts", "large"],
    );
    // A control parameter out of range says its range; a huge value is not spelled in digits.
    let err = rejects(
        &["--world", "mountaincar", "--param", "cell=1e-9"],
        &["cell", "1e-9", "[1e-6, 0.5]"],
    );
    assert!(!err.contains("0000000"), "{err}");
    let sc = temp_scenario("world = \"pendulum\"\n[params]\nl = 1e300\n");
    let err = rejects(&["--scenario", sc.path()], &["1e300", "out of range"]);
    assert!(!err.contains("0000000000"), "{err}");
    // Generated mazes below a generator's size were silently built bigger.
    rejects(
        &["--maze", "perfect:1x1:0"],
        &["perfect:1x1:0", "[2, 1000]"],
    );
    // `goal_tolerance = 0` (allowed) took the fixed goal for a new one at every step: a node per
    // step, and a 2000-step run slowed to 38 steps per second.
    let v = run_json(&[
        "--maze",
        "u",
        "--trials",
        "1",
        "--max-steps",
        "2000",
        "--param",
        "goal_tolerance=0",
    ]);
    assert_eq!(v["trials"][0]["success"], true, "{v}");
    assert!(v["graph"]["nodes"].as_u64() < Some(200), "{}", v["graph"]);
}

/// Regression: a generated maze named in a scenario outside the working folder was looked up
/// as a file next to the scenario (`sc/perfect:5x5:1`).
#[test]
fn a_scenario_names_a_generated_maze_from_any_folder() {
    let dir = temp_dir_path("scn-gen");
    std::fs::create_dir_all(&dir.0).expect("dir");
    let f = dir.0.join("gen.toml");
    std::fs::write(&f, "maze = \"perfect:5x5:1\"\ntrials = 1\n").expect("write");
    let f = f.to_str().expect("utf-8");
    let v = run_json(&["--scenario", f, "--agent", "random", "--max-steps", "20"]);
    assert_eq!(v["maze"], "perfect:5x5:1", "{v}");
}

/// Regression: `sns plot` said "not a directory" of a folder that does not exist, and "no rows
/// to plot" when runs.csv was a folder; `--out` in a missing folder named the temporary file.
#[test]
fn plot_and_output_errors_say_what_is_missing() {
    let o = sns(&["plot", "/nonexistent/bench-out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such folder"), "{}", stderr(&o));
    let dir = temp_dir_path("plot-dir");
    std::fs::create_dir_all(dir.0.join("runs.csv")).expect("dir");
    let o = sns(&["plot", dir.0.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no runs.csv file"), "{}", stderr(&o));
    let o = sns(&[
        "rate-maps",
        "--maze",
        "u",
        "--out",
        "/nonexistent/dir/r.png",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("/nonexistent/dir does not exist"), "{err}");
    assert!(
        !err.contains(".r.png."),
        "the temporary file is named: {err}"
    );
}
