"""Hot reload in the running service: apply valid edits without a restart, refuse invalid ones."""

from __future__ import annotations

import asyncio

import pytest
from core_helpers import wait_until as _until
from prometheus_client import CollectorRegistry

from collector.config import load_config
from collector.service import Service


@pytest.fixture
async def running(replay_config_path, env):
    svc = Service(load_config(replay_config_path, env), config_path=replay_config_path, env=env,
                  registry=CollectorRegistry(), host="127.0.0.1", port=0)
    await svc.start()
    await _until(lambda: svc.collector.ready())
    yield svc
    await svc.stop()


def _feed_ok(svc: Service, name: str) -> float | None:
    url = next((f.url for f in svc.collector.config.rss.feeds if f.name == name), None)
    if url is None:  # not in the config any more: look through every sample for a leftover series
        for metric in svc.registry.collect():
            for s in metric.samples:
                if s.name == "sigmax_rss_feed_fetch_success" and s.labels.get("feed") == name:
                    return s.value
        return None
    return svc.registry.get_sample_value("sigmax_rss_feed_fetch_success", {"feed": name, "feed_url": url})


async def test_reload_adds_and_removes_feeds_and_jobs(running, replay_config_path, upstream):
    """A new feed is scheduled and exported; a removed one is unscheduled and its series are gone."""
    from fake_upstream import replay_config

    replay_config_path.write_text(replay_config(upstream.base, feeds=("alpha", "gamma")))
    ok, problems = await running.reload(reason="test")
    assert ok and problems == []
    assert running.scheduler.get_job("rss:gamma") is not None
    assert running.scheduler.get_job("rss:beta") is None
    await _until(lambda: _feed_ok(running, "gamma") == 1)
    assert _feed_ok(running, "beta") is None
    assert running.registry.get_sample_value("sigmax_collector_config_last_reload_successful") == 1


async def test_reload_keeps_state_of_unchanged_sources(running, replay_config_path, upstream):
    """An unchanged source keeps its instance and results; its window keeps its items."""
    from fake_upstream import replay_config

    before = running.collector.sources["rss:alpha"]
    news_before = len(running.collector.windows["news"])
    replay_config_path.write_text(replay_config(upstream.base, feeds=("alpha",)))
    assert (await running.reload(reason="test"))[0]
    assert running.collector.sources["rss:alpha"] is before
    assert "rss:alpha" in running.collector.results
    assert len(running.collector.windows["news"]) == news_before


async def test_reload_reschedules_changed_interval(running, replay_config_path, upstream):
    """A changed interval reschedules that job with the new trigger."""
    from fake_upstream import replay_config

    replay_config_path.write_text(replay_config(upstream.base, interval="7s"))
    assert (await running.reload(reason="test"))[0]
    assert running.scheduler.get_job("feargreed").trigger.interval.total_seconds() == 7


async def test_reload_invalid_file_keeps_old_config(running, replay_config_path):
    """Broken YAML: the old jobs keep running and the reload gauge is 0 until the file is fixed."""
    good = replay_config_path.read_text()
    replay_config_path.write_text("symbols: [this is: not valid\n")
    ok, problems = await running.reload(reason="test")
    assert not ok and problems
    assert running.registry.get_sample_value("sigmax_collector_config_last_reload_successful") == 0
    assert running.scheduler.get_job("rss:alpha") is not None
    ts = running.registry.get_sample_value("sigmax_collector_config_last_reload_success_timestamp_seconds")
    replay_config_path.write_text(good)
    assert (await running.reload(reason="test"))[0]
    assert running.registry.get_sample_value("sigmax_collector_config_last_reload_successful") == 1
    assert running.registry.get_sample_value(
        "sigmax_collector_config_last_reload_success_timestamp_seconds") >= ts


async def test_reload_removed_symbol_series_disappear(running, replay_config_path, upstream):
    """A symbol dropped from the config loses its score series; the others stay."""
    from fake_upstream import replay_config

    v = running.registry.get_sample_value
    assert v("sigmax_news_sentiment_score", {"symbol": "SOL"}) is not None
    text = replay_config(upstream.base).replace("  SOL: {aliases: [Solana, SOL], coingecko_id: solana}\n", "")
    replay_config_path.write_text(text)
    assert (await running.reload(reason="test"))[0]
    assert v("sigmax_news_sentiment_score", {"symbol": "SOL"}) is None
    assert v("sigmax_news_sentiment_score", {"symbol": "BTC"}) is not None


async def test_reload_file_watch_picks_up_changes(replay_config_path, env, upstream):
    """Without a signal, a changed file is noticed by the content-hash poll."""
    from fake_upstream import replay_config

    text = replay_config(upstream.base) + "service: {reload_poll_seconds: 0.2}\n"
    replay_config_path.write_text(text)
    svc = Service(load_config(replay_config_path, env), config_path=replay_config_path, env=env,
                  registry=CollectorRegistry(), host="127.0.0.1", port=0)
    task = asyncio.create_task(svc.run())
    try:
        await _until(lambda: svc.collector.ready())
        replay_config_path.write_text(text.replace("feeds:\n", "feeds:\n    - {name: delta, url: '"
                                                   + upstream.base + "/rss/delta.xml'}\n"))
        await _until(lambda: svc.scheduler.get_job("rss:delta") is not None, timeout=5)
    finally:
        svc.request_stop()
        await asyncio.wait_for(task, 10)
