#!/usr/bin/env bash
# Builds a git history for the Acme example in a new folder, so that
# `okr history`, `okr diff`, `okr blame` and `okr progress --rev` have
# something to read:
#
#   examples/build-history.sh /tmp/acme
#   cd /tmp/acme && okr history self-serve-activation/first-invoice-24h
#
# The history is fixed (authors, dates, messages), so commit ids are the same
# on every run. Each team checks in its own file every Monday: 2026-Q3 from its
# planning to its final values, and 2026-Q4 from its planning to the values in
# examples/acme (mid-November). Along the way one target is lowered without a
# reason, one is eased with a `Reason:` trailer, and one goal file is renamed
# and edited in the same commit. Tags mark the two planning commits
# (`q3-planned`, `q4-planned`) and the last check-in of each 2026-Q4 week
# (`q4-week-1` to `q4-week-6`), and the two target changes (`target-lowered`,
# `target-eased`). The last commit leaves the goal files exactly as they are in
# examples/acme.
#
# Needs bash, awk and git. Reads no git config of the user running it.

set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 FOLDER (a new or empty folder)" >&2
    exit 2
fi
dest=$1
if [ -e "$dest" ] && [ -n "$(ls -A "$dest")" ]; then
    echo "error: $dest is not empty; name a new folder" >&2
    exit 2
fi
source_folder=$(cd "$(dirname "$0")/acme" && pwd)
mkdir -p "$dest"
cd "$dest"

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
git init -q -b main

# Who commits for each team, and the offset of their clock.
declare -A NAME=(
    [company]="Maya Chen" [platform]="Alice Moreau" [growth]="Sofia Ruiz"
    [support]="Grace Park" [data-cn]="Li Wei"
)
declare -A EMAIL=(
    [company]="maya@acme.example" [platform]="alice@acme.example"
    [growth]="sofia@acme.example" [support]="grace@acme.example"
    [data-cn]="li.wei@acme.example"
)
declare -A OFFSET=(
    [company]="+01:00"
    [platform]="+01:00"
    [growth]="-05:00"
    [support]="+00:00"
    [data-cn]="+08:00"
)
declare -A HOUR=(
    [company]="08" [platform]="09" [growth]="10" [support]="11" [data-cn]="17"
)

# commit TEAM DATE MESSAGE: commits every change as TEAM's author on DATE
# (YYYY-MM-DD) at the team's hour and offset.
commit() {
    local team=$1 day=$2 message=$3
    local when="${day}T${HOUR[$team]}:00:00${OFFSET[$team]}"
    git add -A
    if git diff --cached --quiet; then
        return
    fi
    GIT_AUTHOR_NAME=${NAME[$team]} GIT_AUTHOR_EMAIL=${EMAIL[$team]} \
        GIT_COMMITTER_NAME=${NAME[$team]} GIT_COMMITTER_EMAIL=${EMAIL[$team]} \
        GIT_AUTHOR_DATE=$when GIT_COMMITTER_DATE=$when \
        git commit -q -m "$message"
}

# progress FILE SHARE DATE: prints FILE as it was SHARE (0 to 1) of the way from
# planning to its final values. Each metric's `current` moves from `start`
# towards its final value, `checked` becomes DATE (or is left out when DATE is
# empty), notes are left out and milestones are not done yet.
progress() {
    awk -v share="$2" -v day="$3" '
        function decimals(text) {
            return index(text, ".") ? length(text) - index(text, ".") : 0
        }
        function flush(    i, line, key, value, places, moved) {
            for (i = 1; i <= count; i++) {
                line = block[i]
                if (!in_key_result) { print line; continue }
                if (in_notes) {
                    # The rest of a notes array written over several lines.
                    if (line ~ /^\]/) in_notes = 0
                    continue
                }
                key = line; sub(/ *=.*/, "", key)
                value = line; sub(/^[^=]*= */, "", value)
                if (key == "current" && start != "") {
                    places = decimals(start) > decimals(value) ? decimals(start) : decimals(value)
                    moved = start + (value - start) * share
                    printf ("current = %." places "f\n", moved)
                } else if (key == "checked") {
                    if (day != "") print "checked = " day
                } else if (key == "notes") {
                    if (line !~ /\]$/) in_notes = 1
                    continue
                } else if (key == "done") {
                    print "done = false"
                } else {
                    print line
                }
            }
            count = 0
        }
        /^\[\[/ {
            flush()
            in_key_result = ($0 == "[[objective.key_result]]")
            start = ""
        }
        in_key_result && /^start = / { start = $3 }
        { block[++count] = $0 }
        END { flush() }
    ' "$1"
}

# set_value FILE KEY_RESULT FIELD VALUE: sets FIELD of one key result in FILE.
set_value() {
    awk -v id="$2" -v field="$3" -v value="$4" '
        /^\[\[/ { inside = 0 }
        /^id = / { inside = ($3 == "\"" id "\"") }
        inside && index($0, field " = ") == 1 { $0 = field " = " value }
        { print }
    ' "$1" > "$1.tmp"
    mv "$1.tmp" "$1"
}

# check_in PERIOD TEAM FILE SHARE DATE: writes TEAM's goal file of PERIOD as FILE
# (a path under okrs/PERIOD) at SHARE of the way, checked in on DATE.
check_in() {
    local period=$1 team=$2 file=$3 share=$4 day=$5
    progress "$source_folder/okrs/$period/$team.toml" "$share" "$day" > "okrs/$period/$file"
}

teams=(company platform growth support data-cn)

# 2026-Q3: planned on 2026-06-29, checked in every Monday, closed on 2026-09-30.
mkdir -p okrs/2026 okrs/2026-Q3 okrs/2026-Q4
cp "$source_folder/okr.toml" okr.toml
cp "$source_folder/okrs/2026/company.toml" okrs/2026/company.toml
for team in "${teams[@]}"; do
    check_in 2026-Q3 "$team" "$team.toml" 0 ""
done
commit company 2026-06-29 "Plan the 2026 company objectives and 2026-Q3"
git tag q3-planned
q3_mondays=(2026-07-06 2026-07-13 2026-07-20 2026-07-27 2026-08-03 2026-08-10
    2026-08-17 2026-08-24 2026-08-31 2026-09-07 2026-09-14 2026-09-21)
week=0
for day in "${q3_mondays[@]}"; do
    week=$((week + 1))
    for team in "${teams[@]}"; do
        check_in 2026-Q3 "$team" "$team.toml" "$(awk -v w=$week 'BEGIN { print w / 13 }')" "$day"
        commit "$team" "$day" "Check in $team for 2026-Q3, week $week"
    done
done

# 2026-Q4 planning, before the quarter starts. The platform team starts out in
# infra.toml, and two targets start where they were first agreed.
for team in "${teams[@]}"; do
    file="$team.toml"
    [ "$team" = platform ] && file=infra.toml
    check_in 2026-Q4 "$team" "$file" 0 ""
done
set_value okrs/2026-Q4/growth.toml first-invoice-24h target 50
set_value okrs/2026-Q4/support.toml first-response target 25
commit company 2026-09-28 "Plan 2026-Q4"
git tag q4-planned

for team in "${teams[@]}"; do
    cp "$source_folder/okrs/2026-Q3/$team.toml" "okrs/2026-Q3/$team.toml"
    commit "$team" 2026-09-30 "Record the final 2026-Q3 values for $team"
done

# 2026-Q4 check-ins every Monday until mid-November.
q4_mondays=(2026-10-05 2026-10-12 2026-10-19 2026-10-26 2026-11-02 2026-11-09)
week=0
for day in "${q4_mondays[@]}"; do
    week=$((week + 1))
    share=$(awk -v w=$week 'BEGIN { print w / 7 }')
    for team in "${teams[@]}"; do
        file="$team.toml"
        message="Check in $team for 2026-Q4, week $week"
        if [ "$team" = platform ]; then
            if [ "$day" \< 2026-10-19 ]; then
                file=infra.toml
            elif [ "$day" = 2026-10-19 ]; then
                # Renamed and edited in one commit.
                git mv okrs/2026-Q4/infra.toml okrs/2026-Q4/platform.toml
                message="Check in platform for 2026-Q4, week $week; rename infra.toml to platform.toml"
            fi
        fi
        check_in 2026-Q4 "$team" "$file" "$share" "$day"
        if [ "$team" = growth ] && [ "$day" \< 2026-10-27 ]; then
            set_value okrs/2026-Q4/growth.toml first-invoice-24h target 50
        fi
        if [ "$team" = support ] && [ "$day" \< 2026-11-03 ]; then
            set_value okrs/2026-Q4/support.toml first-response target 25
        fi
        commit "$team" "$day" "$message"
    done
    git tag "q4-week-$week"
    if [ "$day" = 2026-10-26 ]; then
        # A moved goalpost with no reason: the commit message has no body.
        set_value okrs/2026-Q4/growth.toml first-invoice-24h target 45
        commit growth 2026-10-27 "Lower the first-invoice target to 45%"
        git tag target-lowered
    fi
    if [ "$day" = 2026-11-02 ]; then
        # A moved goalpost with a reason, given in a trailer.
        set_value okrs/2026-Q4/support.toml first-response target 30
        commit support 2026-11-03 "Ease the first-response target to 30 minutes

Reason: two support engineers move to the billing migration until January"
        git tag target-eased
    fi
done

# Mid-November: every team's latest check-in, exactly as in examples/acme.
for team in "${teams[@]}"; do
    cp "$source_folder/okrs/2026-Q4/$team.toml" "okrs/2026-Q4/$team.toml"
    commit "$team" 2026-11-13 "Check in $team for 2026-Q4 in mid-November"
done

echo "Built $(git rev-list --count HEAD) commits in $dest"
