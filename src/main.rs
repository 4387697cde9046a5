fn main() -> std::process::ExitCode {
    let cli = vmmports::cli::Cli::parse_args();
    std::process::ExitCode::from(vmmports::cli::run(cli) as u8)
}
