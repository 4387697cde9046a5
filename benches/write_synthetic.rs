//! Writes a synthetic catalog for whole-process comparisons (see
//! benches/compare-fzf.sh):
//!
//!     cargo bench --bench write_synthetic -- COUNT DIR
//!
//! produces DIR/synthetic-COUNT.json (a catalog for `--data`) and
//! DIR/synthetic-COUNT.txt (the same rows as the text lines fzf reads: the
//! fields vmmports searches, one connection per line). Without arguments (as
//! under a plain `cargo bench`) it does nothing.

mod synthetic;

use vmmports::catalog::to_json;
use vmmports::query::Field;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (Some(count), Some(dir)) = (
        args.first().and_then(|c| c.parse::<usize>().ok()),
        args.get(1),
    ) else {
        return;
    };
    let catalog = synthetic::catalog(count);
    std::fs::create_dir_all(dir).expect("create output folder");
    let lines: String = catalog
        .connections
        .iter()
        .map(|conn| {
            let fields: Vec<String> = Field::ALL.iter().map(|f| f.text(&catalog, conn)).collect();
            fields.join(" | ") + "\n"
        })
        .collect();
    std::fs::write(format!("{dir}/synthetic-{count}.json"), to_json(&catalog)).expect("write json");
    std::fs::write(format!("{dir}/synthetic-{count}.txt"), lines).expect("write txt");
    eprintln!("wrote {dir}/synthetic-{count}.json and .txt");
}
