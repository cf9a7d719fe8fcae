#!/usr/bin/env python3
"""Score Chalice's policy generator on gen-policy's corpus (tests/policy_corpus).

Chalice (1.34) builds a policy from ``app.py`` alone
(``chalice.analyzer.get_client_calls_for_app`` then
``chalice.policy.PolicyBuilder``) and grants every action on ``Resource: "*"``.
This scores it as ``tests/functional/test_policy_corpus.py`` scores
myframework: micro-averaged precision and recall over the corpus, per action
and per (action, resource) pair (Chalice's pairs are all ``(action, "*")``, so
they match only where the expected resource is ``"*"`` too). myframework's own
generator is scored alongside when it can be imported.

Chalice runs in a subprocess with the Python of a virtualenv that has it
installed (it is not a dependency of myframework)::

    python3 scripts/chalice_policy_score.py --python /tmp/package-bench-venv/bin/python
    python3 scripts/chalice_policy_score.py --cases   # and each case's misses and extras

It prints a markdown table.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib
import subprocess
import sys
from collections.abc import Iterable, Mapping

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "policy_corpus"
DEFAULT_PYTHON = "/tmp/package-bench-venv/bin/python"

# Runs under the Chalice virtualenv's Python: reads a JSON list of app.py paths on stdin,
# writes {"version": ..., "apps": {path: {"actions": [...], "error": str | null}}}.
CHALICE_PROGRAM = r"""
import contextlib, json, sys
import chalice
from chalice.analyzer import get_client_calls_for_app
from chalice.policy import PolicyBuilder

builder = PolicyBuilder()
apps = {}
for path in json.load(sys.stdin):
    try:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        # PolicyBuilder prints "Unsupported service ..." on stdout: keep stdout for the JSON
        with contextlib.redirect_stdout(sys.stderr):
            policy = builder.build_policy_from_api_calls(get_client_calls_for_app(source))
        actions = sorted({action for statement in policy["Statement"]
                          for action in statement["Action"]})
        apps[path] = {"actions": actions, "error": None}
    except Exception as exc:
        apps[path] = {"actions": [], "error": "%s: %s" % (type(exc).__name__, exc)}
json.dump({"version": chalice.__version__, "apps": apps}, sys.stdout)
"""

Pair = tuple[str, str]


@dataclasses.dataclass
class CaseResult:
    name: str
    expected: dict[str, set[str]]
    emitted: dict[str, set[str]]
    error: str | None = None


def pairs(actions: Mapping[str, Iterable[str]]) -> set[Pair]:
    return {(action, resource) for action, resources in actions.items()
            for resource in resources}


def cases(corpus: pathlib.Path) -> list[pathlib.Path]:
    return sorted(path for path in corpus.iterdir() if (path / "expected.json").is_file())


def load_expected(case_dir: pathlib.Path) -> dict[str, set[str]]:
    data = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
    return {action: set(resources) for action, resources in data["actions"].items()}


def run_chalice(python: str, case_dirs: list[pathlib.Path]) -> tuple[str, list[CaseResult]]:
    """Chalice's version, and its result on each case."""
    paths = [str(case_dir / "app.py") for case_dir in case_dirs]
    try:
        completed = subprocess.run([python, "-c", CHALICE_PROGRAM], input=json.dumps(paths),
                                   capture_output=True, text=True, check=False, timeout=600)
    except OSError as exc:
        raise SystemExit("cannot run %s: %s (pass --python with a Python that has chalice "
                         "installed)" % (python, exc)) from None
    if completed.returncode != 0:
        raise SystemExit("chalice failed under %s:\n%s" % (python, completed.stderr.strip()))
    data = json.loads(completed.stdout)
    results = []
    for case_dir, path in zip(case_dirs, paths, strict=True):
        app = data["apps"][path]
        results.append(CaseResult(case_dir.name, load_expected(case_dir),
                                  {action: {"*"} for action in app["actions"]}, app["error"]))
    return str(data["version"]), results


def run_myframework(case_dirs: list[pathlib.Path]) -> list[CaseResult] | str:
    """myframework's result on each case, or why it cannot be scored."""
    try:
        from myframework.config import load_config
        from myframework.deploy.sources import collect_app_files
        from myframework.policy import required_permissions
    except ImportError as exc:
        return "not importable: %s" % exc
    results = []
    for case_dir in case_dirs:
        expected = load_expected(case_dir)
        try:
            environment = load_config(case_dir).stage("dev").environment("api_handler")
            permissions = required_permissions(collect_app_files(case_dir), environment)
        except Exception as exc:
            results.append(CaseResult(case_dir.name, expected, {},
                                      "%s: %s" % (type(exc).__name__, exc)))
            continue
        results.append(CaseResult(case_dir.name, expected, {
            action: set(resources) for action, resources in permissions.actions.items()}))
    return results


def ratio(hits: int, total: int) -> str:
    return "%.2f (%d/%d)" % (hits / total, hits, total) if total else "n/a"


def score_row(label: str, results: list[CaseResult]) -> str:
    pair_hits = pair_found = pair_wanted = 0
    action_hits = action_found = action_wanted = 0
    for result in results:
        found, wanted = pairs(result.emitted), pairs(result.expected)
        pair_hits += len(found & wanted)
        pair_found += len(found)
        pair_wanted += len(wanted)
        action_hits += len(set(result.emitted) & set(result.expected))
        action_found += len(result.emitted)
        action_wanted += len(result.expected)
    errors = sum(1 for result in results if result.error)
    return "| %s | %s | %s | %s | %s | %d |" % (
        label, ratio(action_hits, action_found), ratio(action_hits, action_wanted),
        ratio(pair_hits, pair_found), ratio(pair_hits, pair_wanted), errors)


def case_lines(label: str, results: list[CaseResult]) -> list[str]:
    lines = ["", "%s, per case: missing and extra (action, resource) pairs" % label, "",
             "| case | missing | extra |", "|---|---|---|"]
    for result in results:
        missing = sorted(pairs(result.expected) - pairs(result.emitted))
        extra = sorted(pairs(result.emitted) - pairs(result.expected))
        if result.error:
            lines.append("| %s | error: %s | |" % (result.name, result.error))
        elif missing or extra:
            lines.append("| %s | %s | %s |" % (
                result.name, "<br>".join("%s %s" % pair for pair in missing),
                "<br>".join("%s %s" % pair for pair in extra)))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Score Chalice's policy generator on tests/policy_corpus.")
    parser.add_argument("--python", default=DEFAULT_PYTHON,
                        help="a Python with chalice installed (default: %(default)s)")
    parser.add_argument("--corpus", type=pathlib.Path, default=CORPUS,
                        help="the corpus folder (default: tests/policy_corpus)")
    parser.add_argument("--cases", action="store_true",
                        help="also list each case's missing and extra pairs")
    parser.add_argument("--no-myframework", action="store_true",
                        help="score Chalice only")
    args = parser.parse_args(argv)

    case_dirs = cases(args.corpus)
    if not case_dirs:
        raise SystemExit("no cases (folders with expected.json) in %s" % args.corpus)
    version, chalice_results = run_chalice(args.python, case_dirs)
    expected_pairs = sum(len(pairs(result.expected)) for result in chalice_results)
    print("Corpus: %d cases, %d expected (action, resource) pairs, %d expected actions."
          % (len(case_dirs), expected_pairs,
             sum(len(result.expected) for result in chalice_results)))
    print()
    print("| generator | action precision | action recall | pair precision | pair recall "
          "| errors |")
    print("|---|---|---|---|---|---|")
    chalice_label = "Chalice %s (app.py only, Resource \"*\")" % version
    print(score_row(chalice_label, chalice_results))
    mine: list[CaseResult] | str = [] if args.no_myframework else run_myframework(case_dirs)
    if isinstance(mine, str):
        print("| myframework | %s | | | | |" % mine)
    elif mine:
        print(score_row("myframework gen-policy", mine))
    if args.cases:
        for line in case_lines("Chalice", chalice_results):
            print(line)
        if isinstance(mine, list) and mine:
            for line in case_lines("myframework", mine):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
