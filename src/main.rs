fn main() {
    let cli = rota::Cli::parse_args();
    let code = match rota::Env::from_process().and_then(|env| rota::run(cli, &env)) {
        Ok(()) => rota::error::exit_code::SUCCESS,
        Err(err) => {
            eprintln!("{}", err.render(rota::stderr_color()));
            err.exit_code()
        }
    };
    std::process::exit(code);
}
