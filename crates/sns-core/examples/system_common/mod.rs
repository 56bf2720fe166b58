//! What the control-world developer examples share: the agent's parameters from the command line.
use sns_core::system::SystemParams;

/// The default parameters with `--set NAME=VALUE` overrides from the command line (`VALUE` in
/// JSON: a number, `true` or `false`).
pub fn params() -> SystemParams {
    let args: Vec<String> = std::env::args().collect();
    let mut v = serde_json::to_value(SystemParams::default()).expect("serialisable");
    for w in args.windows(2) {
        if w[0] == "--set" {
            let (name, value) = w[1].split_once('=').expect("--set NAME=VALUE");
            let value: serde_json::Value = serde_json::from_str(value).expect("a JSON value");
            v[name] = value;
        }
    }
    serde_json::from_value(v).expect("valid parameters")
}
