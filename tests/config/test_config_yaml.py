"""Reading the file: YAML 1.2 semantics, duplicate keys, syntax errors, file-level failures, path lookup."""

from __future__ import annotations

import pytest

from collector.config import DEFAULT_CONFIG, ENV_CONFIG, config_path, load_config
from collector.errors import ConfigError
from collector.yamlio import MAX_CONFIG_BYTES, load_yaml


def test_config_yaml_is_1_2_not_1_1():
    """NO/ON/yes stay strings, 1:30 stays a string, 017 is seventeen."""
    data = load_yaml("a: NO\nb: ON\nc: yes\nd: 1:30\ne: 017\nf: true\n")
    assert data == {"a": "NO", "b": "ON", "c": "yes", "d": "1:30", "e": 17, "f": True}


def test_config_yaml_duplicate_key_reports_line_and_key(write):
    """A key written twice in one mapping is an error with file:line:col and the key."""
    path = write("""\
        symbols:
          BTC: {aliases: [BTC]}
          ETH: {aliases: [ETH]}
          BTC: {aliases: [XBT]}
    """)
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert info.value.problems == [
        f"{path}:4:3: duplicate key 'BTC' (the mapping starts on line 2); "
        "a key may appear once per mapping, remove or rename one of them"]


def test_config_yaml_syntax_error_reports_position_and_advice(write):
    """Broken YAML gives file:line:col, the parser's complaint and what to check."""
    path = write("""\
        sources:
          reddit: {interval: 5m
        rss: {}
    """)
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    (line,) = info.value.problems
    assert line.startswith(f"{path}:3:")
    assert "YAML syntax error:" in line and "check the indentation, colons and quotes" in line


def test_config_yaml_tab_indentation_is_a_syntax_error(write):
    """A tab used for indentation is reported, not a traceback."""
    path = write("symbols:\n\tBTC: {aliases: [BTC]}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert info.value.problems[0].startswith(f"{path}:2:")


def test_config_yaml_1_1_directive_is_refused(write):
    """A %YAML 1.1 directive would bring the 1.1 traps back, so it is refused."""
    path = write("%YAML 1.1\n---\nsymbols: {}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert info.value.problems == [f"{path}:1:1: the file asks for YAML 1.1; the collector reads YAML 1.2 "
                                   "only, remove the %YAML directive"]


def test_config_yaml_missing_file_says_what_to_do(tmp_path):
    """A missing file names the path and the three ways to point at a config."""
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert info.value.problems == [f"{path}: file not found; pass --config PATH, set COLLECTOR_CONFIG, "
                                   "or copy the shipped feeds.yaml here"]
    assert info.value.path == str(path)


def test_config_yaml_directory_is_refused(tmp_path):
    """A directory given as the config path is a clear error."""
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, {})
    assert info.value.problems == [f"{tmp_path}: is a directory; pass the path of the YAML file"]


def test_config_yaml_not_utf8_is_refused(tmp_path):
    """Latin-1 bytes are reported with their offset."""
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"symbols: {}\n# caf\xe9\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert info.value.problems == [f"{path}: not UTF-8 text (byte 17); save the file as UTF-8"]


def test_config_yaml_oversized_file_is_refused(tmp_path):
    """A file over the size cap is not parsed."""
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"#" * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert "more than the" in info.value.problems[0]


def test_config_yaml_empty_file_is_refused(write):
    """An empty file is an error pointing at the shipped example."""
    path = write("# nothing but a comment\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert info.value.problems == ["the file is empty; start from the shipped feeds.yaml"]


def test_config_yaml_utf8_bom_is_accepted(tmp_path):
    """A UTF-8 byte order mark (some editors add one) does not break parsing."""
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"\xef\xbb\xbfsymbols:\n  BTC: {aliases: [BTC]}\n")
    assert load_config(path, {}).symbols[0].symbol == "BTC"


def test_config_yaml_path_order_argument_env_default(tmp_path):
    """--config wins over COLLECTOR_CONFIG, which wins over ./feeds.yaml."""
    assert config_path("a.yaml", {ENV_CONFIG: "b.yaml"}).name == "a.yaml"
    assert config_path(None, {ENV_CONFIG: "b.yaml"}).name == "b.yaml"
    assert str(config_path(None, {})) == DEFAULT_CONFIG
    assert str(config_path(None, {ENV_CONFIG: "  "})) == DEFAULT_CONFIG


def test_config_yaml_load_config_reads_env_path(write):
    """load_config(None, env) reads the file named by COLLECTOR_CONFIG and records its path."""
    path = write("symbols:\n  ETH: {aliases: [ETH]}\n", "other.yaml")
    config = load_config(None, {ENV_CONFIG: str(path)})
    assert config.path == str(path)
    assert [s.symbol for s in config.symbols] == ["ETH"]
