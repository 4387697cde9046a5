//! Loading a catalog while its connections are handed on in batches
//! (`catalog::load_str_with`): every row once, in order, checked, and the
//! same catalog and the same errors as a plain load.

use std::sync::Mutex;

mod common;

use common::big_catalog::repeated as big;
use vmmports::catalog::{self, Catalog, Format};

/// Each batch handed on: the index of its first row, and the rows' ids.
type Batches = Vec<(usize, Vec<String>)>;

/// Loads `text`, recording each batch handed on.
fn load_recording(text: &str, format: Format) -> (Result<Catalog, catalog::LoadError>, Batches) {
    let batches = Mutex::new(Vec::new());
    let loaded = catalog::load_str_with("test", text, format, |head, first, rows| {
        assert!(
            !head.components.is_empty(),
            "rows come with their components"
        );
        let ids = rows.iter().map(|c| c.id.clone()).collect();
        batches.lock().unwrap().push((first, ids));
    });
    (loaded, batches.into_inner().unwrap())
}

#[test]
fn every_row_is_handed_on_once_in_order_in_several_batches() {
    let catalog = big(10_000);
    let (loaded, batches) = load_recording(&catalog::to_json(&catalog), Format::Json);
    assert_eq!(loaded.expect("valid"), catalog);
    assert!(batches.len() >= 3, "{} batches", batches.len());
    let mut next = 0;
    for (first, ids) in &batches {
        assert_eq!(*first, next, "batches are contiguous");
        for (offset, id) in ids.iter().enumerate() {
            assert_eq!(id, &catalog.connections[first + offset].id);
        }
        next += ids.len();
    }
    assert_eq!(next, 10_000);
}

#[test]
fn ron_streams_the_same_way() {
    let catalog = big(5_000);
    let (loaded, batches) = load_recording(&catalog::to_ron(&catalog), Format::Ron);
    assert_eq!(loaded.expect("valid"), catalog);
    let total: usize = batches.iter().map(|(_, ids)| ids.len()).sum();
    assert_eq!(total, 5_000);
}

/// serde_json's own map writes keys in alphabetical order: `connections`
/// before `setup_features`, `source` and `title`. The rows then wait for the
/// end of the file, and are still checked against the setup features.
#[test]
fn rows_before_the_components_and_setup_features_still_load() {
    let catalog = big(3_000);
    let value = serde_json::to_value(&catalog).expect("to value");
    let text = serde_json::to_string(&value).expect("to text");
    assert!(text.find("\"connections\"") < text.find("\"setup_features\""));
    let (loaded, batches) = load_recording(&text, Format::Json);
    assert_eq!(loaded.expect("valid"), catalog);
    assert_eq!(
        batches.iter().map(|(_, ids)| ids.len()).sum::<usize>(),
        3_000
    );
}

#[test]
fn problems_in_rows_and_in_the_head_are_all_reported_with_positions() {
    let mut catalog = big(6_000);
    catalog.connections[4_321].to = vec!["hyperv-hots".into()];
    catalog.connections[5_000].id = catalog.connections[10].id.clone();
    catalog.title = " ".into();
    let text = catalog::to_json(&catalog);
    let (loaded, _) = load_recording(&text, Format::Json);
    let error = loaded.expect_err("three problems");
    let messages: Vec<&str> = error.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(error.problems.len(), 3, "{error}");
    // Sorted by position: the title comes first in the file.
    assert_eq!(messages[0], "text is empty");
    assert!(messages[1].contains("unknown component `hyperv-hots`"));
    assert!(messages[2].contains("is used twice"));
    // Each position points at the offending value in the text.
    let line_of = |needle: &str| {
        text.lines()
            .position(|line| line.contains(needle))
            .expect("in the text")
            + 1
    };
    let at = |i: usize| error.problems[i].position.expect("a position").line;
    assert_eq!(at(0), line_of("\"title\""));
    assert_eq!(at(1), line_of("\"hyperv-hots\""));
    let duplicate = &catalog.connections[5_000].id;
    let second = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(&format!("\"id\": \"{duplicate}\"")))
        .nth(1)
        .expect("the duplicate")
        .0
        + 1;
    assert_eq!(at(2), second);
    // And a plain load says exactly the same.
    assert_eq!(
        catalog::load_str("test", &text, Format::Json).expect_err("invalid"),
        error
    );
}

#[test]
fn a_syntax_error_midway_is_one_problem_at_its_place() {
    let text = catalog::to_json(&big(5_000));
    // Cut the text in the middle of a row, then close nothing.
    let cut = &text[..text.len() / 2];
    let (loaded, batches) = load_recording(cut, Format::Json);
    let error = loaded.expect_err("truncated");
    assert_eq!(error.problems.len(), 1, "{error}");
    assert!(error.problems[0].message.contains("EOF"), "{error}");
    // What was read before the cut was already handed on.
    assert!(!batches.is_empty());
}

/// One renamed component named by thousands of rows: every reference is a
/// problem of its own, each at its own line, in file order.
#[test]
fn a_renamed_component_is_reported_at_every_row_that_names_it() {
    let mut catalog = big(6_000);
    let renamed = "hyperv-host";
    let naming = catalog
        .connections
        .iter()
        .map(|c| {
            c.from
                .iter()
                .chain(&c.to)
                .chain(&c.rule_on)
                .filter(|id| *id == renamed)
                .count()
        })
        .sum::<usize>();
    let component = catalog
        .components
        .iter_mut()
        .find(|c| c.id == renamed)
        .expect("the catalog has Hyper-V hosts");
    component.id = "hyper-v-host".into();
    // Components that say they are also a Hyper-V host name it too.
    let also = catalog
        .components
        .iter()
        .filter(|c| c.also.iter().any(|a| a == renamed))
        .count();
    let notes = catalog
        .notes
        .iter()
        .map(|n| {
            n.components
                .iter()
                .chain(&n.peers)
                .filter(|id| *id == renamed)
                .count()
        })
        .sum::<usize>();
    let text = catalog::to_json(&catalog);
    let error = catalog::load_str("test", &text, Format::Json).expect_err("unknown references");
    let unknown: Vec<_> = error
        .problems
        .iter()
        .filter(|p| p.message == format!("unknown component `{renamed}`"))
        .collect();
    assert_eq!(
        unknown.len(),
        naming + also + notes,
        "{}",
        error.problems.len()
    );
    assert!(naming > 1_000);
    let lines: Vec<usize> = unknown.iter().map(|p| p.position.unwrap().line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "in file order");
    let text_lines: Vec<&str> = text.lines().collect();
    for line in &lines {
        assert!(text_lines[line - 1].contains(renamed), "line {line}");
    }
    assert!(
        unknown
            .iter()
            .all(|p| p.hint.as_deref() == Some("did you mean `hyper-v-host`?"))
    );
}

/// `load_str_handing_over` (the explorer's loader): the rows are the
/// caller's, in order and each once, whether they come as they are read or,
/// in a file that lists them before its setup features, all at the end; the
/// catalog returned is the rest; errors are as a plain load reports them.
#[test]
fn handing_over_gives_every_row_away_and_keeps_the_rest() {
    let catalog = big(7_000);
    let in_order = catalog::to_json(&catalog);
    let rows_first = serde_json::to_string(&serde_json::to_value(&catalog).unwrap()).unwrap();
    for text in [&in_order, &rows_first] {
        let taken = Mutex::new(Vec::new());
        let rest = catalog::load_str_handing_over("test", text, Format::Json, |_, first, rows| {
            let mut taken = taken.lock().unwrap();
            assert_eq!(first, taken.len(), "batches are contiguous");
            assert!(rows.len() <= catalog::BATCH);
            taken.extend(rows);
        })
        .expect("valid");
        assert_eq!(taken.into_inner().unwrap(), catalog.connections);
        assert!(rest.connections.is_empty());
        assert_eq!(
            Catalog {
                connections: catalog.connections.clone(),
                ..rest
            },
            catalog
        );
    }
    let mut broken = catalog.clone();
    broken.connections[6_500].from = vec!["nowhere".into()];
    let text = catalog::to_json(&broken);
    let handed = catalog::load_str_handing_over("test", &text, Format::Json, |_, _, _| {});
    assert_eq!(
        handed.expect_err("an unknown component"),
        catalog::load_str("test", &text, Format::Json).expect_err("the same")
    );
}
