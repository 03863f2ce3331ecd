"""Canonical URLs: one spelling per article, so the seen-set and the archive dedupe by URL.

Tracking parameters are dropped, the query sorted, percent-encoding normalised (w3lib),
default ports and fragments removed, and AMP variants folded onto the regular page.
``url_template`` gives the shape of a URL, used to bound crawler traps.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize_url

__all__ = [
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "canonicalize_url",
    "has_tracking_params",
    "is_amp_url",
    "is_http_url",
    "same_site",
    "url_fingerprint",
    "url_template",
]

#: Query parameters that only identify a campaign or a click, never the content.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid",
        "yclid", "twclid", "ttclid", "li_fat_id", "wbraid", "gbraid", "_ga", "_gl", "_hsenc",
        "_hsmi", "mkt_tok", "ref_src", "ref_url", "cmpid", "xtor", "xtref", "ito",
        "icid", "ncid", "ocid", "ns_campaign", "ns_mchannel", "ns_source", "ns_linkname",
        "ns_fee", "sr_share", "smid", "spm", "vero_id", "oly_enc_id", "oly_anon_id",
        "s_cid", "cid_source", "at_medium", "at_campaign", "at_custom1", "at_custom2",
        "at_custom3", "at_custom4", "at_platform", "at_link", "at_send_date", "at_format",
        "at_bbc_team", "at_link_id", "at_link_type", "at_link_origin", "at_ptr_name",
        "at_creation", "at_preview_link", "at_ptr_type", "pk_campaign", "pk_kwd", "pk_source",
        "pk_medium", "pk_content",
        # Session identifiers: a new one per visit turns one page into endless URLs.
        "sessionid", "session_id", "sid", "phpsessid", "jsessionid", "aspsessionid", "cfid",
        "cftoken",
    }
)
#: Prefixes of tracking parameter families (``utm_source``, ``utm_medium`` ...).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "mtm_", "__hs", "hsa_")

# Query parameters that select the AMP rendering of the same page.
_AMP_PARAMS = {("amp", "1"), ("amp", ""), ("amp", "true"), ("outputtype", "amp")}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_DIGITS = re.compile(r"\d+")


def _split(url: str) -> SplitResult | None:
    """``url`` split into its parts, or None when ``urllib`` cannot (``http://[::1``)."""
    try:
        return urlsplit(url.strip())
    except ValueError:
        return None


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _is_amp_param(key: str, value: str) -> bool:
    return (key.lower(), value.lower()) in _AMP_PARAMS


def _amp_path(path: str) -> str | None:
    """The non-AMP path, or None when the path has no AMP marker."""
    if path.endswith("/amp/"):
        return path[: -len("amp/")]
    if path.endswith("/amp"):
        return path[: -len("/amp")] or "/"
    if path.startswith("/amp/"):
        return path[len("/amp") :]
    if path.endswith(".amp.html"):
        return path[: -len(".amp.html")] + ".html"
    return None


def _clean_query(query: str) -> str:
    """``query`` without tracking and AMP parameters, other pairs kept byte for byte.

    Filtering the raw pairs (rather than decoding and re-encoding them) keeps values in
    legacy encodings intact; w3lib then normalises the percent-encoding.
    """
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        key, value = unquote_plus(key), unquote_plus(value)
        if not _is_tracking(key) and not _is_amp_param(key, value):
            kept.append(pair)
    return "&".join(kept)


def has_tracking_params(url: str) -> bool:
    """True when ``url`` carries tracking or session parameters (never raises)."""
    parts = _split(url)
    if parts is None or not parts.query:
        return False
    return any(_is_tracking(unquote_plus(pair.partition("=")[0]))
               for pair in parts.query.split("&"))


def is_amp_url(url: str) -> bool:
    """True when ``url`` is an AMP variant (path marker, ``amp`` query or ``amp.`` host)."""
    parts = _split(url)
    if parts is None:
        return False
    host = (parts.hostname or "").lower()
    if host.startswith("amp.") or _amp_path(parts.path) is not None:
        return True
    return any(_is_amp_param(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True))


# A page's URL is canonicalised several times on its way to the archive (its request, its
# response, the canonical URL it declares, the store): the last few thousand are remembered.
@lru_cache(maxsize=4096)
def canonicalize_url(url: str) -> str:
    """The canonical spelling of ``url``; see the module docstring for the rules.

    Raises ``ValueError`` for a URL ``urllib`` cannot split (e.g. ``http://[::1``).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if host.startswith("amp."):
        host = host[len("amp.") :]
    netloc = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: leave it for w3lib to keep as written
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo = f"{userinfo}:{parts.password}"
        netloc = f"{userinfo}@{netloc}"
    path = _amp_path(parts.path) or parts.path
    rebuilt = urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))
    return w3lib_canonicalize_url(rebuilt, keep_fragments=False)


def url_fingerprint(url: str) -> str:
    """SHA-1 hex digest of the canonical URL: the key of the seen-set."""
    return hashlib.sha1(canonicalize_url(url).encode("utf-8")).hexdigest()


def url_template(url: str) -> str:
    """The shape of ``url``: digit runs in the path become ``N``, query values are dropped.

    ``/calendar/2031/07/?page=3&sort=asc`` -> ``/calendar/N/N/?page&sort``. Counting pages per
    (host, template) bounds endless calendars, pagination and query permutations. A URL
    ``urllib`` cannot split is its own template, digits aside.
    """
    parts = _split(url)
    if parts is None:
        return _DIGITS.sub("N", url.strip())
    path = _DIGITS.sub("N", parts.path or "/")
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{path}?{'&'.join(keys)}" if keys else path


def _bare_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    return host[len("www.") :] if host.startswith("www.") else host


def same_site(url: str, domains: Iterable[str]) -> bool:
    """True when the host of ``url`` is one of ``domains`` or a subdomain of one.

    A leading ``www.`` is ignored on both sides; ``domains`` may also be given as URLs.
    """
    parts = _split(url)
    host = _bare_host(parts.hostname or "") if parts else ""
    if not host:
        return False
    for domain in domains:
        if "://" in domain:
            domain_parts = _split(domain)
            domain = domain_parts.hostname or "" if domain_parts else ""
        bare = _bare_host(domain)
        if bare and (host == bare or host.endswith("." + bare)):
            return True
    return False


def is_http_url(url: str) -> bool:
    """True for an absolute ``http``/``https`` URL with a host (never raises)."""
    parts = _split(url)
    return parts is not None and parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
