//! Baseline for the lint and progress benchmarks: how fast the bare `toml` crate parses
//! the same goal files into a `toml::Table`, with no okr code involved.
//!
//! Usage: `cargo bench --bench toml_parse -- FOLDER`. Reads every `*.toml` under FOLDER
//! into memory first, so the figures are parse time only. Prints the best of several
//! rounds, on one thread and on all cores, as `name: value` lines for `bench/run.sh`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // Nothing useful is left to do if stderr itself fails.
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let folder = std::env::args()
        .nth(1)
        .filter(|argument| argument != "--bench")
        .ok_or("missing FOLDER: usage `cargo bench --bench toml_parse -- FOLDER`")?;
    let mut paths = Vec::new();
    collect_toml_files(Path::new(&folder), &mut paths)
        .map_err(|error| format!("failed to list {folder}: {error}"))?;
    if paths.is_empty() {
        return Err(format!("no *.toml files found under {folder}"));
    }
    paths.sort();
    let mut texts = Vec::with_capacity(paths.len());
    for path in &paths {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("failed to read {}: {error}", path.display()))?;
        texts.push(text);
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let threads = std::thread::available_parallelism().map_or(1, |count| count.get());

    let single = best_of(ROUNDS, || parse_all(&texts))?;
    let parallel = best_of(ROUNDS, || parse_in_parallel(&texts, threads))?;

    let rate = |elapsed: Duration| texts.len() as f64 / elapsed.as_secs_f64();
    let mut out = std::io::stdout().lock();
    let report = format!(
        "files: {}\nbytes: {bytes}\nthreads: {threads}\n\
         single_thread_seconds: {:.6}\nsingle_thread_files_per_second: {:.0}\n\
         all_cores_seconds: {:.6}\nall_cores_files_per_second: {:.0}\n",
        texts.len(),
        single.as_secs_f64(),
        rate(single),
        parallel.as_secs_f64(),
        rate(parallel),
    );
    out.write_all(report.as_bytes())
        .map_err(|error| format!("failed to write the report: {error}"))
}

/// Appends every `*.toml` below `folder` to `paths`, skipping hidden entries.
fn collect_toml_files(folder: &Path, paths: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_toml_files(&path, paths)?;
        } else if kind.is_file() && path.extension().is_some_and(|ext| ext == "toml") {
            paths.push(path);
        }
    }
    Ok(())
}

/// Runs `parse` `rounds` times and returns the shortest wall time.
fn best_of(
    rounds: usize,
    mut parse: impl FnMut() -> Result<(), String>,
) -> Result<Duration, String> {
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let started = Instant::now();
        parse()?;
        best = best.min(started.elapsed());
    }
    Ok(best)
}

fn parse_all(texts: &[String]) -> Result<(), String> {
    for (index, text) in texts.iter().enumerate() {
        let table = toml::from_str::<toml::Table>(text)
            .map_err(|error| format!("file {index} is not valid TOML: {error}"))?;
        std::hint::black_box(table);
    }
    Ok(())
}

/// Parses the files in one contiguous chunk per thread, with plain scoped threads so
/// that no scheduling library adds to the baseline.
fn parse_in_parallel(texts: &[String], threads: usize) -> Result<(), String> {
    let chunk = texts.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = texts
            .chunks(chunk)
            .map(|part| scope.spawn(|| parse_all(part)))
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| "a parser thread panicked".to_owned())??;
        }
        Ok(())
    })
}
