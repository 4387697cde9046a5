use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = vmmports::cli::Cli::parse();
    std::process::ExitCode::from(vmmports::cli::run(cli) as u8)
}
