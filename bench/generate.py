#!/usr/bin/env python3
"""Generate a large synthetic OKR repository for the benchmarks.

The repository has an okr.toml, goal files at okrs/<period>/<org>/<team>.toml
(one company.toml per period), and a few source files outside the goals folder.
The first commit of each quarter adds that quarter's goal files. Every later
commit is a check-in, a target, owner or key result change, a moved file, or a
change outside okrs/. The last commit of each quarter before the current one
records the final check-in of all its key results. Everything follows from --seed
and the size options, so the same options always give the same commit ids.

The history is written as one `git fast-import` stream, so the cost is one git
process for the whole repository, followed by `git repack -a -d -f`. Only the
Python standard library is used.
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import time

FIRST_YEAR = 2026
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
DAY = 86400
# Commits of a quarter are spread evenly from 09:00 UTC on its first day to its last day.
WORKDAY_START = 9 * 3600

# (name, email, time zone offset) of the commit authors.
AUTHORS = [
    ("Priya Raman", "priya@example.com", "+0530"),
    ("Jonas Weber", "jonas@example.com", "+0100"),
    ("Maria Lopez", "maria@example.com", "-0300"),
    ("Kenji Sato", "kenji@example.com", "+0900"),
    ("Amara Okafor", "amara@example.com", "+0100"),
    ("Liam Walsh", "liam@example.com", "+0000"),
    ("Chen Wei", "chen@example.com", "+0800"),
    ("Sofia Rossi", "sofia@example.com", "+0200"),
    ("Noah Miller", "noah@example.com", "-0500"),
    ("Aisha Khan", "aisha@example.com", "+0400"),
]

FIRST_NAMES = [
    "alice", "bob", "carol", "dana", "emeka", "farah", "goran", "hana", "ivan",
    "jia", "kofi", "lena", "mateo", "nadia", "omar", "paula", "quinn", "rahul",
    "sara", "tomas", "uma", "victor", "wen", "ximena", "yusuf", "zoe",
]

# (id slug, title) of team objectives. Titles state outcomes: no vague lead word,
# no output verb first, no number with a unit.
OBJECTIVES = [
    ("frictionless-payments", "Customers can pay on any device without calling support"),
    ("safe-releases", "Engineers release changes safely every working day"),
    ("trusted-with-data", "Enterprise customers trust us with their most sensitive data"),
    ("first-session-value", "New users see the value of the product in their first session"),
    ("costs-track-revenue", "Platform costs grow slower than revenue"),
    ("instant-support", "Support answers customers while they are still on the page"),
    ("self-serve-api", "Partners build on our API without asking us for help"),
    ("search-that-understands", "Search finds what people mean, not only what they type"),
    ("fresh-reports", "Every report shows fresh and correct data"),
    ("quiet-on-call", "On-call engineers sleep through the night"),
    ("reliable-checkout", "Checkout stays up on our busiest day of the year"),
    ("global-reach", "Customers in new markets buy in their own language and currency"),
    ("happy-admins", "Workspace admins manage their teams without reading the manual"),
    ("mobile-first", "Mobile users can do everything desktop users can"),
    ("secure-by-default", "Every service is secure by default"),
    ("data-driven-teams", "Product teams decide with data they trust"),
]

# (id slug, name, unit, direction, low, high, decimals) of metrics. A direction of
# +1 means higher is better, -1 lower is better.
METRICS = [
    ("weekly-active-workspaces", "weekly active workspaces", "count", 1, 1000, 50000, 0),
    ("checkout-conversion", "checkout conversion", "%", 1, 1.0, 9.0, 1),
    ("search-latency-p95", "p95 search latency", "ms", -1, 150, 900, 0),
    ("monthly-churn", "monthly logo churn", "%", -1, 1.0, 8.0, 1),
    ("net-retention", "net revenue retention", "%", 1, 95.0, 120.0, 1),
    ("tickets-per-order", "support tickets per thousand orders", "count", -1, 4, 40, 0),
    ("deploys-per-week", "production deploys per week", "count", 1, 5, 120, 0),
    ("time-to-restore", "mean time to restore service", "minutes", -1, 15, 240, 0),
    ("ci-duration", "median CI pipeline duration", "minutes", -1, 6, 45, 0),
    ("admin-nps", "NPS of workspace admins", "points", 1, -10, 60, 0),
    ("self-serve-signups", "self-serve signups per month", "count", 1, 200, 9000, 0),
    ("pages-per-week", "on-call pages per week", "count", -1, 3, 60, 0),
    ("crash-free-sessions", "crash-free mobile sessions", "%", 1, 97.0, 99.9, 2),
    ("cost-per-tenant", "cloud cost per tenant", "USD", -1, 20, 400, 0),
    ("first-response-time", "median first response time", "hours", -1, 1.0, 24.0, 1),
    ("onboarding-completion", "onboarding completion", "%", 1, 20.0, 80.0, 1),
    ("api-error-rate", "API error rate", "%", -1, 0.1, 3.0, 2),
    ("pipeline-lag", "data pipeline freshness lag", "minutes", -1, 5, 180, 0),
    ("activated-trials", "activated trial accounts per week", "count", 1, 50, 2000, 0),
    ("docs-search-success", "documentation search success", "%", 1, 40.0, 90.0, 1),
]

# (id slug, title) of milestones: outcomes that are either true or not yet.
MILESTONES = [
    ("new-region-live", "Every tenant is served from the new region"),
    ("event-bus", "Billing runs on the shared event bus"),
    ("audit-logs", "All services emit structured audit logs"),
    ("local-payments", "Checkout accepts local payment methods in Brazil"),
    ("order-history", "Support agents see the whole order history on one screen"),
    ("legacy-reports-off", "The legacy reporting cluster is switched off"),
    ("api-keys-self-serve", "Partners create and rotate API keys themselves"),
    ("sso-everywhere", "Single sign-on works on every enterprise plan"),
    ("soc2-report", "The SOC 2 type II report is signed by the auditor"),
    ("offline-mode", "The mobile app works offline for a whole day"),
]

COMPANY_OBJECTIVES = [
    ("customer-trust", "Customers trust us with the work that matters most to them"),
    ("profitable-growth", "Grow into new markets while staying profitable"),
    ("platform-scale", "The platform carries twice the load at the same cost"),
    ("operational-excellence", "Incidents are rare, short and never repeat"),
    ("product-delight", "Users recommend the product without being asked"),
]

EXECUTIVES = ["priya", "james", "mei", "olu", "anna"]

REASONS = [
    "Vendor outage moved the migration by three weeks",
    "Two engineers moved to the payments incident response",
    "The baseline was measured wrongly before the new tracking",
    "Scope reduced after the pricing change was postponed",
    "Leadership asked for a harder target after a strong first month",
]

SOURCE_FILES = [
    "src/billing/invoice.py", "src/billing/tax.py", "src/checkout/cart.py",
    "src/checkout/payment.py", "src/search/ranking.py", "src/search/index.py",
    "src/api/routes.py", "src/api/auth.py", "src/reports/daily.py",
    "src/reports/export.py", "docs/runbook.md", "docs/architecture.md",
    "infra/terraform/main.tf", "infra/terraform/variables.tf", ".github/workflows/ci.yml",
]

OKR_TOML = """\
# Configuration of a synthetic repository made by bench/generate.py.
goals = ["okrs"]
quarter_start_month = 1
company_team = "company"
check_in_interval = 14
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10000,
                        help="goal files per quarter, company.toml included (default 10000)")
    parser.add_argument("--commits", type=int, default=100000,
                        help="commits in total, one opening commit per quarter included"
                             " (default 100000)")
    parser.add_argument("--quarters", type=int, default=2,
                        help="quarters, starting at 2026-Q1 (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", required=True, help="repository folder to create; must not exist")
    args = parser.parse_args()
    if args.files < 2:
        parser.error(f"--files must be at least 2 (company.toml and one team), got {args.files}")
    if args.quarters < 1:
        parser.error(f"--quarters must be at least 1, got {args.quarters}")
    if args.commits < args.quarters:
        parser.error(f"--commits ({args.commits}) must be at least --quarters ({args.quarters}),"
                     " because each quarter opens with one commit")
    if os.path.exists(args.out):
        parser.error(f"--out {args.out} already exists; remove it or choose another folder")
    return args


def format_number(value):
    """Format an int or a rounded float the way a person would type it in TOML."""
    if isinstance(value, int):
        return str(value)
    return repr(value)


def round_to(value, decimals):
    if decimals == 0:
        return int(round(value))
    return round(value, decimals)


class KeyResult:
    """One key result and its rendered TOML, re-rendered only after a change."""

    __slots__ = ("id", "title", "kind", "owner", "start", "target", "current", "unit",
                 "confidence", "checked", "direction", "done", "state", "reason",
                 "decimals", "low", "high", "text")

    def __init__(self, id, title, kind):
        self.id = id
        self.title = title
        self.kind = kind
        self.owner = None
        self.start = None
        self.target = None
        self.current = None
        self.unit = None
        self.confidence = None
        self.checked = None
        self.direction = None
        self.done = None
        self.state = None
        self.reason = None
        self.decimals = 0
        self.low = None
        self.high = None
        self.text = None

    def render(self):
        if self.text is not None:
            return self.text
        lines = ["\n[[objective.key_result]]", f'id = "{self.id}"', f'title = "{self.title}"']
        if self.kind != "metric":
            lines.append(f'kind = "{self.kind}"')
        if self.owner is not None:
            lines.append(f'owner = "{self.owner}"')
        if self.kind == "maintain":
            lines.append(f'direction = "{self.direction}"')
        if self.start is not None:
            lines.append(f"start = {format_number(self.start)}")
        if self.target is not None:
            lines.append(f"target = {format_number(self.target)}")
        if self.current is not None:
            lines.append(f"current = {format_number(self.current)}")
        if self.done is not None:
            lines.append("done = true" if self.done else "done = false")
        if self.unit is not None:
            lines.append(f'unit = "{self.unit}"')
        if self.confidence is not None:
            lines.append(f"confidence = {format_number(self.confidence)}")
        if self.checked is not None:
            lines.append(f"checked = {self.checked}")
        if self.state is not None:
            lines.append(f'state = "{self.state}"')
        if self.reason is not None:
            lines.append(f'reason = "{self.reason}"')
        self.text = "\n".join(lines) + "\n"
        return self.text


class Objective:
    __slots__ = ("id", "title", "owner", "aligns_to", "commitment", "key_results", "text")

    def __init__(self, id, title, owner, aligns_to):
        self.id = id
        self.title = title
        self.owner = owner
        self.aligns_to = aligns_to
        self.commitment = None
        self.key_results = []
        self.text = None

    def render(self):
        if self.text is None:
            lines = ["\n[[objective]]", f'id = "{self.id}"', f'title = "{self.title}"',
                     f'owner = "{self.owner}"']
            if self.aligns_to:
                lines.append("aligns_to = [" + ", ".join(f'"{a}"' for a in self.aligns_to) + "]")
            if self.commitment is not None:
                lines.append(f'commitment = "{self.commitment}"')
            self.text = "\n".join(lines) + "\n"
        return self.text + "".join(kr.render() for kr in self.key_results)


class GoalFile:
    __slots__ = ("path", "period", "team", "number", "people", "objectives", "metric_pool")

    def __init__(self, path, period, team, number, people):
        self.path = path
        self.period = period
        self.team = team
        self.number = number
        self.people = people
        self.objectives = []

    def render(self):
        head = f'period = "{self.period}"\nteam = "{self.team}"\n'
        return (head + "".join(o.render() for o in self.objectives)).encode()


class Quarter:
    def __init__(self, index):
        year = FIRST_YEAR + index // 4
        number = index % 4 + 1
        self.name = f"{year}-Q{number}"
        self.start = datetime.date(year, 3 * (number - 1) + 1, 1)
        if number == 4:
            self.end = datetime.date(year + 1, 1, 1) - datetime.timedelta(days=1)
        else:
            self.end = datetime.date(year, 3 * number + 1, 1) - datetime.timedelta(days=1)
        self.files = []
        self.company = None


class Generator:
    def __init__(self, args, sink):
        self.args = args
        self.rng = random.Random(args.seed)
        self.sink = sink
        self.commit_count = 0
        self.team_width = max(4, len(str(args.files - 1)))
        team_files = args.files - 1
        self.orgs = max(1, round(team_files ** 0.5))
        self.org_width = max(2, len(str(self.orgs - 1)))
        self.sources = {path: [f"# {path}", ""] + [f"line {i}" for i in range(20)]
                        for path in SOURCE_FILES}
        self.today = None

    # Goal content ---------------------------------------------------------------------

    def new_metric(self, slug, people, with_owner, committed=False):
        """Create a metric or maintain key result from the METRICS row named `slug`."""
        rng = self.rng
        _, name, unit, direction, low, high, decimals = next(m for m in METRICS if m[0] == slug)

        spread = high - low
        # Start away from the good end of the range so that the target stays inside it.
        if direction > 0:
            start = round_to(rng.uniform(low, high - 0.3 * spread), decimals)
        else:
            start = round_to(rng.uniform(low + 0.3 * spread, high), decimals)
        target = round_to(start + direction * spread * rng.uniform(0.05, 0.3), decimals)
        if target == start:
            target = round_to(start + direction * (10 ** -decimals), decimals)

        kind = "metric" if rng.random() < 0.8 else "maintain"
        if kind == "metric":
            if direction > 0:
                verb = rng.choice(["Raise", "Grow", "Increase"])
            else:
                verb = rng.choice(["Reduce", "Cut", "Lower"])
            kr = KeyResult(slug, f"{verb} {name}", "metric")
            kr.start = start
            kr.target = target
            kr.current = start
        else:
            bound = "at or above" if direction > 0 else "at or below"
            if unit == "count":
                suffix = ""
            elif unit == "%":
                suffix = "%"
            else:
                suffix = f" {unit}"
            kr = KeyResult(slug, f"Keep {name} {bound} {format_number(start)}{suffix}",
                           "maintain")
            kr.direction = "at-least" if direction > 0 else "at-most"
            kr.target = start
            kr.current = start

        kr.unit = unit
        kr.decimals = decimals
        kr.low = low
        kr.high = high
        # Teams commit only to what they are confident of.
        kr.confidence = round(rng.uniform(0.7, 0.9) if committed else rng.uniform(0.4, 0.9), 1)
        if with_owner:
            kr.owner = rng.choice(people)
        return kr

    def new_milestone(self, slug, people, committed):
        title = next(t for s, t in MILESTONES if s == slug)
        kr = KeyResult(slug, title, "milestone")
        kr.done = False
        low = 0.7 if committed else 0.4
        kr.confidence = round(self.rng.uniform(low, 0.9), 1)
        if self.rng.random() < 0.5:
            kr.owner = self.rng.choice(people)
        return kr

    def new_objective(self, slug, title, number, people, company_ids):
        rng = self.rng
        objective = Objective(f"{slug}-{number}", title, rng.choice(people),
                              [rng.choice(company_ids)])
        committed = rng.random() < 0.2
        if committed:
            objective.commitment = "committed"
        metrics = rng.sample([m[0] for m in METRICS], 4)
        has_milestone = rng.random() < 0.4
        for i in range(rng.randint(2, 4)):
            if i == 0 and has_milestone:
                objective.key_results.append(
                    self.new_milestone(rng.choice(MILESTONES)[0], people, committed))
            else:
                objective.key_results.append(
                    self.new_metric(metrics[i], people, rng.random() < 0.3, committed))
        return objective

    def add_flaw(self, goal_file):
        """Give about one file in thirty a lint finding, as real repositories have."""
        rng = self.rng
        roll = rng.random()
        if roll >= 0.033:
            return
        objective = rng.choice(goal_file.objectives)
        kr = objective.key_results[-1]
        if roll < 0.012 and kr.kind == "metric":
            kr.unit = None
        elif roll < 0.022:
            objective.title = "Improve onboarding"
        elif roll < 0.028:
            objective.aligns_to = ["retired-company-goal"]
        else:
            kr.confidence = 7
        objective.text = None
        kr.text = None

    def new_team_file(self, quarter, team_index, company_ids):
        number = str(team_index + 1).zfill(self.team_width)
        org = str(team_index * self.orgs // (self.args.files - 1)).zfill(self.org_width)
        team = f"team-{number}"
        path = f"okrs/{quarter.name}/org-{org}/{team}.toml"
        people = [f"{name}-{number}" for name in self.rng.sample(FIRST_NAMES, 4)]
        goal_file = GoalFile(path, quarter.name, team, number, people)
        for slug, title in self.rng.sample(OBJECTIVES, self.rng.randint(2, 4)):
            goal_file.objectives.append(
                self.new_objective(slug, title, number, people, company_ids))
        self.add_flaw(goal_file)
        return goal_file

    def new_company_file(self, quarter):
        goal_file = GoalFile(f"okrs/{quarter.name}/company.toml", quarter.name, "company",
                             "company", EXECUTIVES)
        metrics = self.rng.sample([m[0] for m in METRICS], len(METRICS))
        for i, (slug, title) in enumerate(COMPANY_OBJECTIVES):
            objective = Objective(slug, title, EXECUTIVES[i], [])
            for j in range(3):
                objective.key_results.append(
                    self.new_metric(metrics[(3 * i + j) % len(metrics)], EXECUTIVES, False))
            goal_file.objectives.append(objective)
        return goal_file

    # Commit stream ----------------------------------------------------------------------

    def commit(self, timestamp, subject, body, changes):
        """Write one commit to the fast-import stream.

        `changes` lists (path, bytes) pairs to write and (path, None) pairs to delete.
        """
        name, email, zone = AUTHORS[self.commit_count % len(AUTHORS)]
        self.commit_count += 1
        message = (subject + "\n\n" + body + "\n" if body else subject + "\n").encode()
        parts = [
            b"commit refs/heads/main\n",
            f"author {name} <{email}> {timestamp} {zone}\n".encode(),
            f"committer {name} <{email}> {timestamp} {zone}\n".encode(),
            f"data {len(message)}\n".encode(), message,
        ]
        for path, content in changes:
            if content is None:
                parts.append(f"D {path}\n".encode())
            else:
                parts.append(f"M 100644 inline {path}\ndata {len(content)}\n".encode())
                parts.append(content)
                parts.append(b"\n")
        parts.append(b"\n")
        self.sink.write(b"".join(parts))

    def open_quarter(self, quarter, timestamp, first):
        quarter.company = self.new_company_file(quarter)
        company_ids = [o.id for o in quarter.company.objectives]
        quarter.files = [self.new_team_file(quarter, i, company_ids)
                         for i in range(self.args.files - 1)]
        for goal_file in quarter.files + [quarter.company]:
            for objective in goal_file.objectives:
                for kr in objective.key_results:
                    kr.checked = quarter.start.isoformat()
        changes = []
        if first:
            changes.append(("okr.toml", OKR_TOML.encode()))
            readme = b"# Synthetic OKR repository\n\nMade by bench/generate.py.\n"
            changes.append(("README.md", readme))
            for path, lines in self.sources.items():
                changes.append((path, ("\n".join(lines) + "\n").encode()))
        changes.append((quarter.company.path, quarter.company.render()))
        changes.extend((f.path, f.render()) for f in quarter.files)
        self.commit(timestamp, f"Open the {quarter.name} goals",
                    f"{len(quarter.files)} team files and the company objectives.", changes)

    def live_key_results(self, goal_file, kind=None):
        return [(objective, kr) for objective in goal_file.objectives
                for kr in objective.key_results
                if kr.state != "dropped" and (kind is None or kr.kind == kind)]

    def check_in_one(self, kr):
        """Move a key result's value the way a weekly check-in does.

        Returns the change as 'old -> new' for the commit subject.
        """
        rng = self.rng
        kr.text = None
        kr.checked = self.today
        if rng.random() < 0.5:
            kr.confidence = round(min(1.0, max(0.1, kr.confidence + rng.choice((-0.1, 0.1)))), 1)
        if kr.kind == "milestone":
            old = kr.done
            if not kr.done and rng.random() < 0.15:
                kr.done = True
            return f"done {str(old).lower()} -> {str(kr.done).lower()}"
        old = kr.current
        if kr.kind == "metric":
            step = (kr.target - kr.start) * rng.uniform(-0.05, 0.2)
        else:
            step = (abs(kr.target) + 1) * rng.uniform(-0.03, 0.03)
        kr.current = round_to(min(kr.high, max(kr.low, kr.current + step)), kr.decimals)
        return f"{format_number(old)} -> {format_number(kr.current)}"

    def check_in(self, quarter):
        rng = self.rng
        count = 1 if rng.random() < 0.8 else rng.randint(2, 3)
        changed = []
        summary = None
        for _ in range(count):
            goal_file = quarter.company if rng.random() < 0.005 else rng.choice(quarter.files)
            live = self.live_key_results(goal_file)
            picks = rng.sample(live, min(len(live), rng.randint(1, 3)))
            for _, kr in picks:
                summary = f"{kr.id} {self.check_in_one(kr)}"
            changed.append(goal_file)
        if len(changed) == 1 and summary is not None and len(picks) == 1:
            subject = f"Check in {changed[0].team}: {summary}"
        elif len(changed) == 1:
            subject = f"Weekly check-in for {changed[0].team}"
        else:
            subject = f"Check in {len(changed)} teams"
        return subject, None, changed

    def change_target(self, quarter):
        rng = self.rng
        goal_file = rng.choice(quarter.files)
        metrics = self.live_key_results(goal_file, "metric")
        if not metrics:
            return self.check_in(quarter)
        _, kr = rng.choice(metrics)
        old = kr.target
        factor = rng.choice((0.5, 0.7, 1.3, 1.5))
        moved = kr.start + (kr.target - kr.start) * factor
        kr.target = round_to(min(kr.high, max(kr.low, moved)), kr.decimals)
        if kr.target == kr.start:
            kr.target = old
            return self.check_in(quarter)
        kr.text = None
        body = None
        roll = rng.random()
        if roll < 0.4:
            kr.reason = rng.choice(REASONS)
        elif roll < 0.7:
            body = f"Reason: {rng.choice(REASONS)}"
        elif roll < 0.8:
            body = f"Approved-by: {rng.choice(EXECUTIVES)}"
        subject = (f"Move {goal_file.team} {kr.id} target "
                   f"{format_number(old)} -> {format_number(kr.target)}")
        return subject, body, [goal_file]

    def change_owner(self, quarter):
        rng = self.rng
        goal_file = rng.choice(quarter.files)
        objective = rng.choice(goal_file.objectives)
        if rng.random() < 0.5:
            old = objective.owner
            objective.owner = rng.choice([p for p in goal_file.people if p != old])
            objective.text = None
            subject = f"Hand {objective.id} from {old} to {objective.owner}"
        else:
            kr = rng.choice(objective.key_results)
            old = kr.owner or objective.owner
            kr.owner = rng.choice([p for p in goal_file.people if p != old])
            kr.text = None
            subject = f"Hand {objective.id}/{kr.id} from {old} to {kr.owner}"
        return subject, None, [goal_file]

    def add_key_result(self, quarter):
        rng = self.rng
        goal_file = rng.choice(quarter.files)
        objective = rng.choice(goal_file.objectives)
        if len([kr for kr in objective.key_results if kr.state != "dropped"]) >= 5:
            return self.check_in(quarter)
        used = {kr.id for kr in objective.key_results}
        free = [m[0] for m in METRICS if m[0] not in used]
        if not free:
            return self.check_in(quarter)
        kr = self.new_metric(rng.choice(free), goal_file.people, rng.random() < 0.3)
        kr.checked = self.today
        objective.key_results.append(kr)
        return f"Add {objective.id}/{kr.id}", None, [goal_file]

    def drop_key_result(self, quarter):
        rng = self.rng
        goal_file = rng.choice(quarter.files)
        objective = rng.choice(goal_file.objectives)
        live = [kr for kr in objective.key_results if kr.state != "dropped"]
        if len(live) <= 2:
            return self.check_in(quarter)
        kr = rng.choice(live)
        if rng.random() < 0.5:
            objective.key_results.remove(kr)
            return f"Remove {objective.id}/{kr.id}", None, [goal_file]
        kr.state = "dropped"
        kr.reason = rng.choice(REASONS)
        kr.text = None
        return f"Drop {objective.id}/{kr.id}", None, [goal_file]

    def move_file(self, quarter, timestamp):
        """Move a team file to another org folder and edit it in the same commit."""
        goal_file = self.rng.choice(quarter.files)
        old_path = goal_file.path
        org = str(self.rng.randrange(self.orgs)).zfill(self.org_width)
        goal_file.path = f"okrs/{quarter.name}/org-{org}/{goal_file.team}.toml"
        if goal_file.path == old_path:
            return False
        _, kr = self.rng.choice(self.live_key_results(goal_file))
        self.check_in_one(kr)
        self.commit(timestamp, f"Move {goal_file.team} to org-{org}", None,
                    [(old_path, None), (goal_file.path, goal_file.render())])
        return True

    def close_quarter(self, quarter, timestamp):
        """Record the final check-in of every live key result, as teams do when a quarter ends."""
        goal_files = [quarter.company] + quarter.files
        for goal_file in goal_files:
            for _, kr in self.live_key_results(goal_file):
                if self.rng.random() < 0.3:
                    self.check_in_one(kr)
                kr.checked = self.today
                kr.text = None
        self.commit(timestamp, f"Close {quarter.name} with the final check-ins", None,
                    [(f.path, f.render()) for f in goal_files])

    def change_source(self, timestamp):
        rng = self.rng
        path = rng.choice(SOURCE_FILES)
        lines = self.sources[path]
        lines[rng.randrange(2, len(lines))] = f"line {rng.randrange(1_000_000)}"
        content = ("\n".join(lines) + "\n").encode()
        self.commit(timestamp, f"Update {path}", None, [(path, content)])

    def run(self):
        args = self.args
        quarters = [Quarter(i) for i in range(args.quarters)]
        for index, quarter in enumerate(quarters):
            # The first `commits % quarters` quarters take one commit more.
            count = args.commits // args.quarters
            if index < args.commits % args.quarters:
                count += 1
            start = int((datetime.datetime.combine(quarter.start, datetime.time(),
                                                   datetime.timezone.utc) - EPOCH).total_seconds())
            start += WORKDAY_START
            span = (quarter.end - quarter.start).days * DAY
            step = span // count
            self.open_quarter(quarter, start, first=index == 0)
            for i in range(1, count):
                timestamp = start + i * step
                self.today = datetime.datetime.fromtimestamp(
                    timestamp, datetime.timezone.utc).date().isoformat()
                if i == count - 1 and index < len(quarters) - 1:
                    self.close_quarter(quarter, timestamp)
                    continue
                roll = self.rng.random()
                if roll < 0.15:
                    self.change_source(timestamp)
                    continue
                if roll < 0.152 and self.move_file(quarter, timestamp):
                    continue
                if roll < 0.80:
                    subject, body, changed = self.check_in(quarter)
                elif roll < 0.88:
                    subject, body, changed = self.change_target(quarter)
                elif roll < 0.93:
                    subject, body, changed = self.change_owner(quarter)
                elif roll < 0.97:
                    subject, body, changed = self.add_key_result(quarter)
                else:
                    subject, body, changed = self.drop_key_result(quarter)
                unique = list({f.path: f for f in changed}.values())
                self.commit(timestamp, subject, body, [(f.path, f.render()) for f in unique])
        self.sink.write(b"done\n")


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True)


def main():
    args = parse_args()
    started = time.monotonic()
    os.makedirs(args.out)
    git("init", "--quiet", "--initial-branch=main", ".", cwd=args.out)
    importer = subprocess.Popen(["git", "fast-import", "--quiet", "--done"],
                                cwd=args.out, stdin=subprocess.PIPE, bufsize=1 << 20)
    generator = Generator(args, importer.stdin)
    try:
        generator.run()
    finally:
        importer.stdin.close()
        code = importer.wait()
    if code != 0:
        sys.exit(f"error: git fast-import failed with exit code {code} in {args.out}")
    imported = time.monotonic()
    # The git-fast-import manual (git 2.47) states that its packs are never seen in real
    # use and recommends a repack before any benchmark. fast-import deltifies each blob
    # against the blob written just before it, so -f searches every delta again.
    git("repack", "-a", "-d", "-f", "-q", cwd=args.out)
    repacked = time.monotonic()
    # Check out HEAD so that lint and progress, which read the working tree, have files.
    git("reset", "--quiet", "--hard", "main", cwd=args.out)
    finished = time.monotonic()
    print(f"generated {args.out} in {finished - started:.1f} s"
          f" (import {imported - started:.1f} s, repack {repacked - imported:.1f} s,"
          f" checkout {finished - repacked:.1f} s):"
          f" --files {args.files} --commits {generator.commit_count}"
          f" --quarters {args.quarters} --seed {args.seed}")


if __name__ == "__main__":
    main()
