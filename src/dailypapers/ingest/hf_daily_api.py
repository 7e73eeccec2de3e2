"""Hugging Face daily papers, live: `GET <hf_api_url>/daily_papers?date=YYYY-MM-DD`.

One request per day of the window; each answer (a JSON list of items) is one page, parsed
by the same `parse_hf_record` that `dailypapers import hf-daily` uses, so upvotes, the
submitter, GitHub repo and stars, project page and organisation land the same way, and HF
upvotes stay `external_upvotes`, apart from votes cast here. A body that isn't a JSON list is
fetched again (it is usually cut off or an error page), never half-used.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from datetime import date

from dailypapers.domain.ingest import Page
from dailypapers.errors import RecordError
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.hf_daily import parse_hf_record
from dailypapers.ingest.http import Fetched, HttpClient, MalformedPage


def parse_hf_page(body: bytes, *, limits: RecordLimits, label: str = "") -> Page:
    try:
        items = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedPage(f"invalid JSON ({exc})") from None
    except RecursionError:
        raise MalformedPage("JSON nested too deeply") from None
    if not isinstance(items, list):
        raise MalformedPage(f"expected a JSON list of papers, got {type(items).__name__}")
    page = Page(total=len(items), label=label)
    for index, item in enumerate(items):
        try:
            page.records.append(parse_hf_record(item, limits, position=index))
        except RecordError as exc:
            page.errors.append(RecordError(exc.reason, position=f"{label}[{index}]"))
    return page


class HfDailySource:
    name = "hf"

    def __init__(self, http: HttpClient, api_url: str, limits: RecordLimits) -> None:
        self.http = http
        self.url = api_url.rstrip("/") + "/daily_papers"
        self.limits = limits

    def pages(
        self,
        days: Sequence[date],
        cursor: str | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Page]:
        """One page per day, from the day `cursor` names (the first day not yet done)."""
        todo = [d for d in days if cursor is None or d.isoformat() >= cursor]
        for index, day in enumerate(todo):
            label = f"hf {day}"

            def parse(fetched: Fetched, label: str = label) -> Page:
                return parse_hf_page(fetched.body, limits=self.limits, label=label)

            page = self.http.get(
                self.url,
                {"date": day.isoformat()},
                parse=parse,
                accept="application/json",
                cancel=cancel,
            )
            page.cursor = todo[index + 1].isoformat() if index + 1 < len(todo) else None
            yield page
