//! `perp-sim run FILE.json` (or `-` for stdin): one JSON line per step on stdout; see the
//! library documentation for the format and the mapping onto the chain.

use clap::{Parser, Subcommand};
use perp_sim::{Scenario, Simulation};
use std::{
	io::{self, Read, Write},
	path::{Path, PathBuf},
	process::ExitCode,
};

#[derive(Parser)]
#[command(name = "perp-sim", version, about = "floorperp scenario runner (docs/scenarios.md)")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Runs a JSON scenario against the real runtime and prints one JSON line per step.
	Run {
		/// The scenario file, or `-` to read it from stdin.
		file: PathBuf,
	},
}

fn main() -> ExitCode {
	let Cli { command: Command::Run { file } } = Cli::parse();
	match run_file(&file) {
		Ok(()) => ExitCode::SUCCESS,
		Err(message) => {
			eprintln!("perp-sim: {message}");
			ExitCode::FAILURE
		},
	}
}

/// Reads, checks and runs the scenario, printing each step's line as soon as it is known
/// (a long scenario shows progress, and a set-up error prints nothing on stdout).
fn run_file(file: &Path) -> Result<(), String> {
	let text = read_scenario(file)?;
	let scenario = Scenario::parse(&text).map_err(|error| error.to_string())?;
	let mut simulation = Simulation::new(&scenario).map_err(|error| error.to_string())?;
	let stdout = io::stdout();
	let mut out = stdout.lock();
	for (index, step) in scenario.steps.iter().enumerate() {
		let report = simulation
			.run_step(index.saturating_add(1), step)
			.map_err(|error| error.to_string())?;
		let line = report.to_json_line().map_err(|error| error.to_string())?;
		let written = writeln!(out, "{line}");
		if stopped_reading(&written) {
			return Ok(());
		}
		written.map_err(|error| format!("cannot write output: {error}"))?;
	}
	out.flush().map_err(|error| format!("cannot write output: {error}"))
}

/// The reader closed the pipe (`perp-sim run x.json | head`): not an error.
fn stopped_reading(result: &io::Result<()>) -> bool {
	matches!(result, Err(error) if error.kind() == io::ErrorKind::BrokenPipe)
}

fn read_scenario(file: &Path) -> Result<String, String> {
	if file == Path::new("-") {
		let mut text = String::new();
		io::stdin()
			.read_to_string(&mut text)
			.map_err(|error| format!("cannot read stdin: {error}"))?;
		return Ok(text);
	}
	std::fs::read_to_string(file)
		.map_err(|error| format!("cannot read {}: {error}", file.display()))
}
