//! The oracle's `L*` on seeded perfect mazes of 51x51 and 201x201 cells, from the top-left to the
//! bottom-right corridor cell (the far corners: the longest searches of these sizes).
//!
//! `cargo bench -p sns-worlds --bench oracle`; numbers in BENCHMARKS.md.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sns_worlds::generate::perfect;
use sns_worlds::oracle::shortest_path;

fn oracle(c: &mut Criterion) {
    let mut group = c.benchmark_group("oracle");
    group.sample_size(10);
    for corridors in [25usize, 100] {
        let map = perfect(corridors, corridors, 1);
        let (rows, cols) = (map.rows(), map.cols());
        let start = map.cell_to_xy((1, 1));
        let goal = map.cell_to_xy((rows - 2, cols - 2));
        group.bench_function(format!("perfect {rows}x{cols}"), |b| {
            b.iter(|| shortest_path(black_box(&map), start, goal).map(|p| p.length))
        });
    }
    group.finish();
}

criterion_group!(benches, oracle);
criterion_main!(benches);
