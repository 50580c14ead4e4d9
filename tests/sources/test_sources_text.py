"""Specs for collector.text: cleaning titles, canonical URLs and title keys."""

from __future__ import annotations

import time

from collector.text import canonical_url, clean_text, host_of, title_key


def test_clean_text_strips_tags_and_entities():
    """Markup goes, entities become characters, block tags leave a space between words."""
    assert clean_text("<p>Bitcoin&nbsp;<b>rallies</b></p><p>again &amp; again</p>") == "Bitcoin rallies again & again"


def test_clean_text_drops_script_and_style_content():
    """Text inside script/style never reaches a title."""
    assert clean_text("<style>p{color:red}</style>Hello<script>alert(1)</script> world") == "Hello world"


def test_clean_text_decodes_double_escaped_entities():
    """A feed that escaped its entities twice (`&amp;#039;`) still reads right."""
    assert clean_text("Regulator&amp;#039;s view") == "Regulator's view"


def test_clean_text_removes_escaped_markup():
    """Markup that arrives escaped (`&lt;b&gt;`) is removed as well, not shown as tags."""
    assert clean_text("rules &lt;b&gt;stay&lt;/b&gt; put") == "rules stay put"


def test_clean_text_keeps_comparisons_that_are_not_tags():
    """A `<` used as text is not mistaken for a tag."""
    assert clean_text("fees < 1 cent and > 0") == "fees < 1 cent and > 0"


def test_clean_text_drops_zero_width_and_control_characters():
    """Zero-width, BOM, bidi-override and control characters disappear; newlines become spaces."""
    assert clean_text("So\u200bl\ufeffana\u202e \x07up\ndate\t!") == "Solana up date !"


def test_clean_text_keeps_emoji_and_right_to_left_text():
    """Emoji and RTL scripts are content, not junk."""
    assert clean_text("Moon 🚀 שלום مرحبا") == "Moon 🚀 שלום مرحبا"


def test_clean_text_drops_lone_surrogates():
    """A lone surrogate (possible from JSON `\\ud800`) cannot break UTF-8 output later."""
    out = clean_text("ok \ud800 fine")
    assert out == "ok fine"
    out.encode("utf-8")


def test_clean_text_caps_length_with_an_ellipsis():
    """A long text is cut to the limit, the last character being an ellipsis."""
    out = clean_text("word " * 1000, 50)
    assert len(out) <= 50 and out.endswith("…")


def test_clean_text_handles_a_100kb_title_quickly():
    """A hostile 100 KB title of nested tags is cleaned and capped well within a second."""
    started = time.perf_counter()
    out = clean_text("<b><i>" * 10_000 + "x" * 40_000, 1000)
    assert time.perf_counter() - started < 1.0
    assert len(out) <= 1000


def test_clean_text_non_strings_give_empty():
    """None, numbers and containers clean to ""."""
    assert clean_text(None) == clean_text(42) == clean_text(["a"]) == ""


def test_canonical_url_removes_tracking_and_fragment():
    """utm_*, mtm_*, fbclid, gclid, ref and source=rss go, as does the fragment; the rest is sorted."""
    url = "HTTPS://News.Example.COM:443/a/b/?utm_source=rss&z=2&mtm_campaign=API&fbclid=x&gclid=y&ref=tw&a=1#top"
    assert canonical_url(url) == "https://news.example.com/a/b?a=1&z=2"


def test_canonical_url_drops_source_rss_but_keeps_other_source_values():
    """`source=rss...` is tracking; `source=report` is content."""
    assert canonical_url("https://x.example/p?source=rss_feed") == "https://x.example/p"
    assert canonical_url("https://x.example/p?source=report") == "https://x.example/p?source=report"


def test_canonical_url_same_story_two_spellings_match():
    """Two links to one story from two feeds have one canonical form."""
    a = "https://chainnews.example/btc-rallies/?utm_medium=rss&utm_source=rss"
    b = "https://ChainNews.example/btc-rallies#comments"
    assert canonical_url(a) == canonical_url(b)


def test_canonical_url_keeps_a_non_default_port_and_survives_junk():
    """A real port stays; non-URLs come back unchanged instead of raising."""
    assert canonical_url("http://h.example:8080/x/") == "http://h.example:8080/x"
    assert canonical_url("not a url") == "not a url"
    assert canonical_url("http://[::1") == "http://[::1"
    assert canonical_url(None) == ""


def test_title_key_ignores_case_punctuation_markup_and_spacing():
    """Headlines that differ only in presentation share a key."""
    assert title_key("Bitcoin  rallies, again!") == title_key("<b>BITCOIN</b> rallies again")
    assert title_key("Bitcoin rallies") != title_key("Bitcoin falls")
    assert len(title_key("x")) == 16


def test_title_key_empty_for_titles_without_words():
    """A title with no letters or digits gets no key, so such titles are never merged."""
    assert title_key("!!! ???") == "" and title_key("") == ""


def test_host_of_strips_www_and_case():
    """Domain of a link: lower case, no www., "" when there is no host."""
    assert host_of("https://WWW.Example.com/a") == "example.com"
    assert host_of("/relative") == "" and host_of(None) == ""
