//! Catalog load and query speed. Run: `cargo bench --bench query`.
//!
//! Targets (issue 2): a query over 10,000 connections in under 16 ms (one
//! frame at 60 Hz); over 100,000 no slower than `fzf --filter` on the same
//! rows as text lines (see benches/compare-fzf.sh for that side).

mod synthetic;

use divan::{Bencher, black_box};
use vmmports::catalog::{self, Catalog};
use vmmports::query::{SearchIndex, Searcher, parse};

fn main() {
    divan::main();
}

#[divan::bench]
fn load_and_validate_embedded() -> Catalog {
    catalog::embedded().expect("embedded catalog is valid")
}

#[divan::bench]
fn index_embedded(bencher: Bencher) {
    let c = catalog::embedded().unwrap();
    bencher.bench(|| SearchIndex::new(black_box(&c)));
}

#[divan::bench(args = ["winrm", "to:hyper-v mod:setup", "443 bits"])]
fn query_embedded(bencher: Bencher, query: &str) {
    let c = catalog::embedded().unwrap();
    let index = SearchIndex::new(&c);
    let q = parse(query).unwrap();
    bencher.bench(|| index.search(black_box(&q)));
}

/// One fresh query over a synthetic catalog (no narrowing).
#[divan::bench(consts = [10_000, 100_000], args = ["winrm", "sqlrepl", "to:web https"])]
fn query_synthetic<const N: usize>(bencher: Bencher, query: &str) {
    let c = synthetic::catalog(N);
    let index = SearchIndex::new(&c);
    let q = parse(query).unwrap();
    bencher.bench(|| index.search(black_box(&q)));
}

/// Typing `winrm` one key at a time, as the explorer does: the first key
/// scans everything, the rest narrow. Reported per whole word (5 searches);
/// each iteration starts from the previous one's `winrm`, which `w` does not
/// extend, so `w` is always a full scan.
#[divan::bench(consts = [10_000, 100_000])]
fn typing_winrm<const N: usize>(bencher: Bencher) {
    let c = synthetic::catalog(N);
    bencher
        .with_inputs(|| Searcher::new(SearchIndex::new(&c)))
        .bench_local_refs(|searcher| {
            for text in ["w", "wi", "win", "winr", "winrm"] {
                black_box(searcher.search(text).unwrap());
            }
        });
}

/// Each key of `winrm` on its own, narrowing from the previous key.
#[divan::bench(consts = [100_000], args = ["w", "wi", "win", "winr", "winrm"])]
fn one_key_of_winrm<const N: usize>(bencher: Bencher, text: &str) {
    let c = synthetic::catalog(N);
    let previous = &"winrm"[..text.len() - 1];
    bencher
        .with_inputs(|| {
            let mut searcher = Searcher::new(SearchIndex::new(&c));
            if !previous.is_empty() {
                searcher.search(previous).unwrap();
            }
            searcher
        })
        .bench_local_refs(|searcher| black_box(searcher.search(text).unwrap().len()));
}

#[divan::bench(consts = [10_000, 100_000])]
fn build_index_synthetic<const N: usize>(bencher: Bencher) {
    let c = synthetic::catalog(N);
    bencher.bench(|| SearchIndex::new(black_box(&c)));
}
