//! Host ranges as Ansible writes them: `hv[01:20].contoso.com` (the width
//! of a start with a leading zero kept), `node[a:f]`, `web[0:10:2]`
//! (a step); several in one pattern multiply.

/// More than this many hosts from one pattern is a typo, not a fleet.
const MOST: usize = 100_000;

/// The hosts an inventory's host pattern names, without the SSH port it
/// may end in, or why it names none.
pub fn hosts(pattern: &str) -> Result<Vec<String>, String> {
    expand(without_port(pattern))
}

/// `badwolf.example.com:5309` and `hv[01:03]:2222`: the port is no part of
/// the name. An IPv6 address, with colons of its own, keeps them all.
fn without_port(pattern: &str) -> &str {
    let Some((host, port)) = pattern.rsplit_once(':') else {
        return pattern;
    };
    let mut depth = 0i32;
    let colon_outside_ranges = host.chars().any(|c| {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ => {}
        }
        c == ':' && depth == 0
    });
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || colon_outside_ranges {
        return pattern;
    }
    host
}

/// The hosts a pattern names, or why it names none.
fn expand(pattern: &str) -> Result<Vec<String>, String> {
    let Some(open) = pattern.find('[') else {
        return Ok(vec![pattern.to_string()]);
    };
    let close = pattern[open..]
        .find(']')
        .map(|i| open + i)
        .ok_or_else(|| format!("`{pattern}`: a range opened with `[` is never closed"))?;
    let (prefix, inside, rest) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let parts: Vec<&str> = inside.split(':').collect();
    let (start, end, step) = match parts[..] {
        [start, end] => (start, end, 1),
        [start, end, step] => (
            start,
            end,
            step.parse::<usize>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| format!("`{pattern}`: the step `{step}` is not a number above 0"))?,
        ),
        _ => {
            return Err(format!(
                "`{pattern}`: a range is [START:END] or [START:END:STEP], e.g. hv[01:20]"
            ));
        }
    };
    let middles = middles(pattern, start, end, step)?;
    let tails = expand(rest)?;
    if middles.len().saturating_mul(tails.len()) > MOST {
        return Err(format!("`{pattern}` names more than {MOST} hosts"));
    }
    Ok(middles
        .iter()
        .flat_map(|m| tails.iter().map(move |t| format!("{prefix}{m}{t}")))
        .collect())
}

fn middles(pattern: &str, start: &str, end: &str, step: usize) -> Result<Vec<String>, String> {
    let backwards = || format!("`{pattern}`: the range ends before it starts");
    if let (Ok(first), Ok(last)) = (start.parse::<u64>(), end.parse::<u64>()) {
        if first > last {
            return Err(backwards());
        }
        if (last - first) / step as u64 >= MOST as u64 {
            return Err(format!("`{pattern}` names more than {MOST} hosts"));
        }
        // `01` keeps two digits, as Ansible does; `1` none.
        let width = if start.len() > 1 && start.starts_with('0') {
            start.len()
        } else {
            0
        };
        return Ok((first..=last)
            .step_by(step)
            .map(|n| format!("{n:0width$}"))
            .collect());
    }
    let letter = |s: &str| {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Some(c),
            _ => None,
        }
    };
    match (letter(start), letter(end)) {
        (Some(first), Some(last)) if first <= last => {
            Ok((first..=last).step_by(step).map(String::from).collect())
        }
        (Some(_), Some(_)) => Err(backwards()),
        _ => Err(format!(
            "`{pattern}`: `{start}:{end}` is neither numbers nor single letters"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_expand_as_ansible_expands_them() {
        assert_eq!(
            expand("hv[08:11].contoso.com").unwrap(),
            [
                "hv08.contoso.com",
                "hv09.contoso.com",
                "hv10.contoso.com",
                "hv11.contoso.com"
            ]
        );
        assert_eq!(expand("n[1:3]").unwrap(), ["n1", "n2", "n3"]);
        assert_eq!(expand("w[0:6:3]").unwrap(), ["w0", "w3", "w6"]);
        assert_eq!(expand("[a:c]x").unwrap(), ["ax", "bx", "cx"]);
        assert_eq!(
            expand("r[1:2]c[a:b]").unwrap(),
            ["r1ca", "r1cb", "r2ca", "r2cb"]
        );
        assert_eq!(expand("plain").unwrap(), ["plain"]);
    }

    #[test]
    fn a_port_is_no_part_of_the_name() {
        assert_eq!(hosts("h.example.com:5309").unwrap(), ["h.example.com"]);
        assert_eq!(hosts("hv[01:02]:2222").unwrap(), ["hv01", "hv02"]);
        assert_eq!(hosts("hv[01:02]").unwrap(), ["hv01", "hv02"]);
        assert_eq!(hosts("fe80::1").unwrap(), ["fe80::1"]);
        assert_eq!(hosts("2001:db8::5").unwrap(), ["2001:db8::5"]);
    }

    #[test]
    fn a_broken_range_says_why() {
        assert!(expand("hv[3:1]").unwrap_err().contains("ends before"));
        assert!(expand("hv[1:3").unwrap_err().contains("never closed"));
        assert!(expand("hv[1-3]").unwrap_err().contains("[START:END]"));
        assert!(expand("hv[1:3:0]").unwrap_err().contains("step"));
        assert!(expand("hv[0:999999]").unwrap_err().contains("more than"));
    }
}
