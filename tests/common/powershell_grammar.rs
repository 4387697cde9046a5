//! PowerShell's grammar (tree-sitter-powershell), for reading generated
//! Windows lines as PowerShell itself would: what runs, and what does not.

use tree_sitter::{Node, Parser, Tree};

pub fn parser() -> Parser {
    let mut p = Parser::new();
    p.set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("tree-sitter-powershell loads");
    p
}

/// `node` and every node below it, in document order.
pub fn walk<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    out.push(node);
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, out);
    }
}

/// Node kinds that run or read something beyond one plain command with
/// literal arguments: sub-expressions `$(…)` and `(…)`, script blocks,
/// redirection, `@(…)` and `@{…}`, member calls, `&`/`.` invocation and
/// variables. (Every command sits in a `pipeline_chain` node, so chains
/// and pipes show as more than one command instead.)
const ACTIVE: [&str; 13] = [
    "sub_expression",
    "parenthesized_expression",
    "script_block",
    "script_block_expression",
    "redirection",
    "redirections",
    "file_redirection_operator",
    "merging_redirection_operator",
    "array_expression",
    "hash_literal_expression",
    "invokation_expression",
    "command_invokation_operator",
    "variable",
];

/// What PowerShell would do with `line` pasted on its own: `Ok(None)` for a
/// comment or a blank line, `Ok(Some(name))` for exactly one command with
/// inert arguments, `Err` for anything else (a parse error, two commands, a
/// nested command, a sub-expression, a redirection, a variable…).
pub fn pasted_line(parser: &mut Parser, line: &str) -> Result<Option<String>, String> {
    // With its line break, as pasted. The grammar cannot parse a program
    // that is only a comment, so a comment line gets a harmless statement
    // (`0`) on the next line, which the checks below leave out.
    let text = if line.trim_start().starts_with('#') {
        format!("{line}\n0\n")
    } else {
        format!("{line}\n")
    };
    let tree: Tree = parser.parse(&text, None).ok_or("no tree")?;
    let root = tree.root_node();
    let show = || format!("{line}\n{}", root.to_sexp());
    if root.has_error() {
        return Err(format!("parse error in {}", show()));
    }
    let mut nodes = Vec::new();
    walk(root, &mut nodes);
    nodes.retain(|n| n.start_position().row == 0);
    if let Some(active) = nodes.iter().find(|n| ACTIVE.contains(&n.kind())) {
        return Err(format!("`{}` in {}", active.kind(), show()));
    }
    let commands: Vec<&Node> = nodes.iter().filter(|n| n.kind() == "command").collect();
    match commands.as_slice() {
        [] if nodes
            .iter()
            .all(|n| matches!(n.kind(), "program" | "comment")) =>
        {
            Ok(None)
        }
        [] => Err(format!("neither a command nor a comment: {}", show())),
        [command] => {
            let name = command
                .child_by_field_name("command_name")
                .map(|n| text[n.byte_range()].to_string())
                .ok_or_else(|| format!("a command without a name: {}", show()))?;
            Ok(Some(name))
        }
        more => Err(format!("{} commands in {}", more.len(), show())),
    }
}

/// One generated command line as the grammar reads it: the command's name
/// and, after each `-Flag`, its argument's text (quotes included) when that
/// argument is exactly one single-quoted string.
#[derive(Debug)]
pub struct OneCommand {
    pub name: String,
    pub flags: Vec<(String, Option<String>)>,
}

impl OneCommand {
    /// The raw source text of a flag's single-string argument.
    pub fn raw(&self, flag: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(flag))
            .and_then(|(_, l)| l.as_deref())
    }

    /// The un-quoted value of a flag's single-string argument, by the
    /// reference rules of [`super::powershell_literal`].
    pub fn string(&self, flag: &str) -> Result<String, String> {
        let (_, literal) = self
            .flags
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(flag))
            .ok_or_else(|| format!("no {flag} in {self:?}"))?;
        let literal = literal
            .as_deref()
            .ok_or_else(|| format!("{flag} is not followed by one string literal"))?;
        super::powershell_literal::unquote(literal)
    }
}

/// Parses one line, which must have no error and exactly one command node,
/// named as one of `allowed`: a generated line that parses otherwise would
/// run something else, or two things.
pub fn one_command(
    parser: &mut Parser,
    line: &str,
    allowed: &[&str],
) -> Result<OneCommand, String> {
    let tree = parser
        .parse(line, None)
        .ok_or_else(|| format!("no tree for {line}"))?;
    let root = tree.root_node();
    if root.has_error() {
        return Err(format!("parse error in\n{line}\n{}", root.to_sexp()));
    }
    let mut nodes = Vec::new();
    walk(root, &mut nodes);
    let commands: Vec<Node> = nodes
        .into_iter()
        .filter(|n| n.kind() == "command")
        .collect();
    let [command] = commands.as_slice() else {
        return Err(format!(
            "{} command nodes (want 1) in\n{line}\n{}",
            commands.len(),
            root.to_sexp()
        ));
    };
    let text = |n: Node| line[n.byte_range()].to_string();
    let name = command
        .child_by_field_name("command_name")
        .map(text)
        .ok_or_else(|| format!("command without a name in {line}"))?;
    if !allowed.contains(&name.as_str()) {
        return Err(format!("unexpected command `{name}` in {line}"));
    }
    let mut flags = Vec::new();
    if let Some(elements) = command.child_by_field_name("command_elements") {
        let mut cursor = elements.walk();
        let args: Vec<Node> = elements
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "command_argument_sep")
            .collect();
        for (i, arg) in args.iter().enumerate() {
            if arg.kind() != "command_parameter" {
                continue;
            }
            let literal = args
                .get(i + 1)
                .filter(|n| n.kind() != "command_parameter")
                .and_then(|n| single_string_literal(*n))
                .map(text);
            flags.push((text(*arg), literal));
        }
    }
    Ok(OneCommand { name, flags })
}

/// The `verbatim_string_characters` node of an argument that is exactly one
/// single-quoted string (`array_literal_expression > unary_expression >
/// string_literal > verbatim_string_characters`).
pub fn single_string_literal(node: Node) -> Option<Node> {
    let mut n = node;
    for kind in [
        "array_literal_expression",
        "unary_expression",
        "string_literal",
    ] {
        if n.kind() != kind || n.named_child_count() != 1 {
            return None;
        }
        n = n.named_child(0)?;
    }
    (n.kind() == "verbatim_string_characters").then_some(n)
}
