//! Mutation tests: thousands of damaged goal files go through the loader, every rule
//! and the roll-up, and none may panic. Deterministic, so a failure reproduces.

use crate::config::Config;
use crate::index::Index;
use crate::loader::Workspace;
use crate::rollup::{CheckIns, Rollup};
use crate::rules::{Context, check_all};

const SEED_FILES: [&str; 2] = [
    include_str!("../tests/fixtures/sample/okrs/platform.toml"),
    include_str!("../tests/fixtures/sample/okrs/数据.toml"),
];

/// A small xorshift generator: enough spread for mutations, no dependency.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, limit: usize) -> usize {
        usize::try_from(self.next() % limit.max(1) as u64).unwrap()
    }

    /// Deletes, duplicates, swaps or overwrites a few bytes or whole lines.
    fn mutate(&mut self, text: &[u8]) -> Vec<u8> {
        let mut bytes = text.to_vec();
        const NOISE: &[&[u8]] = &[
            b"[[objective]]\n",
            b"[[objective.key_result]]\n",
            b"=",
            b"\"",
            b"[",
            b"]",
            b"{",
            b"0x",
            b"-",
            b"1e400",
            b"nan",
            b"\xff",
            b"\xe6\x95",
            b"\n",
            b"\r\n",
            b"2026-02-30",
            b"kind = \"maintain\"\n",
            b"weight = 0\n",
            b"aligns_to = [\"reliable-checkout\"]\n",
        ];
        for _ in 0..=self.below(4) {
            let at = self.below(bytes.len() + 1);
            match self.below(4) {
                0 if !bytes.is_empty() => {
                    let end = (at + self.below(20)).min(bytes.len());
                    bytes.drain(at.min(end)..end);
                }
                1 => {
                    let noise = NOISE[self.below(NOISE.len())];
                    bytes.splice(at..at, noise.iter().copied());
                }
                2 if at < bytes.len() => bytes[at] = u8::try_from(self.below(256)).unwrap(),
                _ => {
                    let from = self.below(bytes.len());
                    let end = (from + self.below(60)).min(bytes.len());
                    let copied: Vec<u8> = bytes[from..end].to_vec();
                    bytes.splice(at..at, copied);
                }
            }
        }
        bytes
    }
}

#[test]
fn damaged_files_never_panic() {
    let mut mutator = Mutator(0x5eed_0ca7_1234_5678);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
    for round in 0..1500 {
        let contents: Vec<(String, Vec<u8>)> = SEED_FILES
            .iter()
            .enumerate()
            .map(|(index, text)| {
                (
                    format!("okrs/{index}.toml"),
                    mutator.mutate(text.as_bytes()),
                )
            })
            .collect();
        let config = Config::defaults("/repo".into(), "/repo".into());
        let workspace = Workspace::from_contents(config, contents);
        let index = Index::build(&workspace);
        let context = Context::new(&workspace, &index, as_of);
        let findings = check_all(&context);
        let _ = Rollup::compute(&workspace, &index, as_of, &CheckIns::default());
        for finding in findings {
            let source = &workspace.sources[finding.file];
            if let Some(span) = finding.span {
                let position = source.position(span.start);
                assert!(position.line >= 1, "round {round}: bad position");
            }
        }
    }
}
