//! `sweep`: from this machine, acting as one role, probe every machine of
//! the deployment on the ports its role must answer from that role, all at
//! once, and say which did not answer as expected.
//!
//! Core: no terminal code. [`plan`] decides who and which ports, [`run`]
//! probes (TCP connects through [`connect`]'s poller, then `check`'s probes),
//! [`result`] is what one port gave, [`tally`] what a sweep
//! found so far, [`saved`] keeps the last sweep for
//! `--diff`.

pub mod connect;
pub mod plan;
pub mod result;
pub mod run;
pub mod saved;
pub mod tally;

pub use plan::{Host, NotSwept, Plan, RolePorts, plan};
pub use result::{PortResult, State};
pub use run::{Event, Options, spawn};
pub use tally::Tally;
