"""A hostile or broken sources file entry, and bad crawl arguments and settings: each is one
clear line naming the entry or argument, a non-zero exit, and no fetch (SECURITY.md, threat
2; docs/reliability.md, "Configuration"). Classes already shown in tests/test_sources.py,
tests/test_schedule.py, tests/test_revisit.py and tests/test_crawl_exit_status.py are not
repeated here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawler.cli import main
from newscrawler.plan import PlanError, make_plan
from newscrawler.sources import SourcesError, load_sources
from tests.crawling import run_crawl

GOOD = 'start_urls = ["https://news.example/"]\n'


def sources_file(tmp_path: Path, entry: str, name: str = "site") -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f'[sources."{name}"]\n{entry}', encoding="utf-8")
    return path


def only_problem(path: Path, allow_private: str = "") -> str:
    with pytest.raises(SourcesError) as caught:
        load_sources(path, allow_private)
    assert len(caught.value.problems) == 1, caught.value.problems
    problem = caught.value.problems[0]
    assert "\n" not in problem and problem.startswith(f"{path}: ")
    return problem


@pytest.mark.parametrize(("entry", "expected"), [
    ('start_urls = ["http://127.0.0.1/news"]\n',
     "start_urls: http://127.0.0.1/news: 127.0.0.1 is a private address (allow it with "
     "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS)"),
    ('feeds = ["http://169.254.169.254/latest/meta-data/"]\n',
     "feeds: http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a private address"),
    ('sitemaps = ["http://localhost:8080/sitemap.xml"]\n',
     "sitemaps: http://localhost:8080/sitemap.xml: localhost is the local machine"),
    ('start_urls = ["http://[::ffff:10.0.0.1]/"]\n',
     "start_urls: http://[::ffff:10.0.0.1]/: ::ffff:10.0.0.1 is a private address"),
    ('start_urls = ["http://2130706433/"]\n',
     "start_urls: http://2130706433/: 2130706433 is a private address"),
    (GOOD + 'allowed_domains = ["10.1.2.3"]\n', "allowed_domains: 10.1.2.3 is a private address"),
])
def test_an_entry_naming_a_private_address_is_refused(tmp_path, entry, expected):
    assert f"[sources.site] {expected}" in only_problem(sources_file(tmp_path, entry))


def test_the_operators_allowlist_admits_a_private_entry_and_the_file_cannot(tmp_path):
    private = sources_file(tmp_path, 'start_urls = ["http://127.0.0.1:8000/"]\n')
    assert load_sources(private, "127.0.0.1")["site"].start_urls == ["http://127.0.0.1:8000/"]
    assert load_sources(private, "127.0.0.0/8")["site"].allowed_domains == ["127.0.0.1"]
    assert "is a private address" in only_problem(private, "")

    widened = sources_file(tmp_path, GOOD + 'allow_private_hosts = ["127.0.0.1"]\n')
    assert "[sources.site] allow_private_hosts: unknown key" in only_problem(widened)


@pytest.mark.parametrize(("entry", "expected"), [
    ('start_urls = "https://news.example/"\n',
     "start_urls: Input should be a valid list (got str 'https://news.example/')"),
    ('start_urls = [42]\n', "start_urls: Input should be a valid string (got int 42)"),
    (GOOD + 'depth_limit = "3"\n', "depth_limit: Input should be a valid integer (got str '3')"),
    (GOOD + "depth_limit = true\n", "depth_limit: Input should be a valid integer (got bool True)"),
    (GOOD + "depth_limit = 2.5\n", "depth_limit: Input should be a valid integer"),
    (GOOD + "language = 5\n", "language: Input should be a valid string (got int 5)"),
    (GOOD + 'politeness = { concurrency = "4" }\n', "politeness.concurrency: Input should be"),
    (GOOD + 'recheck = "weekly"\n', "recheck: Input should be a valid dictionary"),
    (GOOD + "schedule = 6\n", "schedule: Input should be a valid string (got int 6)"),
])
def test_wrong_types_are_named_with_what_was_given(tmp_path, entry, expected):
    assert f"[sources.site] {expected}" in only_problem(sources_file(tmp_path, entry))


@pytest.mark.parametrize(("entry", "expected"), [
    (GOOD + "depth_limit = -1\n", "depth_limit: Input should be greater than or equal to 0"),
    (GOOD + "depth_limit = 99999999999\n", "depth_limit: Input should be less than or equal to 50"),
    (GOOD + "politeness = { concurrency = 0 }\n", "politeness.concurrency: Input should be "
     "greater than or equal to 1"),
    (GOOD + "politeness = { concurrency = 100000 }\n",
     "politeness.concurrency: Input should be less than or equal to 32"),
    (GOOD + "politeness = { download_delay = -0.5 }\n", "politeness.download_delay: Input "
     "should be greater than or equal to 0"),
    (GOOD + "politeness = { download_delay = 1e300 }\n",
     "politeness.download_delay: Input should be less than or equal to 3600"),
    (GOOD + "politeness = { download_delay = inf }\n",
     "politeness.download_delay: Input should be a finite number"),
    (GOOD + "politeness = { autothrottle_target = nan }\n",
     "politeness.autothrottle_target: Input should be a finite number"),
])
def test_negative_huge_and_infinite_numbers_are_refused(tmp_path, entry, expected):
    assert f"[sources.site] {expected}" in only_problem(sources_file(tmp_path, entry))


@pytest.mark.parametrize(("entry", "expected"), [
    ('start_urls = ["https://user:secret@news.example/"]\n',
     "start_urls: credentials in a URL are not supported: 'news.example'"),
    ('start_urls = ["https://news.example:99999/"]\n', "start_urls: not a valid port"),
    ('start_urls = ["https://news example/"]\n', "start_urls: URL holds whitespace"),
    ('feeds = ["https://news.example/\\u0000feed"]\n', "feeds: URL holds whitespace or control"),
    ('start_urls = ["https://-bad-.example/"]\n', "start_urls: https://-bad-.example/: not a "
     "valid host name"),
    (f'start_urls = ["https://news.example/{"a" * 2100}"]\n',
     "start_urls: URL longer than 2048 characters"),
    ('start_urls = ["javascript:alert(1)"]\n', "start_urls: not a http(s) URL"),
    (GOOD + 'allowed_domains = ["news.example/path"]\n',
     "allowed_domains: not a valid host name: 'news.example/path'"),
    (GOOD + 'allowed_domains = [""]\n', "allowed_domains: not a valid host name: ''"),
])
def test_urls_and_domains_an_entry_cannot_use(tmp_path, entry, expected):
    assert f"[sources.site] {expected}" in only_problem(sources_file(tmp_path, entry))


@pytest.mark.parametrize(("entry", "expected"), [
    (GOOD + 'schedule = "every day"\n', "schedule: not a cron expression (5 fields"),
    (GOOD + 'schedule = "*/0 * * * *"\n', "schedule: "),
    (GOOD + 'tags = { topic = "defence" }\n',
     "tags.topic: unknown key (known: country, outlet_type, collection)"),
    (GOOD + 'recheck = { after = "soon" }\n', "recheck: not a duration"),
])
def test_bad_schedules_tags_and_revisit_rules(tmp_path, entry, expected):
    assert f"[sources.site] {expected}" in only_problem(sources_file(tmp_path, entry))


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", "a\\\\b", "a\\nb", "x" * 65, ""])
def test_a_name_with_path_characters_is_refused_in_one_line(tmp_path, name):
    problem = only_problem(sources_file(tmp_path, GOOD, name))
    assert "name: not a slug (lower-case letters, digits, - and _)" in problem


def test_a_sources_file_that_is_no_utf8_text_or_no_file(tmp_path):
    binary = tmp_path / "latin1.toml"
    binary.write_bytes(b'[sources.site]\nstart_urls = ["https://caf\xe9.example/"]\n')
    assert only_problem(binary) == f"{binary}: not UTF-8 text (byte 41): save it as UTF-8"
    assert only_problem(tmp_path) == f"{tmp_path}: cannot read the file: Is a directory"


def test_every_command_reading_the_sources_file_prints_each_problem_on_its_own_line(tmp_path):
    path = sources_file(tmp_path, 'start_urls = ["http://10.0.0.1/"]\ndepth_limit = -1\n')
    for command in (["sources", "check"], ["sources", "list"], ["schedule"]):
        result = CliRunner().invoke(main, [*command, "--file", str(path)])
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 2, command
        assert len(lines) == 2 and all(line.startswith(f"Error: {path}: [sources.site] ")
                                       for line in lines), (command, lines)


# --- crawl arguments ------------------------------------------------------------------------

def plan_error(args: dict[str, str], sources: Path | str = "unused.toml",
               allow_private: str = "") -> str:
    with pytest.raises(PlanError) as caught:
        make_plan(args, str(sources), 6, allow_private)
    message = str(caught.value)
    assert "\n" not in message
    return message


URL = "https://news.example/"


@pytest.mark.parametrize(("args", "expected"), [
    ({"url": URL, "depth_limit": "abc"}, "-a depth_limit='abc': give a whole number from 0 to 50"),
    ({"url": URL, "depth_limit": "-1"}, "-a depth_limit='-1': give a whole number"),
    ({"url": URL, "depth_limit": "51"}, "-a depth_limit='51': give a whole number"),
    ({"url": URL, "depth_limit": "٣"}, "-a depth_limit='٣': give a whole number"),
    ({"feed": URL, "depth_limit": "2"}, "-a depth_limit: only with -a source or -a url"),
    ({"url": URL, "recheck": "bogus"}, "-a recheck='bogus': use one of due, all, none"),
    ({"url": "file:///etc/passwd"}, "-a url: not an http(s) URL: 'file:///etc/passwd'"),
    ({"sitemap": "http://127.0.0.1/sitemap.xml"},
     "-a sitemap: http://127.0.0.1/sitemap.xml: 127.0.0.1 is a private address (allow it "
     "with NEWSCRAWLER_ALLOW_PRIVATE_HOSTS)"),
    ({"feed": f"{URL}feed,http://localhost/feed"}, "-a feed: http://localhost/feed: localhost"),
    ({"url": URL, "colour": "blue"},
     "-a colour: unknown argument (known: source, url, feed, sitemap, urls_file, recheck, "
     "depth_limit, run, worker)"),
    ({"url": URL, "depth": "3"}, "-a depth: unknown argument"),
    ({"source": ""}, "-a source= is empty: give a source name (newscrawler sources list)"),
    ({"urls_file": " "}, "-a urls_file= is empty: give a path"),
])
def test_bad_crawl_arguments_are_one_line_naming_the_argument(args, expected):
    assert plan_error(args).startswith(expected)


def test_a_private_line_in_a_urls_file_is_named_with_its_line_number(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{URL}a.html\nhttp://192.168.1.1/admin\n")
    assert plan_error({"urls_file": str(urls)}) == (
        f"{urls}:2: http://192.168.1.1/admin: 192.168.1.1 is a private address (allow it with "
        "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS)")
    assert make_plan({"urls_file": str(urls)}, "unused.toml", 6, "192.168.1.0/24").pages == [
        f"{URL}a.html", "http://192.168.1.1/admin"]


def test_an_unknown_source_or_a_broken_sources_file(tmp_path):
    good = sources_file(tmp_path, GOOD, "daily")
    assert plan_error({"source": "../daily"}, good) == (
        f"-a source=../daily: no such source in {good} (known: daily)")
    broken = sources_file(tmp_path, 'start_urls = ["http://10.0.0.1/"]\ndepth_limit = -1\n')
    message = plan_error({"source": "site"}, broken)
    assert message.startswith(f"{broken}: [sources.site] start_urls: http://10.0.0.1/: ")
    assert message.endswith(f"(and 1 more: newscrawler sources check --file {broken})")


def test_depth_limit_applies_to_this_run_only(tmp_path):
    path = sources_file(tmp_path, GOOD + "depth_limit = 4\n", "daily")
    assert make_plan({"source": "daily"}, str(path), 6).depth_limit == 4
    assert make_plan({"source": "daily", "depth_limit": "1"}, str(path), 6).depth_limit == 1
    assert make_plan({"url": URL, "depth_limit": "0"}, "unused.toml", 6).depth_limit == 0


# --- the crawl command: exit 2, one line, nothing fetched --------------------------------

@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    """A site on 127.0.0.1 that records every path asked for: a config error asks none."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (stdlib name)
            asked.append(self.path)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    server.shutdown()
    server.server_close()


@pytest.mark.e2e
@pytest.mark.parametrize(("args", "settings", "env", "expected"), [
    (["depth_limit=abc"], {}, {}, "Error: -a depth_limit='abc': give a whole number"),
    (["sitemaps=SITE"], {}, {}, "Error: -a sitemaps: unknown argument"),
    ([], {"NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE": "lots"}, {},
     "Error: NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE='lots': not a whole number of 0 or more"),
    ([], {}, {"NEWSCRAWLER_DEPTH_LIMIT": "six"},
     "Error: NEWSCRAWLER_DEPTH_LIMIT='six': not a whole number of 0 or more"),
    ([], {"NEWSCRAWLER_DOWNLOAD_TIME_LIMIT": "nan"}, {},
     "Error: NEWSCRAWLER_DOWNLOAD_TIME_LIMIT='nan': not a number of seconds of 0 or more"),
])
def test_the_crawl_exits_2_with_one_line_before_any_fetch(tmp_path, site, args, settings, env,
                                                          expected):
    base, asked = site
    result = run_crawl([f"url={base}", *(arg.replace("SITE", base) for arg in args)],
                       f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path / "warc",
                       settings=settings, env=env, timeout=120)
    errors = [line for line in result.log.splitlines() if line.startswith("Error:")]
    assert result.returncode == 2, result.log[-2000:]
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    assert "Traceback" not in result.log
    assert asked == []


@pytest.mark.e2e
def test_a_sources_entry_naming_a_private_address_is_refused_before_any_fetch(tmp_path, site):
    base, asked = site
    path = sources_file(tmp_path, f'start_urls = ["{base}"]\n', "local")
    result = run_crawl(["source=local"], f"sqlite:///{tmp_path / 'a.sqlite3'}",
                       tmp_path / "warc", allow_private="", timeout=120,
                       env={"NEWSCRAWLER_SOURCES": str(path)})
    errors = [line for line in result.log.splitlines() if line.startswith("Error:")]
    assert result.returncode == 2
    assert errors == [f"Error: {path}: [sources.local] start_urls: {base}: 127.0.0.1 is a "
                      "private address (allow it with NEWSCRAWLER_ALLOW_PRIVATE_HOSTS)"]
    assert "Traceback" not in result.log and asked == []
