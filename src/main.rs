fn main() {
    match vmmports::catalog::embedded() {
        Ok(c) => println!("{} connections", c.connections.len()),
        Err(e) => eprintln!("{e}"),
    }
}
