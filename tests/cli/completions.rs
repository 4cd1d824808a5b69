//! `okr completions SHELL` prints a completion script that lists the subcommands.

use super::support::{okr, repo_root};

#[test]
fn completion_scripts_name_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = okr(&repo_root(), &["completions", shell]);
        assert_eq!(output.code, 0, "{shell}: {}", output.stderr);
        for subcommand in ["lint", "progress", "history"] {
            assert!(
                output.stdout.contains(subcommand),
                "{shell} script lacks {subcommand}"
            );
        }
    }
}
