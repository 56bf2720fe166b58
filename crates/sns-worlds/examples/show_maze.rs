//! Prints a generated maze: `cargo run -p sns-worlds --example show_maze -- perfect:10x6:1`.
fn main() {
    for spec in std::env::args().skip(1) {
        match sns_worlds::MazeMap::load(&spec) {
            Ok(m) => print!("{spec}\n{}\n", m.to_text()),
            Err(e) => eprintln!("{e}"),
        }
    }
}
