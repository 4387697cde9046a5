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
