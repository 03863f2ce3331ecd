"""WARC 1.1 records of one fetch, built with warcio from plain values (no Scrapy, no I/O).

An ``Exchange`` is what went over the wire, as far as the HTTP client tells: the request as
sent and the response as received, with its payload still content-encoded. The builders
turn it into warcio records (``request``, ``response``, ``revisit``), and describe a file
(``warcinfo``) or an extraction result (``metadata``); ``CaptureWriter`` writes them.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from http import HTTPStatus
from io import BytesIO
from typing import Literal
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from newscrawler.capture.refs import CaptureRef, warc_date

__all__ = ["PROFILES", "Exchange", "RecordFactory", "RevisitProfile", "WarcInfo", "sha1_digest"]

RevisitProfile = Literal["identical-payload-digest", "server-not-modified"]
PROFILES: dict[str, str] = {
    name: f"http://netpreserve.org/warc/1.1/revisit/{name}"
    for name in ("identical-payload-digest", "server-not-modified")
}
WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def sha1_digest(data: bytes) -> str:
    """``sha1:<base32>``, the digest form WARC tools (warcio, pywb, Heritrix) write."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response.

    ``payload`` is the response body as received: transfer-decoded, still content-encoded.
    ``reason`` empty means the standard phrase of ``status``. ``truncated`` is a
    ``WARC-Truncated`` reason (``length``, ``time``, ``disconnect``, ``unspecified``).
    """

    url: str
    status: int
    response_headers: Sequence[tuple[str, str]]
    payload: bytes
    date: datetime
    method: str = "GET"
    request_headers: Sequence[tuple[str, str]] = ()
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    request_protocol: str = "HTTP/1.1"
    reason: str = ""
    ip_address: str | None = None
    truncated: str | None = None

    @cached_property
    def payload_digest(self) -> str:
        return sha1_digest(self.payload)

    def status_line(self) -> str:
        reason = self.reason
        if not reason:
            try:
                reason = HTTPStatus(self.status).phrase
            except ValueError:
                reason = ""
        return f"{self.status} {reason}"

    def request_line(self) -> str:
        target = urlsplit(self.url)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        return f"{self.method} {path} {self.request_protocol}"


@dataclass(frozen=True)
class WarcInfo:
    """What a ``warcinfo`` record says about its file and the crawl that wrote it."""

    software: str
    hostname: str
    operator: str = ""
    is_part_of: str = ""
    user_agent: str = ""
    robots: str = ""  # "obey" or "ignore", as Heritrix writes it
    extra: Mapping[str, str] = field(default_factory=dict)

    def fields(self) -> dict[str, str]:
        values = {
            "software": self.software, "format": "WARC File Format 1.1", "conformsTo": WARC_1_1,
            "hostname": self.hostname, "operator": self.operator, "isPartOf": self.is_part_of,
            "http-header-user-agent": self.user_agent, "robots": self.robots, **self.extra,
        }
        return {name: _one_line(value) for name, value in values.items() if value}


class RecordFactory:
    """warcio records of WARC version 1.1, with our digests, dates and references."""

    def __init__(self) -> None:
        self.builder = RecordBuilder(warc_version="1.1")

    def warcinfo(self, filename: str, info: WarcInfo) -> ArcWarcRecord:
        return self.builder.create_warcinfo_record(filename, info.fields())

    def response(self, exchange: Exchange) -> ArcWarcRecord:
        headers = self._warc_headers("response", exchange)
        headers["WARC-Payload-Digest"] = exchange.payload_digest
        if exchange.truncated:
            headers["WARC-Truncated"] = exchange.truncated
        return self.builder.create_warc_record(
            exchange.url, "response", payload=BytesIO(exchange.payload),
            length=len(exchange.payload), http_headers=_response_http(exchange),
            warc_headers_dict=headers)

    def request(self, exchange: Exchange, concurrent_to: str) -> ArcWarcRecord:
        http = StatusAndHeaders(exchange.request_line(), list(exchange.request_headers),
                                is_http_request=True)
        headers = self._warc_headers("request", exchange)
        headers["WARC-Concurrent-To"] = concurrent_to
        return self.builder.create_warc_record(
            exchange.url, "request", payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body), http_headers=http, warc_headers_dict=headers)

    def revisit(self, exchange: Exchange, original: CaptureRef,
                profile: RevisitProfile) -> ArcWarcRecord:
        """The response's headers only; its payload is ``original``'s."""
        headers = self._warc_headers("revisit", exchange)
        headers.update({
            "WARC-Profile": PROFILES[profile],
            "WARC-Refers-To": original.record_id,
            "WARC-Refers-To-Target-URI": original.target_uri,
            "WARC-Refers-To-Date": original.warc_date,
        })
        if original.payload_digest:
            headers["WARC-Payload-Digest"] = original.payload_digest
        return self.builder.create_warc_record(
            exchange.url, "revisit", http_headers=_response_http(exchange),
            warc_headers_dict=headers)

    def metadata(self, response: CaptureRef, fields: Mapping[str, str] | Iterable[tuple[str, str]],
                 date: datetime) -> ArcWarcRecord:
        """An ``application/warc-fields`` record about ``response`` (e.g. its extraction)."""
        pairs = fields.items() if isinstance(fields, Mapping) else fields
        block = "".join(f"{name}: {_one_line(str(value))}\r\n" for name, value in pairs)
        data = block.encode("utf-8")
        headers = {
            "WARC-Type": "metadata", "WARC-Record-ID": _record_id(),
            "WARC-Date": warc_date(date), "WARC-Target-URI": response.target_uri,
            "WARC-Refers-To": response.record_id,
            "WARC-Refers-To-Target-URI": response.target_uri,
            "WARC-Refers-To-Date": response.warc_date,
        }
        return self.builder.create_warc_record(
            response.target_uri, "metadata", payload=BytesIO(data), length=len(data),
            warc_content_type="application/warc-fields", warc_headers_dict=headers)

    @staticmethod
    def _warc_headers(rec_type: str, exchange: Exchange) -> dict[str, str]:
        """The usual fields, in the usual order (warcio adds what is missing at the end)."""
        headers = {"WARC-Type": rec_type, "WARC-Record-ID": _record_id(),
                   "WARC-Date": warc_date(exchange.date), "WARC-Target-URI": exchange.url}
        if exchange.ip_address and rec_type != "request":
            headers["WARC-IP-Address"] = exchange.ip_address
        return headers


def _response_http(exchange: Exchange) -> StatusAndHeaders:
    return StatusAndHeaders(exchange.status_line(), list(exchange.response_headers),
                            protocol=exchange.protocol)


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _one_line(value: str) -> str:
    """warc-fields values are one line each: collapse any line breaks a title may carry."""
    return " ".join(value.split()) if ("\n" in value or "\r" in value) else value
