//! Reading `deployment.ron` and checking it against a catalog: every role a
//! component, every machine a host name or an address, every setup port one
//! the catalog knows. A problem is reported at its `file:line:col`, found in
//! the text by the same scanner catalogs use (serde forgets positions).

use std::path::{Path, PathBuf};

use super::model::{Deployment, DeploymentError, Machine};
use crate::catalog::Catalog;
use crate::catalog::locate::{Step, locate};
use crate::rules::address::Address;
use crate::rules::settings::{RESERVED_PORT, Settings, resolve, unknown_setup_key};

/// The file's name, beside `config.ron`.
pub const FILE_NAME: &str = "deployment.ron";

/// Where the default deployment file is: `deployment.ron` in the folder of
/// `config.ron`; `None` when the platform has no config folder.
pub fn default_path() -> Option<PathBuf> {
    crate::config::default_path().map(|config| config.with_file_name(FILE_NAME))
}

/// Reads and checks the deployment file at `path`. Roles come back as
/// component ids (the file may name them by name or alias, as `--remote`
/// does) and setup keys as the catalog spells them.
pub fn load(path: &Path, catalog: &Catalog) -> Result<Deployment, DeploymentError> {
    let text = std::fs::read_to_string(path).map_err(|e| DeploymentError {
        path: path.to_path_buf(),
        position: None,
        message: format!("cannot read it: {e}"),
        hint: Some(format!(
            "check the path given to --deployment, or write one with `vmmports deployment import` (the default is {FILE_NAME} in the config folder)"
        )),
    })?;
    let parsed = Deployment::parse(&text, path)?;
    check(parsed, &text, path, catalog)
}

/// The default file ([`default_path`]), or `None` when there is none: a
/// deployment file is optional, but one that exists must be right.
pub fn load_default(catalog: &Catalog) -> Result<Option<Deployment>, DeploymentError> {
    match default_path() {
        Some(path) if path.exists() => load(&path, catalog).map(Some),
        _ => Ok(None),
    }
}

/// Checks a parsed deployment against `catalog`, reporting the first
/// problem in file order; `text` is the file's text, to find positions in.
pub fn check(
    parsed: Deployment,
    text: &str,
    path: &Path,
    catalog: &Catalog,
) -> Result<Deployment, DeploymentError> {
    let mut problems: Vec<Problem> = Vec::new();
    let mut out = Deployment {
        machines: Default::default(),
        ports: Default::default(),
        rules: parsed.rules.clone(),
    };
    for (role, machines) in &parsed.machines {
        let at_key = || vec![Step::Field("machines"), Step::Key(role)];
        let id = match role_id(catalog, role) {
            Ok(id) => id,
            Err((message, hint)) => {
                problems.push(Problem::new(at_key(), message, hint));
                continue;
            }
        };
        if out.machines.contains_key(&id) {
            problems.push(Problem::new(
                at_key(),
                format!("`{role}` names {id}, which another entry already names"),
                format!("give all the machines of {id} in one list"),
            ));
            continue;
        }
        if machines.is_empty() {
            // An empty list would count as "given, with no addresses": the
            // role's rules would open to any address without a word.
            problems.push(Problem::new(
                at_key(),
                format!("`{role}` lists no machine"),
                "list its machines, or leave the role out (then rules refuse or mark what they cannot scope)",
            ));
            continue;
        }
        for (i, machine) in machines.iter().enumerate() {
            let at = |field: &'static str| {
                let mut steps = vec![Step::Field("machines"), Step::Field(role), Step::Index(i)];
                if !field.is_empty() {
                    steps.push(Step::Field(field));
                }
                steps
            };
            if let Some((field, message, hint)) = machine_problem(machine) {
                problems.push(Problem::new(at(field), message, hint));
            }
        }
        out.machines.insert(id, machines.clone());
    }
    let mut settings = Settings::default();
    for (key, port) in &parsed.ports {
        let Some(feature) = catalog
            .setup_features
            .iter()
            .find(|f| f.key.eq_ignore_ascii_case(key.trim()))
        else {
            let e = unknown_setup_key(catalog, key.trim());
            problems.push(Problem::new(
                vec![Step::Field("ports"), Step::Key(key)],
                e.message,
                e.hint,
            ));
            continue;
        };
        let at_value = vec![Step::Field("ports"), Step::Field(key)];
        if *port == 0 {
            problems.push(Problem::new(
                at_value,
                format!("{key}: 0 is not a port"),
                "ports are 1-65535",
            ));
        } else if *port == RESERVED_PORT {
            problems.push(Problem::new(
                at_value,
                format!(
                    "{key}: VMM setup reserves port {RESERVED_PORT} (WinRM over HTTPS) and never assigns it to a feature"
                ),
                "choose another port",
            ));
        } else {
            settings.ports.insert(feature.key.clone(), *port);
            out.ports.insert(feature.key.clone(), *port);
        }
    }
    if let Some(group) = &parsed.rules.group {
        settings.group = group.clone();
    }
    // Clashes between ports, and a group that is empty or not plain text:
    // the same checks as flags and the config file get.
    if problems.is_empty()
        && let Err(e) = settings.check(catalog)
    {
        let at = if parsed.rules.group.is_some() && e.message.contains("group") {
            vec![Step::Field("rules"), Step::Field("group")]
        } else {
            // A clash names the keys; point at the first one written.
            let key = parsed
                .ports
                .keys()
                .find(|k| e.message.contains(k.as_str()))
                .map_or("", String::as_str);
            vec![Step::Field("ports"), Step::Field(key)]
        };
        problems.push(Problem::new(at, e.message, e.hint));
    }
    let found: Vec<(crate::catalog::locate::Position, Problem)> = problems
        .into_iter()
        .map(|p| (locate(text, &p.steps), p))
        .collect();
    match found.into_iter().min_by_key(|(at, _)| (at.line, at.col)) {
        Some((at, p)) => Err(DeploymentError {
            path: path.to_path_buf(),
            position: Some((at.line, at.col)),
            message: p.message,
            hint: Some(p.hint),
        }),
        None => Ok(out),
    }
}

/// A problem before its position is found.
struct Problem<'a> {
    steps: Vec<Step<'a>>,
    message: String,
    hint: String,
}

impl<'a> Problem<'a> {
    fn new(steps: Vec<Step<'a>>, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Problem {
            steps,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// The component id a role key names, as `--remote` resolves it; a service
/// that runs on another machine has none of its own.
pub(crate) fn role_id(catalog: &Catalog, role: &str) -> Result<String, (String, String)> {
    let id = match catalog.resolve_component(role) {
        Ok(c) => c.id.clone(),
        Err(candidates) if candidates.is_empty() => {
            let known: Vec<&str> = catalog.components.iter().map(|c| c.id.as_str()).collect();
            return Err((
                format!("no component matches the role `{role}`"),
                format!(
                    "{} (a role is a component id, name or alias; `vmmports list` shows them)",
                    crate::catalog::suggestion("component", role, &known)
                ),
            ));
        }
        Err(_) => {
            let e = resolve(catalog, role, "role").expect_err("ambiguous a moment ago");
            return Err((e.message, e.hint));
        }
    };
    if let Some(host) = catalog.component(&id).and_then(|c| c.runs_on.as_deref()) {
        return Err((
            format!("{id} runs on {host}, so it has no machines of its own"),
            format!("list those machines under \"{host}\""),
        ));
    }
    Ok(id)
}

/// What is wrong with one machine, at which of its fields ("" for itself).
fn machine_problem(machine: &Machine) -> Option<(&'static str, String, String)> {
    if machine.name.is_none() && machine.address.is_none() {
        return Some((
            "",
            "a machine with neither a name nor an address".into(),
            "give it `name: \"HOST\"`, `address: \"IP or CIDR\"`, or both".into(),
        ));
    }
    if let Some(name) = &machine.name
        && let Err(why) = host_name(name)
    {
        return Some((
            "name",
            format!(
                "`{}` is not a host name: {why}",
                crate::text::printable(name)
            ),
            format!("{HOST_NAME_HINT}; put an IP address under `address:`"),
        ));
    }
    if let Some(address) = &machine.address
        && let Some((message, hint)) = address_problem(address)
    {
        return Some(("address", message, hint));
    }
    None
}

/// What a host name is made of, for hints.
pub(crate) const HOST_NAME_HINT: &str = "a host name is letters, digits, hyphens and underscores, in dot-separated labels (hv01.contoso.com)";

/// What is wrong with a machine's address, and how to write it: one IP
/// address or one CIDR subnet, never a range or a Windows keyword.
pub(crate) fn address_problem(address: &str) -> Option<(String, String)> {
    let shown = crate::text::printable(address);
    let hint = "write an IPv4 or IPv6 address (10.0.1.21) or a subnet (10.0.1.0/24)".to_string();
    match Address::parse(address) {
        Ok(Address::Ip(_) | Address::Net(..)) => None,
        Ok(Address::Range(..)) => Some((
            format!("`{shown}` is a range; a machine's address is one address or a subnet"),
            "write the range as subnets, or one machine per address".into(),
        )),
        Ok(Address::Keyword(k)) => Some((
            format!("`{k}` is a Windows Firewall keyword, not a machine's address"),
            hint,
        )),
        // A bad prefix has its own complaint; otherwise name only the two
        // kinds a machine's address can be (Address::parse offers more).
        Err(e) if address.contains('/') => Some((e.to_string(), hint)),
        Err(_) => Some((
            format!("`{shown}` is not an IP address or a subnet"),
            format!("{hint}; a host name goes in the name, not the address"),
        )),
    }
}

/// Whether `name` can be a host name: dot-separated labels of letters,
/// digits and hyphens (RFC 1123), none starting or ending with a hyphen, at
/// most 63 characters each and 253 in all; a final dot is allowed. An
/// underscore is allowed too: NetBIOS names carry them, and Windows keeps
/// them in its DNS names.
pub fn host_name(name: &str) -> Result<(), String> {
    crate::text::check_plain("the name", name)?;
    let bare = name.strip_suffix('.').unwrap_or(name);
    if bare.is_empty() {
        return Err("it is empty".into());
    }
    if bare.len() > 253 {
        return Err("it is longer than 253 characters".into());
    }
    for label in bare.split('.') {
        if label.is_empty() {
            return Err("it has an empty label (two dots in a row)".into());
        }
        if label.len() > 63 {
            return Err(format!("the label `{label}` is longer than 63 characters"));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
        {
            return Err(format!("`{c}` is not allowed in a host name"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("the label `{label}` starts or ends with a hyphen"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(text: &str) -> Result<Deployment, DeploymentError> {
        let catalog = crate::catalog::embedded().unwrap();
        let parsed = Deployment::parse(text, Path::new("d.ron"))?;
        check(parsed, text, Path::new("d.ron"), &catalog)
    }

    fn error_at(text: &str) -> (usize, usize, DeploymentError) {
        let e = checked(text).unwrap_err();
        let (line, col) = e.position.expect("a position");
        (line, col, e)
    }

    #[test]
    fn roles_by_name_or_alias_become_ids_and_keys_the_catalogs_spelling() {
        let d = checked(
            r#"(machines: {"sql": [(name: "sql01")], "VMM server": [(address: "10.0.0.5")]}, ports: {"bitstcpport": 8443})"#,
        )
        .unwrap();
        let roles: Vec<&str> = d.machines.keys().map(String::as_str).collect();
        assert_eq!(roles, ["sql-server", "vmm-server"]);
        assert_eq!(d.ports["BitsTcpPort"], 8443);
    }

    #[test]
    fn an_unknown_role_is_pointed_at_and_the_close_one_suggested() {
        let (line, col, e) =
            error_at("(\n  machines: {\n    \"hyperv-hots\": [(name: \"hv01\")],\n  },\n)");
        assert_eq!((line, col), (3, 5), "{e}");
        assert!(e.message.contains("hyperv-hots"), "{e}");
        assert!(e.hint.unwrap().contains("did you mean `hyperv-host`?"));
    }

    #[test]
    fn each_machine_problem_is_at_its_field() {
        let text = "(machines: {\"vmm-server\": [\n  (name: \"vmm01\"),\n  (),\n]})";
        assert_eq!(error_at(text).0, 3);
        let (line, col, e) = error_at(
            "(machines: {\"vmm-server\": [\n  (name: \"vmm+01\", address: \"10.0.0.5\"),\n]})",
        );
        assert_eq!((line, col), (2, 10), "{e}");
        assert!(e.message.contains("not a host name"), "{e}");
        let (line, col, e) = error_at(
            "(machines: {\"vmm-server\": [\n  (name: \"vmm01\", address: \"10.0.0.300\"),\n]})",
        );
        assert_eq!((line, col), (2, 28), "{e}");
        let (_, _, e) = error_at("(machines: {\"vmm-server\": [(address: \"LocalSubnet\")]})");
        assert!(
            e.message.contains("keyword, not a machine's address"),
            "{e}"
        );
    }

    #[test]
    fn a_service_on_another_machine_is_refused_as_remote_refuses_it() {
        let (line, _, e) = error_at("(\nmachines: {\"storage-service\": [(name: \"vmm01\")]})");
        assert_eq!(line, 2);
        assert!(e.message.contains("runs on vmm-server"), "{e}");
    }

    #[test]
    fn ports_are_checked_as_set_port_checks_them() {
        let (line, col, e) = error_at("(\n  ports: {\"BitsTcpPrt\": 8443},\n)");
        assert_eq!((line, col), (2, 11), "{e}");
        assert!(e.hint.unwrap().contains("BitsTcpPort"));
        let (line, col, e) = error_at("(\n  ports: {\"BitsTcpPort\": 5986},\n)");
        assert_eq!((line, col), (2, 26), "{e}");
        let (_, _, e) = error_at("(\n  ports: {\"BitsTcpPort\": 443, \"WSManTcpPort\": 443},\n)");
        assert!(e.message.contains("both use port 443"), "{e}");
        let (line, _, e) = error_at("(\n  rules: (\n    group: \"\",\n  ),\n)");
        assert_eq!(line, 3, "{e}");
    }

    #[test]
    fn the_first_problem_in_the_file_is_the_one_reported() {
        // Map order is alphabetical; the file's order decides.
        let text = "(machines: {\n\"zz\": [],\n\"aa\": [],\n})";
        assert_eq!(error_at(text).0, 2);
    }

    #[test]
    fn an_empty_list_of_machines_is_refused_at_its_role() {
        let (line, col, e) = error_at("(machines: {\n  \"hyperv-host\": [],\n})");
        assert_eq!((line, col), (2, 3), "{e}");
        assert!(e.message.contains("lists no machine"), "{e}");
    }

    #[test]
    fn host_names_follow_rfc_1123_and_netbios() {
        for good in [
            "hv01",
            "hv01.contoso.com",
            "HV-01.contoso.com.",
            "1host",
            "hv_01",
        ] {
            assert_eq!(host_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-hv",
            "hv-",
            "a..b",
            "hv 01",
            "hv/01",
            "hv:1",
            &"a".repeat(64),
        ] {
            assert!(host_name(bad).is_err(), "{bad}");
        }
    }
}
