//! The query language: parsing (good and bad terms), matching over the
//! embedded catalog, ranking, highlighting, and incremental narrowing.

use vmmports::catalog::{self, Catalog, Direction, Transport};
use vmmports::query::{
    Field, Query, SearchIndex, Searcher, Term, TermKind, match_positions, parse,
};

fn catalog() -> Catalog {
    catalog::embedded().expect("embedded catalog loads")
}

fn term(negated: bool, kind: TermKind) -> Term {
    Term { negated, kind }
}

#[test]
fn good_terms_parse() {
    use TermKind::*;
    let cases: Vec<(&str, Vec<Term>)> = vec![
        ("", vec![]),
        ("   ", vec![]),
        ("winrm", vec![term(false, Fuzzy("winrm".into()))]),
        ("WinRM", vec![term(false, Fuzzy("winrm".into()))]),
        ("5985", vec![term(false, Port(vec![(5985, 5985)]))]),
        ("port:5985", vec![term(false, Port(vec![(5985, 5985)]))]),
        (
            "port:49152-65535",
            vec![term(false, Port(vec![(49152, 65535)]))],
        ),
        (
            "port:80,443",
            vec![term(false, Port(vec![(80, 80), (443, 443)]))],
        ),
        ("port:1", vec![term(false, Port(vec![(1, 1)]))]),
        ("port:65535", vec![term(false, Port(vec![(65535, 65535)]))]),
        ("proto:tcp", vec![term(false, Proto(Transport::Tcp))]),
        ("PROTO:UDP", vec![term(false, Proto(Transport::Udp))]),
        ("mod:setup", vec![term(false, Mod("setup"))]),
        ("mod:fixed", vec![term(false, Mod("fixed"))]),
        ("mod:device", vec![term(false, Mod("device"))]),
        ("mod:none", vec![term(false, Mod("none"))]),
        ("dir:in", vec![term(false, Dir(Direction::Inbound))]),
        ("dir:outbound", vec![term(false, Dir(Direction::Outbound))]),
        (
            "section:vmware",
            vec![term(false, Section(catalog::Section::Vmware))],
        ),
        ("from:VMM", vec![term(false, From("vmm".into()))]),
        ("src:vmm", vec![term(false, From("vmm".into()))]),
        ("to:hyper-v", vec![term(false, To("hyper-v".into()))]),
        ("dst:sql", vec![term(false, To("sql".into()))]),
        ("on:esxi", vec![term(false, On("esxi".into()))]),
        (
            "to:\"file server\"",
            vec![term(false, To("file server".into()))],
        ),
        ("-proto:udp", vec![term(true, Proto(Transport::Udp))]),
        ("!445", vec![term(true, Port(vec![(445, 445)]))]),
        ("-winrm", vec![term(true, Fuzzy("winrm".into()))]),
        (
            "winrm  to:host -5986",
            vec![
                term(false, Fuzzy("winrm".into())),
                term(false, To("host".into())),
                term(true, Port(vec![(5986, 5986)])),
            ],
        ),
    ];
    for (input, terms) in cases {
        assert_eq!(parse(input), Ok(Query { terms }), "input {input:?}");
    }
}

#[test]
fn bad_terms_name_the_term_and_what_is_valid() {
    // (input, the term named, a word the message or hint must contain)
    let cases = [
        ("port:99999", "port:99999", "1-65535"),
        ("99999", "99999", "1-65535"),
        ("port:0", "port:0", "1-65535"),
        ("port:9-1", "port:9-1", "port:1-9"),
        ("port:abc", "port:abc", "not a port"),
        ("port:80,", "port:80,", "not a port"),
        ("proto:gre", "proto:gre", "proto:icmp"),
        ("mod:maybe", "mod:maybe", "mod:setup"),
        ("dir:sideways", "dir:sideways", "dir:in"),
        ("section:x", "section:x", "section:vmware"),
        ("foo:bar", "foo:bar", "qualifiers are"),
        ("prot:tcp", "prot:tcp", "did you mean `port:`"),
        ("protocol:tcp", "protocol:tcp", "did you mean `proto:`"),
        ("frm:vmm", "frm:vmm", "did you mean `from:`"),
        ("to:", "to:", "needs a value"),
        ("-", "-", "negation"),
        ("not:", "not:", "nothing follows the negation"),
        ("NOT:", "NOT:", "not:word"),
        ("not:-winrm", "not:-winrm", "negated only once"),
        ("not:not:winrm", "not:not:winrm", "`not:winrm`"),
        ("not:proto:gre", "not:proto:gre", "proto:icmp"),
        ("nott:winrm", "nott:winrm", "did you mean `not:`"),
        ("winrm port:70000", "port:70000", "out of range"),
    ];
    for (input, named, needle) in cases {
        let err = parse(input).expect_err(input);
        assert_eq!(err.term, named, "input {input:?}");
        let text = format!("{} {}", err.message, err.hint);
        assert!(
            text.contains(needle),
            "input {input:?}: {text:?} lacks {needle:?}"
        );
    }
}

/// `not:` takes any term, qualified or free, and means what `-` means, so
/// no shell needs it quoted.
#[test]
fn not_negates_every_kind_of_term_as_the_dash_does() {
    let terms = [
        "winrm",
        "445",
        "from:vmm",
        "src:vmm",
        "to:sql",
        "dst:sql",
        "on:hyper-v",
        "port:80,443",
        "port:49152-65535",
        "proto:udp",
        "mod:setup",
        "dir:out",
        "section:vmware",
        "to:\"file server\"",
    ];
    for term in terms {
        let plain = parse(term).unwrap_or_else(|e| panic!("{term}: {e}"));
        for negated in [format!("not:{term}"), format!("NOT:{term}")] {
            let query = parse(&negated).unwrap_or_else(|e| panic!("{negated}: {e}"));
            assert_eq!(query, parse(&format!("-{term}")).unwrap(), "{negated}");
            assert_eq!(query.terms.len(), 1, "{negated}");
            assert!(query.terms[0].negated, "{negated}");
            assert_eq!(query.terms[0].kind, plain.terms[0].kind, "{negated}");
        }
    }
    // Every qualifier the parser knows is covered above.
    for qualifier in vmmports::query::QUALIFIERS {
        let prefix = format!("{qualifier}:");
        assert!(
            terms.iter().any(|t| t.starts_with(&prefix)),
            "no `not:{prefix}` case"
        );
    }
}

fn ids(catalog: &Catalog, query: &str) -> Vec<String> {
    let index = SearchIndex::new(catalog);
    index
        .search(&parse(query).unwrap())
        .iter()
        .map(|h| catalog.connections[h.index].id.clone())
        .collect()
}

#[test]
fn winrm_ranks_winrm_rows_first() {
    let c = catalog();
    let found = ids(&c, "winrm");
    let winrm_rows = c
        .connections
        .iter()
        .filter(|conn| {
            conn.ports
                .iter()
                .any(|p| p.service.to_lowercase().contains("winrm"))
        })
        .count();
    assert!(winrm_rows >= 5);
    for id in &found[..winrm_rows] {
        let conn = c.connection(id).unwrap();
        assert!(
            conn.ports
                .iter()
                .any(|p| p.service.to_lowercase().contains("winrm")),
            "{id} ranked among the first {winrm_rows} for `winrm`: {found:?}"
        );
    }
}

#[test]
fn qualifiers_filter_as_documented() {
    let c = catalog();
    assert_eq!(ids(&c, "623"), ["vmm-to-bmc-ipmi"]);
    assert_eq!(ids(&c, "port:623"), ["vmm-to-bmc-ipmi"]);
    // Ranges overlap: the PXE data range and 5985-5986.
    assert_eq!(ids(&c, "port:64500"), ["pxe-boot"]);
    assert!(ids(&c, "port:5980-5990").contains(&"vmm-to-host-winrm-tls".to_string()));
    for id in ids(&c, "proto:udp") {
        assert!(
            c.connection(&id)
                .unwrap()
                .ports
                .iter()
                .any(|p| p.transport == Transport::Udp)
        );
    }
    for id in ids(&c, "-proto:udp") {
        assert!(
            c.connection(&id)
                .unwrap()
                .ports
                .iter()
                .all(|p| p.transport != Transport::Udp)
        );
    }
    // ICMP is a transport of its own, and its message types are no ports.
    assert_eq!(ids(&c, "proto:icmp"), ["vmm-to-host-ping"]);
    assert!(!ids(&c, "port:8").contains(&"vmm-to-host-ping".to_string()));
    assert_eq!(ids(&c, "mod:host"), ["console-to-host-vmconnect"]);
    // on: follows where rules go, roles included: a host in an untrusted
    // domain carries the Hyper-V host's rules.
    let on_perimeter = ids(&c, "on:untrusted-host");
    assert!(
        on_perimeter.contains(&"vmm-to-host-winrm".to_string()),
        "{on_perimeter:?}"
    );
    // from: and to: too (issue 20): the machines that play an end are ends.
    assert_eq!(
        ids(&c, "to:perimeter"),
        [
            "vmm-to-perimeter-host-winrm-tls",
            "vmm-to-perimeter-host-bits",
            "library-to-perimeter-host-bits"
        ]
    );
    assert!(ids(&c, "to:untrusted").contains(&"vmm-to-host-agent".to_string()));
    assert!(ids(&c, "from:untrusted").contains(&"host-to-host-bits".to_string()));
    // The storage service runs on the VMM server: its traffic leaves it.
    assert!(ids(&c, "from:vmm-server").contains(&"storage-to-smis".to_string()));
    // and inbound on every destination: vCenter's callback opens the VMM server.
    assert!(ids(&c, "on:vmm-server").contains(&"vcenter-to-vmm".to_string()));
    assert_eq!(ids(&c, "section:vmware").len(), 5);
    assert_eq!(
        ids(&c, "dir:out"),
        ["vcenter-to-vmm", "esxi-to-hyperv", "esxi-to-vmm"]
    );
    assert_eq!(ids(&c, "dir:none"), ["vmm-to-storage-service"]);
    for id in ids(&c, "mod:setup") {
        assert_eq!(c.connection(&id).unwrap().modifiability.as_str(), "setup");
    }
    // Component qualifiers match ids, names and aliases.
    assert!(ids(&c, "from:console").contains(&"console-to-vmm".to_string()));
    assert_eq!(ids(&c, "to:sql"), ["vmm-to-sql", "vmm-to-sql-browser"]);
    assert_eq!(ids(&c, "to:database"), ["vmm-to-sql", "vmm-to-sql-browser"]);
    let on_hyperv = ids(&c, "on:hyper-v");
    assert!(on_hyperv.contains(&"vmm-to-host-winrm".to_string()));
    // The docs put ESXi's rule on ESXi (outbound), but the Hyper-V host,
    // its destination, needs an inbound rule too.
    assert!(on_hyperv.contains(&"esxi-to-hyperv".to_string()));
    assert!(!ids(&c, "on:hyper-v").contains(&"vmm-to-sql".to_string()));
    // Terms are ANDed; negation excludes.
    assert_eq!(ids(&c, "to:sql proto:udp"), ["vmm-to-sql-browser"]);
    assert_eq!(ids(&c, "to:sql -1434"), ["vmm-to-sql"]);
    assert!(ids(&c, "-from:vmm-server").iter().all(|id| {
        !c.connection(id)
            .unwrap()
            .from
            .contains(&"vmm-server".into())
    }));
    assert!(ids(&c, "nothingmatchesthisatall").is_empty());
}

#[test]
fn negated_free_word_excludes_rows_that_mention_it() {
    let c = catalog();
    let without = ids(&c, "-bits");
    assert!(!without.is_empty());
    for id in &without {
        let conn = c.connection(id).unwrap();
        for field in Field::ALL {
            assert!(
                !field.text(&c, conn).to_lowercase().contains("bits"),
                "{id} mentions bits"
            );
        }
    }
}

#[test]
fn match_positions_point_at_the_matched_characters() {
    let query = parse("winrm host").unwrap();
    let text = "WinRM to the Hyper-V host";
    let positions = match_positions(Field::Service, text, &query);
    let chars: Vec<char> = text.chars().collect();
    let picked: String = positions.iter().map(|&i| chars[i]).collect();
    assert!(picked.to_lowercase().contains("winrm"), "{picked}");
    assert!(picked.to_lowercase().contains("host"), "{picked}");
    // Negated words and qualifiers never highlight.
    assert!(match_positions(Field::Service, text, &parse("-winrm to:host 80").unwrap()).is_empty());
}

/// Typing a filter one key at a time (with narrowing) must give exactly what a
/// fresh search gives, including when a keystroke widens the result.
#[test]
fn incremental_search_equals_fresh_search() {
    let c = catalog();
    let fresh = SearchIndex::new(&c);
    let mut searcher = Searcher::new(SearchIndex::new(&c));
    let typed = [
        "w",
        "wi",
        "win",
        "winr",
        "winrm",
        "winrm ",
        "winrm t",
        "winrm to",
        "winrm to:",
        "winrm to:h",
        "winrm to:ho",
        "winrm",
        "-",
        "-w",
        "-wi",
        "-win",
        "p",
        "po",
        "por",
        "port",
        "port:",
        "port:4",
        "port:44",
        "port:443",
        "port:4",
        "4",
        "44",
        "443",
        "443 b",
        "443 bi",
        "443 bits",
        "443 bits -",
        "443 bits -h",
        "443 bits -ho",
    ];
    for text in typed {
        match (parse(text), searcher.search(text)) {
            (Ok(query), Ok(hits)) => {
                assert_eq!(hits, fresh.search(&query), "after typing {text:?}")
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{text:?}: parse {a:?} but search {b:?}"),
        }
    }
}

/// A catalog read in batches (the explorer's loading file): the index grows
/// under the last query, and its answer after each batch is exactly what a
/// fresh search over the rows read so far gives, ranking included; the next
/// query typed then narrows from the grown matches.
#[test]
fn a_growing_index_answers_as_a_fresh_search_over_the_rows_so_far() {
    let whole = catalog();
    let mut head = whole.clone();
    head.connections.clear();
    for text in ["winrm", "443", "to:host", "-smb", "proto:udp", "bits host"] {
        // Indexed on one side (the thread that reads the file), searched on
        // the other.
        let indexer = SearchIndex::for_components(&head);
        let mut searcher = Searcher::new(SearchIndex::for_components(&head));
        assert!(
            !searcher.extend(indexer.index_rows(&whole.connections[..5])),
            "nothing searched yet: no answer to grow"
        );
        searcher.search(text).unwrap();
        let mut so_far = head.clone();
        so_far.connections = whole.connections[..5].to_vec();
        for batch in whole.connections[5..].chunks(7) {
            assert!(searcher.extend(indexer.index_rows(batch)));
            so_far.connections.extend_from_slice(batch);
            let fresh = SearchIndex::new(&so_far).search(&parse(text).unwrap());
            assert_eq!(
                searcher.last_hits().unwrap(),
                fresh.as_slice(),
                "{text:?} after {} rows",
                so_far.connections.len()
            );
        }
        let longer = format!("{text}x");
        if let Ok(query) = parse(&longer) {
            assert_eq!(
                searcher.search(&longer).unwrap(),
                SearchIndex::new(&whole).search(&query),
                "{longer:?} narrowed from the grown matches"
            );
        }
    }
}
