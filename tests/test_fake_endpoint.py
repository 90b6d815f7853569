"""The reference receiver over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from metricsd.core.batches import Host, batch_body
from tests.fake_endpoint import serve


def valid_body() -> dict[str, Any]:
    return batch_body(batch_id=str(uuid.uuid4()), daemon_version="0.1.0",
                      client_version="unknown", period_from="2026-11-25",
                      period_to="2026-11-25", facts={("turns", ""): 3},
                      host=Host("linux", "x86_64"))


def post(url: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(url, content=json.dumps(body).encode(), timeout=10, headers={
        "Content-Type": "application/json", "Idempotency-Key": str(body["batch_id"]),
        **headers})


def test_valid_invalid_duplicate_and_wrong_method() -> None:
    with serve() as (r, url):
        body = valid_body()
        first = post(url, body)
        assert first.status_code == 202 and first.json() == {"duplicate": False}
        again = post(url, body)
        assert again.status_code == 202 and again.json() == {"duplicate": True}
        assert list(r.batches) == [body["batch_id"]]
        bad = {**body, "batch_id": str(uuid.uuid4()), "counts": {"turns": 0}}
        assert post(url, bad).status_code == 400
        assert httpx.post(url, content=b"{", timeout=10,
                          headers={"Content-Type": "application/json"}).status_code == 400
        assert httpx.post(url, content=json.dumps(body).encode(), timeout=10,
                          headers={"Content-Type": "text/plain"}).status_code == 400
        mismatched = post(url, {**body, "batch_id": str(uuid.uuid4())},
                          **{"Idempotency-Key": body["batch_id"]})
        assert mismatched.status_code == 400
        assert httpx.get(url, timeout=10).status_code == 405
        assert httpx.put(url, content=b"{}", timeout=10).status_code == 405
        assert httpx.post(url.replace("/v1/metrics", "/v2/x"), content=b"{}",
                          timeout=10).status_code == 404
        assert len(r.batches) == 1


def test_fail_and_hang_controls_over_http() -> None:
    with serve() as (r, url):
        base = url.replace("/v1/metrics", "")
        assert httpx.post(f"{base}/control/fail?n=2&status=429&retry_after=7",
                          timeout=10).status_code == 200
        body = valid_body()
        for _ in range(2):
            got = post(url, body)
            assert got.status_code == 429 and got.headers["retry-after"] == "7"
        assert post(url, body).status_code == 202
        r.hang_next(1)
        try:
            httpx.post(url, content=json.dumps(valid_body()).encode(), timeout=0.5,
                       headers={"Content-Type": "application/json"})
            raise AssertionError("a hung request must time out")
        except httpx.TimeoutException:
            pass
        r.release()
        state = httpx.get(f"{base}/control/state", timeout=10).json()
        assert [b["batch_id"] for b in state["batches"]] == [body["batch_id"]]
