"""Durations: numbers of seconds or "1h30m"-style strings; nothing else."""

from __future__ import annotations

import pytest

from collector.config_checks import parse_duration


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (90, 90.0),
        (2.5, 2.5),
        ("90", 90.0),
        ("90s", 90.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("1d2h", 93600.0),
        ("250ms", 0.25),
        ("1m30s", 90.0),
        ("1.5h", 5400.0),
        (" 5m ", 300.0),
    ],
)
def test_config_durations_accepted_forms(value, seconds):
    """Numbers are seconds; strings are number+unit pairs, largest unit first."""
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["1:30", "", "5 m", "30m1h", "1m1m", "m", "5min", "-5s", "1h-30m",
                                   True, None, [5], {"m": 5}])
def test_config_durations_refused_forms(value):
    """Sexagesimal, spaces, wrong order, repeats, unknown units, booleans and containers are not durations."""
    assert parse_duration(value) is None


def test_config_durations_in_config_convert_to_seconds(parse):
    """A config's durations arrive in the dataclasses as float seconds."""
    config = parse("""
        sources:
          feargreed: {interval: 1h30m, timeout: 250ms}
        rss: {interval: 90, timeout: "20"}
        aggregation: {window: 1d, half_life: 45m, future_tolerance: 0}
        service: {reload_poll_seconds: 2s}
    """)
    assert config.sources["feargreed"].interval == 5400.0
    assert config.sources["feargreed"].timeout == 0.25
    assert (config.rss.interval, config.rss.timeout) == (90.0, 20.0)
    assert (config.aggregation.window, config.aggregation.half_life) == (86400.0, 2700.0)
    assert config.aggregation.future_tolerance == 0.0
    assert config.service.reload_poll_seconds == 2.0


def test_config_durations_negative_and_wrong_types(problems):
    """Negative numbers, booleans and lists get the 'positive duration' message with what was found."""
    found = problems("""
        sources:
          reddit: {interval: -5}
          feargreed: {interval: true}
          coingecko: {interval: [5m]}
          whalealert: {interval: .inf}
    """)
    assert found == [
        "sources.reddit.interval: must be a positive duration, got -5",
        "sources.coingecko.interval: must be a positive duration, got a list; "
        'write seconds (90) or a duration like "90s", "5m", "1h", "1h30m"',
        "sources.feargreed.interval: must be a positive duration, got a boolean; "
        'write seconds (90) or a duration like "90s", "5m", "1h", "1h30m"',
        "sources.whalealert.interval: must be a positive duration, got inf",
    ]


@pytest.mark.parametrize("value", ["1e12", "100000000d", "367d"])
def test_config_durations_above_a_year_are_refused(problems, value):
    """A huge interval is refused with its path, not left to overflow the scheduler's date arithmetic."""
    found = problems(f"symbols:\n  BTC: {{aliases: [Bitcoin]}}\nsources:\n  reddit: {{interval: {value}}}\n")
    assert any("sources.reddit.interval" in p and "at most 366d" in p for p in found), found
