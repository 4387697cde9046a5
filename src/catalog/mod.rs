//! The catalog: which machines talk to which, on what ports, and who can
//! change them. Loaded from RON or JSON, validated, never tied to a terminal.

mod load;
pub mod locate;
mod model;
mod probe;
mod stream;
mod validate;

pub use load::{
    EMBEDDED_ORIGIN, EMBEDDED_TEXT, Format, LoadError, Problem, embedded, load_file,
    load_file_handing_over, load_file_with, load_str, load_str_handing_over, load_str_with,
    to_json, to_ron,
};
pub use model::*;
pub use probe::Probe;
pub use stream::BATCH;
pub use validate::suggestion;
