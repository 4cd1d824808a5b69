//! `okr`: OKRs as code. Parses the command line, runs the command, and turns the
//! outcome into an exit code: 0 success, 1 lint found errors, 2 could not do the job.

mod cli;
mod commands;
mod config;
mod diagnostic;
mod error;
mod history;
mod index;
mod loader;
mod memory;
mod model;
mod period;
mod progress;
mod render;
#[cfg(test)]
mod robustness;
mod rollup;
mod rules;
mod selection;
mod source;
mod terminal;
mod toml_read;
mod toml_tree;
mod words;

use clap::Parser;
use std::process::ExitCode;

/// How a command ended when it did its job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    /// Lint found errors (or warnings under `--deny warnings`).
    Findings,
}

/// mimalloc: goal files and their history make millions of small allocations, where the
/// system allocator spent about a third of `okr progress`'s time (perf, 10,000 files).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stack for the command thread. Alignment chains are walked recursively, and a
/// repository may chain tens of thousands of objectives; only touched pages cost memory.
const STACK_SIZE: usize = 512 * 1024 * 1024;

fn main() -> ExitCode {
    memory::disable_huge_pages();
    let cli = cli::Cli::parse();
    let color = terminal::use_color(cli.global.color);
    terminal::install_report_handler(color);
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || commands::run(cli, color));
    let result = match worker {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(_) => return ExitCode::from(2),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(error::Error::Output(io)) if io.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(error) => {
            terminal::report_error(error);
            ExitCode::from(2)
        }
    }
}
