"""The sources file: the committed one is valid; mistakes are reported one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawler.sources import SourcesError, load_sources

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "sources.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    return caught.value.problems


def test_committed_file_is_valid():
    sources = load_sources(COMMITTED)
    assert {"avion-chasse", "lemonde", "francetvinfo", "theguardian", "bbc-news",
            "apnews"} <= set(sources)
    avion = sources["avion-chasse"]
    assert avion.sitemaps == ["https://www.avion-chasse.fr/sitemap_index.xml"]
    assert avion.feeds == ["https://www.avion-chasse.fr/feed/"]
    assert avion.allowed_domains == ["avion-chasse.fr"]
    assert avion.language == "fr" and avion.depth_limit == 6


def test_defaults(tmp_path):
    path = write(tmp_path, '[sources.ex]\nstart_urls = ["https://www.ex.com/news"]\n')
    source = load_sources(path)["ex"]
    assert source.allowed_domains == ["ex.com"]
    assert source.politeness.download_delay is None and source.tags.country is None


def test_every_problem_is_one_clear_line(tmp_path):
    path = write(tmp_path, """
[sources.lemonde]
start_urls = ["ftp://x"]
deny = ["(unclosed"]
language = "french"
colour = "blue"
politeness = { delay = 1 }

[sources.Bad_Name]
start_urls = ["https://ex.com/"]

[sources.empty]
tags = { country = "FR" }
""")
    lines = problems(path)
    assert f"{path}: [sources.lemonde] start_urls: not a http(s) URL: 'ftp://x'" in lines
    assert any("[sources.lemonde] deny: not a valid regular expression" in x for x in lines)
    assert any("[sources.lemonde] language: not an ISO 639-1 code" in x for x in lines)
    assert any("[sources.lemonde] colour: unknown key (known: start_urls," in x for x in lines)
    assert any("[sources.lemonde] politeness.delay: unknown key (known: download_delay"
               in x for x in lines)
    assert any("[sources.Bad_Name] name: not a slug" in x for x in lines)
    assert any("[sources.empty] needs at least one of start_urls" in x for x in lines)
    assert all("\n" not in line for line in lines)


def test_duplicate_source_names(tmp_path):
    path = write(tmp_path, '[sources.a]\nstart_urls = ["https://a.com/"]\n'
                           '[sources.a]\nfeeds = ["https://a.com/feed"]\n')
    assert problems(path)[0].startswith(f"{path}: duplicate source [sources.a]")


def test_missing_and_invalid_files(tmp_path):
    assert "no such file" in problems(tmp_path / "nope.toml")[0]
    assert "not valid TOML" in problems(write(tmp_path, "[sources.a\n"))[0]
    assert "unknown top-level key 'source'" in problems(write(tmp_path, "[source.a]\n"))[0]
