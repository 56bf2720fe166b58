//! Integration tests of the pictures, the replay page and the benchmark plots.

use quick_xml::events::Event;
use quick_xml::Reader;
use sns_harness::{run, run_recorded, AgentSpec, RecordSpec, Recorder, RunResult, RunSpec};
use sns_viz::picture::{trial_color, EDGE_COLOR, NODE_COLOR, WALL_COLOR};
use sns_viz::{bench_plot, picture, report, VizError};
use std::collections::HashMap;
use std::path::PathBuf;

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sns-viz-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// One element of an SVG: its name and attributes.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: HashMap<String, String>,
}

/// Parses `svg` as XML (failing on any malformation) and returns its elements and texts.
fn parse_svg(svg: &str) -> (Vec<Element>, Vec<String>) {
    let mut reader = Reader::from_str(svg);
    reader.config_mut().check_end_names = true;
    let (mut elements, mut texts, mut depth) = (Vec::new(), Vec::new(), 0i32);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                if e.name().as_ref() != b"svg" {
                    assert!(depth > 0, "element outside the root <svg>");
                }
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            a.unescape_value().expect("attribute value").into_owned(),
                        )
                    })
                    .collect();
                elements.push(Element {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    attrs,
                });
                if svg.as_bytes()[reader.buffer_position() as usize - 2] != b'/' {
                    depth += 1;
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Text(t)) => texts.push(t.decode().expect("text").trim().to_string()),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed SVG at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    assert_eq!(elements.first().map(|e| e.name.as_str()), Some("svg"));
    (elements, texts)
}

fn count(elements: &[Element], name: &str, attr: &str, value: &str) -> usize {
    elements
        .iter()
        .filter(|e| e.name == name && e.attrs.get(attr).map(String::as_str) == Some(value))
        .count()
}

fn small_run(trials: u32) -> RunResult {
    let spec = RunSpec {
        maze: "u".into(),
        trials,
        record_every: 5,
        ..RunSpec::default()
    };
    run(&spec, &AgentSpec::default(), &mut |_| {}).expect("run")
}

#[test]
fn run_svg_is_well_formed_with_walls_one_polyline_per_trial_and_nodes() {
    let r = small_run(3);
    let svg = picture::run_svg(&r).expect("svg");
    let (elements, texts) = parse_svg(&svg);
    let map = r.map.as_ref().expect("map");
    let walls = map.cells_where(|c| !c.is_free()).len();
    assert_eq!(count(&elements, "rect", "fill", &hex(WALL_COLOR)), walls);
    for t in &r.trials {
        let c = hex(trial_color(t.trial, 3));
        assert_eq!(
            count(&elements, "polyline", "stroke", &c),
            1,
            "trial {}",
            t.trial
        );
    }
    let snap = r.snapshot.as_ref().expect("SNS has a graph");
    assert!(!snap.nodes.is_empty());
    // One circle per node, and one more as the legend's symbol.
    assert_eq!(
        count(&elements, "circle", "fill", &hex(NODE_COLOR)),
        snap.nodes.len() + 1
    );
    assert_eq!(
        count(&elements, "polyline", "stroke", &hex(EDGE_COLOR)),
        snap.edges.len()
    );
    assert!(texts.iter().any(|t| t.contains("trials")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("goal")));
}

#[test]
fn png_and_bad_extensions() {
    let dir = scratch("png");
    let r = small_run(1);
    let png = dir.join("run.png");
    picture::write_run_picture(&r, &png).expect("png");
    let bytes = std::fs::read(&png).expect("read png");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 5000, "{} bytes", bytes.len());
    let e = picture::write_run_picture(&r, &dir.join("run.jpg")).expect_err("must fail");
    assert!(matches!(e, VizError::Format { .. }), "{e}");
    let e = picture::write_run_picture(&r, &dir.join("missing/run.svg")).expect_err("must fail");
    assert!(matches!(e, VizError::Io { .. }), "{e}");
}

/// Regression: plotters strokes a thick path with unlimited mitred joins, so where a trajectory
/// turned back on itself the PNG showed a spike shooting out of the maze (seen on a 41x41 maze).
/// A trajectory that zig-zags up and down in the top row of `u` must leave no ink in the bottom
/// part of the maze.
#[test]
fn png_trajectory_that_turns_back_draws_no_spike() {
    let dir = scratch("spike");
    let mut r = small_run(1);
    // Turns of every sharpness, a pixel or two apart where they turn back: near-reversals on the
    // picture's integer grid (an exact reversal is drawn without a mitre).
    let mut x = -1.5;
    let zigzag: Vec<sns_worlds::Vec2> = (0..120)
        .map(|k| {
            x += 0.001 * (k % 12) as f64;
            sns_worlds::Vec2::new(x, if k % 2 == 0 { 1.4 } else { 0.6 })
        })
        .collect();
    r.start = [zigzag[0].x, zigzag[0].y];
    r.trials[0].trajectory = zigzag;
    let png = dir.join("run.png");
    picture::write_run_picture(&r, &png).expect("png");
    let dec = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png).expect("open png"),
    ));
    let mut reader = dec.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let (w, h) = (info.width as usize, info.height as usize);
    let c = trial_color(1, 1);
    let inked = |x: usize, y: usize| {
        let p = &buf[(y * w + x) * 3..(y * w + x) * 3 + 3];
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).abs();
        d(p[0], c.0) + d(p[1], c.1) + d(p[2], c.2) < 60
    };
    // The maze is square and left of the legend: its bottom third holds no trajectory.
    let side = h.min(w);
    let ink: usize = (h - side / 3..h)
        .flat_map(|y| (0..side).map(move |x| (x, y)))
        .filter(|&(x, y)| inked(x, y))
        .count();
    assert_eq!(ink, 0, "trajectory ink below the zig-zag ({w}x{h} picture)");
    // And the zig-zag itself is drawn.
    let drawn = (0..h)
        .flat_map(|y| (0..side).map(move |x| (x, y)))
        .filter(|&(x, y)| inked(x, y))
        .count();
    assert!(drawn > 50, "zig-zag not drawn: {drawn} pixels");
}

#[test]
fn report_is_self_contained_and_embeds_the_recording() {
    let spec = RunSpec {
        maze: "medium".into(),
        trials: 2,
        ..RunSpec::default()
    };
    let limits = RecordSpec::default();
    let mut rec = Recorder::new(limits);
    let r = run_recorded(&spec, &AgentSpec::default(), &mut |_| {}, Some(&mut rec)).expect("run");
    let rec = rec.finish();
    assert_eq!(rec.trials.len(), 2);
    assert!(!rec.frames.is_empty() && !rec.positions.is_empty());
    let html = report::report_html(&r, &rec, &limits).expect("html");
    for banned in [
        "<script src",
        "<link rel=\"stylesheet\"",
        "http://",
        "https://",
    ] {
        assert!(!html.contains(banned), "page refers outside: {banned}");
    }
    let start = html.find("id=\"sns-data\">").expect("data slot") + "id=\"sns-data\">".len();
    let end = start + html[start..].find("</script>").expect("end of data");
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).expect("JSON");
    assert_eq!(data["trials"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        data["rec"]["total_steps"].as_u64(),
        Some(r.trials.iter().map(|t| t.steps).sum())
    );
    assert!(html.contains("window.__sns"));
    let e = report::write_report(&r, &rec, &limits, &scratch("html").join("x.svg"))
        .expect_err("must fail");
    assert!(matches!(e, VizError::Format { .. }), "{e}");
}

#[test]
fn bench_plots_from_fixture_are_well_formed() {
    let dir = scratch("bench");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runs.csv");
    std::fs::copy(&fixture, dir.join("runs.csv")).expect("copy fixture");
    let written = bench_plot::plot_dir(&dir).expect("plots");
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        names,
        [
            "learning_curves.svg",
            "learning_curves.png",
            "path_ratio.svg",
            "path_ratio.png"
        ]
    );
    for svg in ["learning_curves.svg", "path_ratio.svg"] {
        let text = std::fs::read_to_string(dir.join(svg)).expect("read svg");
        let (elements, texts) = parse_svg(&text);
        assert!(elements
            .iter()
            .any(|e| e.name == "polyline" || e.name == "circle"));
        for agent in ["sns", "bug2", "random"] {
            assert!(
                texts.iter().any(|t| t == agent),
                "{svg}: no legend for {agent}"
            );
        }
    }
    let lc = std::fs::read_to_string(dir.join("learning_curves.svg")).expect("read");
    let (_, texts) = parse_svg(&lc);
    for maze in ["u", "medium", "large"] {
        assert!(texts.iter().any(|t| t == maze), "no panel for {maze}");
    }
}

#[test]
fn bench_plot_errors_name_the_file_and_line() {
    let e = bench_plot::plot_dir(&scratch("none").join("absent")).expect_err("must fail");
    assert!(matches!(e, VizError::Io { .. }), "{e}");
    let dir = scratch("bad");
    let e = bench_plot::plot_dir(&dir).expect_err("must fail");
    assert!(e.to_string().contains("runs.csv"), "{e}");
    std::fs::write(
        dir.join("runs.csv"),
        "agent,maze,task,seed,trial,success,steps,path_length,shortest_path,wall_time\n\
         sns,u,1,0,1,true,100,3.5,3.2,0.1\n\
         sns,u,1,0,2,maybe,100,3.5,3.2,0.1\n",
    )
    .expect("write");
    let e = bench_plot::plot_dir(&dir).expect_err("must fail");
    assert!(matches!(e, VizError::Csv { line: 3, .. }), "{e}");
}

#[test]
fn neural_rate_maps_png() {
    let dir = scratch("rates");
    let code = sns_neural::HarmonicCode::new(sns_neural::CodeParams::default()).expect("code");
    let map = sns_worlds::MazeMap::builtin("u").expect("map");
    let png = dir.join("rates.png");
    sns_viz::neural::write_rate_maps(&code, &map, &png).expect("png");
    let bytes = std::fs::read(&png).expect("read png");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let e = sns_viz::neural::write_rate_maps(&code, &map, &dir.join("rates.svg"))
        .expect_err("svg refused");
    assert!(matches!(e, VizError::Format { .. }), "{e}");
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// A `rows` x `cols` map, walls on its border only.
fn open_map(rows: usize, cols: usize) -> sns_worlds::MazeMap {
    let mut text = String::new();
    for r in 0..rows {
        for c in 0..cols {
            let border = r == 0 || c == 0 || r + 1 == rows || c + 1 == cols;
            text.push(if border { '1' } else { '0' });
        }
        text.push('\n');
    }
    sns_worlds::MazeMap::parse("open", &text).expect("map")
}

#[test]
fn the_picture_of_a_huge_map_is_scaled_down_to_the_pixel_cap() {
    let dir = scratch("huge");
    let mut r = small_run(1);
    r.map = Some(open_map(2000, 2000));
    let png = dir.join("huge.png");
    picture::write_run_picture(&r, &png).expect("png");
    let (w, h) = png_size(&std::fs::read(&png).expect("read png"));
    // Maze at most MAX_MAZE_PIXELS, plus margins, title and legend; not 48000 pixels a side.
    let cap = picture::MAX_MAZE_PIXELS + 300;
    assert!(w <= cap && h <= cap, "{w}x{h}");
    assert!(
        w >= picture::MAX_MAZE_PIXELS && u64::from(w) * u64::from(h) <= sns_viz::MAX_PNG_PIXELS
    );
}

#[test]
fn rate_maps_of_a_big_map_are_scaled_down() {
    let dir = scratch("bigrates");
    let code = sns_neural::HarmonicCode::new(sns_neural::CodeParams::default()).expect("code");
    let png = dir.join("rates.png");
    sns_viz::neural::write_rate_maps(&code, &open_map(300, 300), &png).expect("png");
    let (w, _) = png_size(&std::fs::read(&png).expect("read png"));
    // Four panels a row, each at most MAX_PANEL_PIXELS wide (at 6 px/m they would be 1800).
    let max = 150 + 4 * (sns_viz::neural::MAX_PANEL_PIXELS + 6) + 6;
    assert!(w <= max, "{w} > {max}");
}

#[cfg(unix)]
#[test]
fn a_png_write_error_names_the_file_and_the_cause() {
    let dir = scratch("pngfull");
    let r = small_run(1);
    // A .png name on a full disk: /dev/full fails every write with ENOSPC.
    let png = dir.join("run.png");
    std::os::unix::fs::symlink("/dev/full", &png).expect("symlink");
    let e = picture::write_run_picture(&r, &png).expect_err("disk full");
    let msg = e.to_string();
    assert!(msg.contains("run.png"), "{msg}");
    assert!(msg.contains("No space left on device"), "{msg}");
    assert!(
        !msg.contains("IoError") && !msg.contains("ImageError"),
        "{msg}"
    );
}

#[test]
fn a_failed_picture_leaves_the_previous_file() {
    let dir = scratch("keep");
    let r = small_run(1);
    let svg = dir.join("run.svg");
    picture::write_run_picture(&r, &svg).expect("svg");
    let before = std::fs::read(&svg).expect("read");
    // A result without a map cannot be drawn: nothing is written, the old file stays whole.
    let mut broken = r.clone();
    broken.map = None;
    picture::write_run_picture(&broken, &svg).expect_err("no map");
    assert_eq!(std::fs::read(&svg).expect("read"), before);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary left: {names:?}");
}

#[test]
fn the_replay_page_survives_a_maze_path_that_closes_scripts() {
    let dir = scratch("script").join("a</script><!--b\u{2028}c\u{2029}");
    std::fs::create_dir_all(&dir).expect("dir");
    let map = dir.join("u.txt");
    std::fs::write(
        &map,
        sns_worlds::MazeMap::builtin("u").expect("u").to_text(),
    )
    .expect("map");
    let maze = map.to_str().expect("utf-8").to_string();
    let spec = RunSpec {
        maze: maze.clone(),
        trials: 1,
        ..RunSpec::default()
    };
    let limits = RecordSpec::default();
    let mut rec = Recorder::new(limits);
    let r = run_recorded(&spec, &AgentSpec::default(), &mut |_| {}, Some(&mut rec)).expect("run");
    let html = report::report_html(&r, &rec.finish(), &limits).expect("html");
    let open = "id=\"sns-data\">";
    let start = html.find(open).expect("data slot") + open.len();
    // The data ends at the first "</script": had the path not been escaped, this would cut it.
    let end = start + html[start..].find("</script").expect("end of data");
    let json = &html[start..end];
    assert!(!json.contains("<!--") && !json.contains('\u{2028}') && !json.contains('\u{2029}'));
    let data: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    assert_eq!(data["meta"]["maze"].as_str(), Some(r.maze.as_str()));
    assert!(r.maze.contains("</script>") && r.maze.contains("<!--"));
    assert_eq!(
        html.matches("<script").count(),
        html.matches("</script>").count()
    );
}

/// A short SNS run on a control world, recorded.
fn control_run(
    world: sns_harness::ControlWorldKind,
    trials: u32,
    max_steps: u64,
) -> (sns_harness::ControlRunResult, sns_harness::ControlRecording) {
    use sns_harness::{ControlRecordSpec, ControlRecorder, ControlRunSpec};
    let spec = ControlRunSpec {
        world,
        trials,
        max_steps,
        ..ControlRunSpec::default()
    };
    let mut rec = ControlRecorder::new(ControlRecordSpec::default());
    let r = sns_harness::run_control_recorded(
        &spec,
        None,
        &AgentSpec::default(),
        &mut |_| {},
        Some(&mut rec),
    )
    .expect("run");
    (r, rec.finish())
}

/// The phase portrait of every control world: one or two panels, each trial drawn in its
/// colour on every panel (in pieces where an angle wraps), one circle per place per panel (and
/// the legend's), the goal region shaded.
#[test]
fn control_svgs_draw_trials_places_and_the_goal_on_every_panel() {
    use sns_viz::control::{self, GOAL_GRID};
    for world in sns_harness::ControlWorldKind::ALL {
        let (r, rec) = control_run(world, 2, 400);
        let panels = control::panels(&rec).expect("panels");
        assert_eq!(panels.len(), world.state_dim() / 2, "{world}");
        for p in &panels {
            assert_eq!(p.goal.len(), GOAL_GRID.0 * GOAL_GRID.1);
            assert!(p.xr[0] < p.xr[1] && p.yr[0] < p.yr[1], "{world}: {p:?}");
        }
        // The first panel of every world shows its goal (the acrobot's angles, the cart-pole's
        // upright band, the hill top, the pendulum's top).
        assert!(panels[0].goal.contains('1'), "{world}");
        assert!(panels[0].goal.contains('0'), "{world}");
        let svg = control::control_svg(&r, &rec).expect("svg");
        let (elements, texts) = parse_svg(&svg);
        for t in &r.trials {
            let c = hex(trial_color(t.trial, 2));
            let lines = count(&elements, "polyline", "stroke", &c);
            assert!(lines >= panels.len(), "{world} trial {}: {lines}", t.trial);
        }
        assert!(rec.places_total > 0, "{world}");
        assert_eq!(
            count(&elements, "circle", "fill", &hex(NODE_COLOR)),
            rec.places.len() * panels.len() + 1,
            "{world}"
        );
        assert!(texts.iter().any(|t| t.contains(world.name())), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("places")), "{texts:?}");
    }
}

#[test]
fn control_png_has_its_size_and_the_report_embeds_the_recording() {
    use sns_harness::ControlWorldKind;
    use sns_viz::control;
    let dir = scratch("control");
    let (r, rec) = control_run(ControlWorldKind::Acrobot, 2, 300);
    let path = dir.join("acrobot.png");
    control::write_control_picture(&r, &rec, &path).expect("png");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&path).expect("open"),
    ));
    let reader = decoder.read_info().expect("a PNG");
    let info = reader.info();
    assert_eq!(
        (info.width, info.height),
        control::picture_size(ControlWorldKind::Acrobot)
    );
    let limits = sns_harness::ControlRecordSpec::default();
    let html = control::control_report_html(&r, &rec, &limits).expect("html");
    for banned in [
        "<script src",
        "<link rel=\"stylesheet\"",
        "http://",
        "https://",
    ] {
        assert!(!html.contains(banned), "page refers outside: {banned}");
    }
    assert_eq!(
        html.matches("</script>").count(),
        2,
        "only the page's own ends"
    );
    let start = html.find("id=\"sns-data\">").expect("data slot") + "id=\"sns-data\">".len();
    let end = start + html[start..].find("</script>").expect("end of data");
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).expect("JSON");
    assert_eq!(data["meta"]["world"], "acrobot");
    let trials = data["rec"]["trials"].as_array().expect("trials");
    assert_eq!(trials.len(), 2);
    for (tr, res) in trials.iter().zip(&r.trials) {
        let samples = tr["samples"].as_array().expect("samples");
        // Every step recorded under the cap: the start and each step.
        assert_eq!(samples.len() as u64, res.steps + 1);
        assert_eq!(samples[0][2].as_array().map(Vec::len), Some(4));
    }
    assert_eq!(data["panels"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        data["rec"]["places"].as_array().map(Vec::len),
        Some(rec.places.len())
    );
    let e = control::write_control_report(&r, &rec, &limits, &dir.join("x.svg"))
        .expect_err("must fail");
    assert!(matches!(e, VizError::Format { .. }), "{e}");
    let e = control::write_control_picture(&r, &rec, &dir.join("missing/x.png"))
        .expect_err("must fail");
    assert!(matches!(e, VizError::Io { .. }), "{e}");
}

/// Text from a scenario or a name reaches the page's JSON only escaped for `<script>`.
#[test]
fn control_report_data_cannot_end_its_script() {
    use sns_viz::control;
    let (mut r, rec) = control_run(sns_harness::ControlWorldKind::MountainCar, 1, 50);
    r.goal = "</script><script>alert(1)</script>\u{2028}".into();
    let html = control::control_report_html(&r, &rec, &sns_harness::ControlRecordSpec::default())
        .expect("html");
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(html.contains("\\u003c/script>"));
    assert!(!html.contains('\u{2028}'));
}
