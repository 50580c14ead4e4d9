"""Shared pieces of the fault suite (a uniquely named module: `conftest` is not importable across test folders):
the distinctive fake secrets, the secret check, a fake clock and `Rig`, a collector wired like the service."""

from __future__ import annotations

import base64
import time

from hostile_upstream import REDDIT_BEARER
from prometheus_client import CollectorRegistry

from collector.config import Config
from collector.http import Http, make_client
from collector.metrics import Metrics
from collector.models import SourceResult
from collector.pipeline import Collector
from collector.redact import Redactor

SECRETS = {
    "CRYPTOPANIC_API_KEY": "cpkey-FAULTS-7q3k9x2m4n8p",
    "REDDIT_CLIENT_ID": "rid-FAULTS-h5j2k8l1w0",
    "REDDIT_CLIENT_SECRET": "rsecret-FAULTS-z9x8c7v6b5",
    "COINGECKO_API_KEY": "CG-FAULTS-a1s2d3f4g5h6",
    "WHALE_ALERT_API_KEY": "wakey-FAULTS-q1w2e3r4t5",
}
#: Everything that must never show: the secrets, the Basic credentials built from them, the issued bearer token.
FORBIDDEN = (*SECRETS.values(),
             base64.b64encode(f"{SECRETS['REDDIT_CLIENT_ID']}:{SECRETS['REDDIT_CLIENT_SECRET']}".encode()).decode(),
             REDDIT_BEARER)

#: Items each source brings when its upstream behaves (see hostile_upstream's good answers).
GOOD_ITEMS = {"cryptopanic": 2, "reddit": 2, "coingecko": 3, "feargreed": 1, "whalealert": 1, "rss:alpha": 2,
              "rss:beta": 2}


def assert_no_secret(text: str, where: str) -> None:
    """No forbidden value appears in `text`."""
    leaked = [s for s in FORBIDDEN if s in text]
    assert not leaked, f"secret {leaked[0][:8]}… leaked into {where}"


class FakeClock:
    """A clock the test moves by hand (starts at the real time, so upstream dates look fresh)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Rig:
    """A Collector wired like `collector serve`: production client, Metrics on a fresh registry as the HTTP
    observer and the pipeline listener."""

    def __init__(self, config: Config, clock: FakeClock) -> None:
        self.config = config
        self.clock = clock
        self.registry = CollectorRegistry()
        self.metrics = Metrics(self.registry, state=self._state)
        self.client = make_client(user_agent=config.http.user_agent, max_connections=config.http.max_connections,
                                  max_redirects=config.http.max_redirects)
        self.http = Http(self.client, observer=self.metrics, redactor=Redactor(config.secrets.redactables()),
                         max_body_bytes=config.http.max_body_bytes, per_host=config.http.per_host, clock=clock)
        self.collector = Collector(config, http=self.http, clock=clock, listener=self.metrics)

    def _state(self):  # type: ignore[no-untyped-def]
        return self.collector.snapshot(), self.collector.config

    async def poll(self, keys: list[str] | None = None) -> dict[str, SourceResult]:
        """Run the given sources (default: all) once, concurrently; results by source key."""
        keys = keys or list(self.collector.sources)
        return dict(zip(keys, await self.collector.run_all(keys), strict=True))

    def value(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    def errors(self, api: str, reason: str) -> float:
        return self.value("sigmax_research_api_errors_total", api=api, reason=reason)

    def all_errors(self) -> dict[tuple[str, str], float]:
        """Every non-zero sigmax_research_api_errors_total sample, by (api, reason)."""
        out = {}
        for fam in self.registry.collect():
            for s in fam.samples:
                if s.name == "sigmax_research_api_errors_total" and s.value:
                    out[(s.labels["api"], s.labels["reason"])] = s.value
        return out

    async def close(self) -> None:
        await self.client.aclose()


def assert_only_failed(results: dict[str, SourceResult], failed: str, reason: str) -> None:
    """`failed` failed with `reason`; every other source succeeded with all of its items."""
    bad = results[failed]
    assert not bad.ok, f"{failed} should have failed with {reason}"
    assert bad.reason == reason, f"{failed}: expected {reason}, got {bad.reason}: {bad.error}"
    assert bad.error
    for key, r in results.items():
        if key != failed:
            assert r.ok, f"{key} was hit by {failed}'s fault: {r.error}"
            assert r.items == GOOD_ITEMS[key], (key, r.items)
