"""Tool-error kinds found in the held-out batches 53-58, in wordings other than the rows'."""

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # WecoAI/aideml interpreter trailer after a run that did not time out: other.
        ("Traceback (most recent call last):\nKeyError: 'x'\n"
         "Execution time: 2 seconds seconds (time limit is an hour).", "other"),
        # ... and its timeout line still is a timeout.
        ("Execution time: an hour seconds (time limit is an hour).\n"
         "TimeoutError: Execution exceeded the time limit of an hour", "timeout"),
        ("Unknown action: scroll_down", "unknown_tool"),
        ("!goToBed is not a command.", "unknown_tool"),
        ("Unrecognized node type: n8n-nodes-base.ssh", "unknown_tool"),
        ("Error: Blocked rm command targeting the root directory.", "denied"),
        ("Error: Param 'distance' must be of type float.", "invalid_args"),
    ],
)
def test_heldout_tool_kinds(text: str, label: str) -> None:
    assert tool_error_label(text) == label
