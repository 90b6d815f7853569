"""A test runner's report names its tests; the words of a test's name are no failure.

The strings were captured here: ``python -m pytest -q test_api.py`` on a file whose two
tests fail (``assert 1 == 2``, ``assert [] == [1]``), and ``go test ./...`` on a package
whose one test calls ``t.Fatal("boom")``.
"""

from __future__ import annotations

import pytest

from metricsd.core.facts import TEST_NAME, tool_error_label

PYTEST_SUMMARY = ("FAILED test_api.py::test_permission_denied_is_reported - assert 1 == 2\n"
                  "FAILED test_api.py::test_request_timeout_is_retried - assert [] == [1]\n"
                  "2 failed in 0.19s")
GO_TEST = ("--- FAIL: TestConnectionRefusedIsRetried (0.00s)\n    x_test.go:3: boom\nFAIL\n"
           "FAIL\tgp\t0.003s\nFAIL")


@pytest.mark.parametrize("report", [PYTEST_SUMMARY, GO_TEST])
def test_a_failed_test_is_labelled_by_its_failure_not_its_name(report: str) -> None:
    assert tool_error_label(report) == "other"


@pytest.mark.parametrize(("text", "label"), [
    # The failure itself still counts beside a test's name (pytest, captured here).
    ("E   ModuleNotFoundError: No module named 'nosuchmodule_xyz'\nERROR test_a.py", "not_found"),
    # A word that only starts like a test's name is read (SWE-bench harness, batch 16).
    ("Test output file logs/run_evaluation/run1/gold/x/test_output.txt does not exist",
     "not_found"),
])
def test_other_words_beside_a_test_name_still_count(text: str, label: str) -> None:
    assert tool_error_label(text) == label


def test_test_name_covers_python_and_go_tests_only() -> None:
    assert TEST_NAME.findall("test_api.py::TestClient::test_get TestMain Testing test latest_x") \
        == ["test_api", "TestClient", "test_get", "TestMain"]
