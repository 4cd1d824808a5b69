#!/usr/bin/env bash
# Benchmarks okr lint, progress and history, each beside a baseline run on the same
# machine in the same run: the bare `toml` crate for lint and progress, and
# `git log --first-parent -p -- okrs/` for history. BENCHMARKS.md explains each figure.
#
# Writes a Markdown report to stdout and to bench/results/<date>.md
# (<date>-quick.md with --quick). Progress messages go to stderr.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/run.sh [--quick] [--runs N] [--seed N] [--cache DIR]

  --quick      small repositories (250 and 500 goal files; 500 files x 2,000 commits
               for history), one run each; finishes in under a minute after the build
  --runs N     runs per measurement; the report shows the median wall time and the
               largest peak memory (default 5, or 1 with --quick)
  --seed N     generator seed (default 1)
  --cache DIR  where generated repositories are kept and reused, keyed by size, seed
               and generator version (default ${TMPDIR:-/tmp}/okr-bench); must be
               outside the source tree
EOF
}

bench_dir=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$bench_dir/.." && pwd)
cache=${TMPDIR:-/tmp}/okr-bench
quick=0
runs=
seed=1

while (($#)); do
    case $1 in
    --quick) quick=1 ;;
    --runs | --seed | --cache)
        if (($# < 2)); then
            echo "error: $1 needs a value" >&2
            exit 2
        fi
        case $1 in
        --runs) runs=$2 ;;
        --seed) seed=$2 ;;
        --cache) cache=$2 ;;
        esac
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        echo "error: unknown option '$1'" >&2
        usage >&2
        exit 2
        ;;
    esac
    shift
done

if ((quick)); then
    lint_sizes=(250 500)
    history_files=500
    history_commits=2000
    runs=${runs:-1}
else
    lint_sizes=(2000 10000 20000)
    history_files=10000
    history_commits=100000
    runs=${runs:-5}
fi
history_quarters=2
# The lint and progress rate targets are judged at this size (the largest in --quick).
if ((quick)); then target_size=${lint_sizes[-1]}; else target_size=10000; fi

if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
    echo "error: --runs must be a positive integer, got '$runs'" >&2
    exit 2
fi
if ! [[ $seed =~ ^[0-9]+$ ]]; then
    echo "error: --seed must be a non-negative integer, got '$seed'" >&2
    exit 2
fi
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
if [[ $cache == "$repo_root" || $cache == "$repo_root"/* ]]; then
    echo "error: --cache $cache is inside the source tree; choose a folder outside $repo_root" >&2
    exit 2
fi

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- Build ---------------------------------------------------------------------------

work=$(mktemp -d "$cache/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'log "error: bench/run.sh stopped by SIGINT"; exit 130' INT
trap 'log "error: bench/run.sh stopped by SIGTERM"; exit 143' TERM
trap 'log "error: line $LINENO failed: $BASH_COMMAND"' ERR

log "Building okr and the toml_parse bench (release profile)..."
if ! (cd "$repo_root" && cargo build --release) >"$work/build.txt" 2>&1 ||
    ! (cd "$repo_root" && cargo bench --bench toml_parse --no-run --message-format=json \
        >"$work/bench-build.json" 2>>"$work/build.txt"); then
    cat "$work/build.txt" >&2
    echo "error: the build failed; its output is above" >&2
    exit 1
fi
parse_exe=$(python3 -c '
import json, sys
paths = [m["executable"] for m in map(json.loads, sys.stdin)
         if m.get("reason") == "compiler-artifact"
         and m["target"]["name"] == "toml_parse" and m.get("executable")]
print(paths[-1])' <"$work/bench-build.json")

# Copies of both binaries, so that a rebuild during the run cannot change them.
okr="$work/okr"
parse_bench="$work/toml_parse"
cp "$repo_root/target/release/okr" "$okr"
cp "$parse_exe" "$parse_bench"

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
okr_commit=$(git -C "$repo_root" rev-parse --short HEAD)
if [[ -n $(git -C "$repo_root" status --porcelain -- src Cargo.lock) ]]; then
    okr_commit="$okr_commit with uncommitted changes in src/ or Cargo.lock"
fi

# --- Repositories --------------------------------------------------------------------

generator_version=$(sha256sum "$bench_dir/generate.py" | cut -c1-12)
repositories="$work/repositories.md"
: >"$repositories"

# Prints the path of a generated repository, generating it first unless the cache has it.
repository() {
    local files=$1 commits=$2 quarters=$3
    local dir="$cache/repos/files$files-commits$commits-quarters$quarters-seed$seed-gen$generator_version"
    if [[ ! -d $dir ]]; then
        rm -rf "$dir.partial"
        mkdir -p "$cache/repos"
        log "Generating $dir..."
        python3 "$bench_dir/generate.py" --files "$files" --commits "$commits" \
            --quarters "$quarters" --seed "$seed" --out "$dir.partial" >"$work/generate.txt"
        cat "$work/generate.txt" >&2
        mv "$dir.partial" "$dir"
        echo "- \`$(basename "$dir")\`: generated in this run: $(sed "s|$dir.partial|the repository|" "$work/generate.txt")" >>"$repositories"
    else
        echo "- \`$(basename "$dir")\`: reused from $cache/repos" >>"$repositories"
    fi
    printf '%s\n' "$dir"
}

# --- Measurement ---------------------------------------------------------------------

declare -A walls peaks
failure=

# Runs a command once with stdout to OUT and records wall seconds and peak RSS (KiB)
# under LABEL. ALLOWED lists the exit codes that count as success. On failure, sets
# `failure` to a one-line description and returns 1.
measure_once() {
    local label=$1 allowed=$2 out=$3
    shift 3
    local wall kb code started ended
    : >"$work/stderr.txt"
    if [[ -x /usr/bin/time ]]; then
        started=$(date +%s%N)
        set +e
        /usr/bin/time -v -o "$work/time.txt" "$@" >"$out" 2>"$work/stderr.txt"
        code=$?
        set -e
        ended=$(date +%s%N)
        wall=$(awk -v ns=$((ended - started)) 'BEGIN { printf "%.3f", ns / 1e9 }')
        kb=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
    else
        read -r wall kb code < <(python3 "$bench_dir/measure.py" "$out" "$@" 2>"$work/stderr.txt")
    fi
    if [[ " $allowed " != *" $code "* ]]; then
        failure="exit code $code: $(grep -m1 -v '^\s*$' "$work/stderr.txt" || true)"
        log "error: $label failed with $failure"
        return 1
    fi
    walls[$label]+=" $wall"
    if ((kb > ${peaks[$label]:-0})); then peaks[$label]=$kb; fi
    log "  $label: $wall s, $((kb / 1024)) MiB"
}

median_wall() {
    printf '%s\n' ${walls[$1]} | sort -g |
        awk '{ v[NR] = $1 } END { printf "%.3f\n", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'
}

# Arithmetic and formatting helpers over decimal strings.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
thousands() { printf '%.0f' "$1" | sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta'; }
mebibytes() { calc '%.0f' "$1 / 1024"; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo missed; fi; }

report="$work/report.md"
targets="$work/targets.md"
: >"$targets"

# --- Lint and progress ---------------------------------------------------------------

lint_section() {
    cat <<EOF
## lint and progress

Repositories of one quarter (2026-Q1) in one commit, made by \`bench/generate.py --files N
--commits 1 --quarters 1\`; \`--as-of\` is the date of that commit. okr runs as
\`okr -C REPO --color never --as-of DATE lint|progress > /dev/null\`, after one unmeasured
lint run that fills the page cache and writes okr's history cache in the git folder, so
the measured runs see a repository where okr has run before. The toml columns come
from \`benches/toml_parse.rs\` (files read into memory first, best of 5 rounds,
\`toml::from_str::<toml::Table>\`). "lint ÷ toml" is the toml parse rate on all cores
divided by the lint rate: how many times longer lint takes than parsing alone.

| goal files | toml parse, 1 thread | toml parse, all cores | lint | lint files/s | lint ÷ toml | lint peak | progress | progress files/s | progress ÷ lint | progress peak |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
    local size first_rate= last_rate= target_rate= target_toml= target_progress= notes=()
    for size in "${lint_sizes[@]}"; do
        local repo as_of files parse_single parse_all lint_label progress_label
        repo=$(repository "$size" 1 1)
        as_of=$(git -C "$repo" log -1 --format=%cs)
        files=$(find "$repo/okrs" -name '*.toml' | wc -l)
        log "Measuring lint and progress on $files goal files..."
        "$parse_bench" "$repo/okrs" >"$work/parse.txt"
        parse_single=$(awk '/^single_thread_files_per_second:/ { print $2 }' "$work/parse.txt")
        parse_all=$(awk '/^all_cores_files_per_second:/ { print $2 }' "$work/parse.txt")
        # The toml bench doubles as a load probe: its parallel speedup drops when
        # another process takes a core, and the okr runs beside it share that load.
        local cores speedup
        cores=$(awk '/^threads:/ { print $2 }' "$work/parse.txt")
        speedup=$(calc '%.2f' "$parse_all / $parse_single")
        if ((cores > 1)) && awk "BEGIN { exit !($speedup < 0.6 * $cores) }"; then
            notes+=("- At $(thousands "$size") files the toml parse on $cores cores ran only ${speedup}x faster than on one, so another process was probably using the CPU during this row.")
        fi
        lint_label="lint $size"
        progress_label="progress $size"
        local okr_args=(-C "$repo" --color never --as-of "$as_of")
        # One unmeasured run fills the page cache and writes okr's history cache.
        "$okr" "${okr_args[@]}" lint >/dev/null 2>&1 || true
        local lint_ok=1 progress_ok=1 lint_failure= progress_failure= i
        for ((i = 0; i < runs; i++)); do
            if ((lint_ok)) && ! measure_once "$lint_label" "0 1" /dev/null "$okr" "${okr_args[@]}" lint; then
                lint_ok=0
                lint_failure=$failure
            fi
            if ((progress_ok)) && ! measure_once "$progress_label" "0" /dev/null "$okr" "${okr_args[@]}" progress; then
                progress_ok=0
                progress_failure=$failure
            fi
        done
        local lint_cells progress_cells lint_wall lint_rate progress_wall progress_rate
        if ((lint_ok)); then
            lint_wall=$(median_wall "$lint_label")
            lint_rate=$(calc '%.0f' "$files / $lint_wall")
            lint_cells="$lint_wall s | $(thousands "$lint_rate") | $(calc '%.2fx' "$parse_all / $lint_rate") | $(mebibytes "${peaks[$lint_label]}") MiB"
            if [[ -z $first_rate ]]; then first_rate=$lint_rate; fi
            last_rate=$lint_rate
            if ((size == target_size)); then
                target_rate=$lint_rate
                target_toml=$(calc '%.2f' "$parse_all / $lint_rate")
            fi
        else
            lint_cells="failed ($lint_failure) | | |"
        fi
        if ((progress_ok)); then
            progress_wall=$(median_wall "$progress_label")
            progress_rate=$(calc '%.0f' "$files / $progress_wall")
            progress_cells="$progress_wall s | $(thousands "$progress_rate") | "
            if ((lint_ok)); then
                progress_cells+=$(calc '%.2fx' "$progress_wall / $lint_wall")
                if ((size == target_size)); then
                    target_progress=$(calc '%.2f' "$progress_wall / $lint_wall")
                fi
            fi
            progress_cells+=" | $(mebibytes "${peaks[$progress_label]}") MiB"
        else
            progress_cells="failed ($progress_failure) | | |"
        fi
        echo "| $(thousands "$files") | $(thousands "$parse_single")/s | $(thousands "$parse_all")/s | $lint_cells | $progress_cells |"
    done
    if ((${#notes[@]})); then
        echo
        printf '%s\n' "${notes[@]}"
    fi
    if [[ -n $target_rate ]]; then
        echo "- lint on $(thousands "$target_size") files at least 30,000 files/s: $(thousands "$target_rate") files/s, $(verdict "$target_rate >= 30000")" >>"$targets"
        echo "- lint within 2x of the toml parse rate (all cores): ${target_toml}x, $(verdict "$target_toml <= 2")" >>"$targets"
    fi
    if [[ -n $first_rate && ${#lint_sizes[@]} -gt 1 ]]; then
        local scaling
        scaling=$(calc '%.2f' "$last_rate / $first_rate")
        echo "- lint scales linearly from $(thousands "${lint_sizes[0]}") to $(thousands "${lint_sizes[-1]}") files (files/s at the largest size at least 0.8x the smallest): ${scaling}x, $(verdict "$scaling >= 0.8")" >>"$targets"
    fi
    if [[ -n $target_progress ]]; then
        echo "- progress at most 1.2x lint on $(thousands "$target_size") files: ${target_progress}x, $(verdict "$target_progress <= 1.2")" >>"$targets"
    fi
    echo
}

# --- History -------------------------------------------------------------------------

history_section() {
    echo "## history"
    echo
    if ! "$okr" history --help >/dev/null 2>&1; then
        log "okr history --help failed: this build has no history command; history rows skipped."
        echo "Skipped: \`okr history --help\` failed, so this build has no history command."
        echo
        return
    fi
    local repo commits goal_commits no_cache=0
    repo=$(repository "$history_files" "$history_commits" "$history_quarters")
    commits=$(git -C "$repo" rev-list --count --first-parent HEAD)
    goal_commits=$(git -C "$repo" rev-list --count --first-parent HEAD -- okrs/)
    if "$okr" history --help 2>/dev/null | grep -q -- '--no-cache'; then no_cache=1; fi
    cat <<EOF
Repository made by
\`bench/generate.py --files $history_files --commits $history_commits --quarters $history_quarters\`:
$(thousands "$commits") commits on the first-parent chain, $(thousands "$goal_commits") of them touching okrs/.
Each run clones it with \`git clone --local\` (the same pack files, hard-linked, and no
history cache), runs the baseline once unmeasured to fill the page cache, then in order:
the baseline, okr history with no cache (it writes the cache), okr history again (warm
cache)$( ((no_cache)) && echo ', and okr history --no-cache').

| command | wall | peak memory | wall ÷ git log | memory ÷ git log |
| --- | ---: | ---: | ---: | ---: |
EOF
    local clone="$work/history-clone" i ok=1
    local baseline=(git -C "$clone" log --first-parent -p -- okrs/)
    local history=(history --format json)
    for ((i = 0; i < runs; i++)); do
        rm -rf "$clone"
        git clone --quiet --local "$repo" "$clone"
        log "Measuring history, run $((i + 1)) of $runs..."
        if ((i == 0)); then "${baseline[@]}" >/dev/null; fi
        measure_once "git log" "0" /dev/null "${baseline[@]}" || {
            ok=0
            break
        }
        measure_once "history cold" "0" /dev/null "$okr" -C "$clone" "${history[@]}" || {
            ok=0
            break
        }
        measure_once "history warm" "0" /dev/null "$okr" -C "$clone" "${history[@]}" || {
            ok=0
            break
        }
        if ((no_cache)); then
            measure_once "history no-cache" "0" /dev/null "$okr" -C "$clone" "${history[@]}" --no-cache || {
                ok=0
                break
            }
        fi
    done
    rm -rf "$clone"
    if [[ -z ${walls["git log"]:-} ]]; then
        echo "| \`git log --first-parent -p -- okrs/\` | failed ($failure) | | | |"
        echo
        return
    fi
    local base_wall base_kb
    base_wall=$(median_wall "git log")
    base_kb=${peaks["git log"]}
    echo "| \`git log --first-parent -p -- okrs/ > /dev/null\` (baseline) | $base_wall s | $(mebibytes "$base_kb") MiB | 1.00x | 1.00x |"
    local label command
    for label in "history cold" "history warm" "history no-cache"; do
        case $label in
        "history cold") command="\`okr history --format json > /dev/null\`, first run (writes the cache)" ;;
        "history warm") command="\`okr history --format json > /dev/null\`, second run (warm cache)" ;;
        "history no-cache") command="\`okr history --format json --no-cache > /dev/null\`" ;;
        esac
        if [[ -n ${walls[$label]:-} ]]; then
            local wall kb
            wall=$(median_wall "$label")
            kb=${peaks[$label]}
            echo "| $command | $wall s | $(mebibytes "$kb") MiB | $(calc '%.2fx' "$wall / $base_wall") | $(calc '%.2fx' "$kb / $base_kb") |"
            case $label in
            "history cold")
                local ratio memory
                ratio=$(calc '%.2f' "$wall / $base_wall")
                memory=$(calc '%.2f' "$kb / $base_kb")
                echo "- history at most 1.0x the wall time of git log -p (never over 1.5x): ${ratio}x, $(verdict "$ratio <= 1.0")$(awk "BEGIN { if ($ratio > 1.5) print \" (over 1.5x)\" }")" >>"$targets"
                echo "- history peak memory at most 2x git log: ${memory}x, $(verdict "$memory <= 2")" >>"$targets"
                ;;
            "history warm")
                local warm
                warm=$(calc '%.2f' "$wall / $base_wall")
                echo "- history with a warm cache at most 0.1x git log: ${warm}x, $(verdict "$warm <= 0.1")" >>"$targets"
                ;;
            esac
        elif ((!ok)) && [[ $label != "history no-cache" || $no_cache == 1 ]]; then
            echo "| $command | failed ($failure) | | | |"
            ok=1 # Report the failure once.
        fi
    done
    echo
}

# --- Report --------------------------------------------------------------------------

machine() {
    local cpu memory os
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
    memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo unknown)
    os=$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || uname -s)
    cat <<EOF
| machine | |
| --- | --- |
| CPUs (nproc) | $(nproc) |
| CPU model | $cpu |
| memory | $memory |
| OS | $os, kernel $(uname -r) |
| rustc | $(rustc --version) |
| git | $(git --version) |
| okr | $okr_commit, \`cargo build --release\` |
| measurement | $( [[ -x /usr/bin/time ]] && echo "wall time from \`date +%s%N\`, peak RSS from \`/usr/bin/time -v\`" || echo "wall time and peak RSS (ru_maxrss) from bench/measure.py") |
| runs | $runs per figure: the median wall time and the largest peak RSS |
| load average (1, 5, 15 min) | $load_at_start after the build, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) at the end |
EOF
}

title="okr benchmarks, $(date +%Y-%m-%d)"
if ((quick)); then title+=" (--quick: small sizes, not the targets' sizes)"; fi
lint_output=$(lint_section)
history_output=$(history_section)
{
    echo "# $title"
    echo
    machine
    echo
    printf '%s\n\n' "$lint_output"
    printf '%s\n\n' "$history_output"
    echo "## targets"
    echo
    if [[ -s $targets ]]; then cat "$targets"; else echo "No target could be judged."; fi
    echo
    echo "## repositories"
    echo
    echo "Generator version (sha256 of bench/generate.py, first 12 digits): $generator_version; seed $seed."
    echo
    sort -u "$repositories"
} >"$report"

mkdir -p "$bench_dir/results"
result_file="$bench_dir/results/$(date +%Y-%m-%d).md"
if ((quick)); then result_file="${result_file%.md}-quick.md"; fi
cp "$report" "$result_file"
cat "$report"
log "Report written to $result_file"
