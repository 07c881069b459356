"""What the page costs a phone: bytes transferred and time to a rendered page with data.

Serves the village (examples/village.toml) with a day of data (the page tests'
``fill_village_day``) on a real loopback socket with the gateway's own embedded
uvicorn, signs a headless Debian Chromium in as a viewer, then loads each page
``--repeat`` times, each in a fresh browser context (cold cache, as a phone that
has not been here today). Figures come from the browser's Navigation and
Resource Timing: bytes are ``transferSize`` summed over the document and every
sub-resource; "ready" is DOMContentLoaded (the pages are server-rendered: the data
is in the HTML), "load" is the load event. Loopback, so network time is ~0: on a
farm's Wi-Fi add the radio's latency; the byte budget (200 KB for the overview)
is what holds there.

Prints one line per page, then one JSON object as the last line:
{"overview_bytes": ..., "overview_requests": ..., "overview_ready_ms": ..., "pages": {...}}

    python bench/web_page.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from edge.config import load_config  # noqa: E402
from edge.service import Service  # noqa: E402
from edge.storage import Storage  # noqa: E402
from edge.web.access import Role  # noqa: E402
from edge.web.app import create_app  # noqa: E402
from tests.edge.web.conftest import (  # noqa: E402
    BROWSER_ARGS,
    VILLAGE,
    ensure_user,
    password_for,
    serving,
)
from tests.edge.web.village_day import fill_village_day  # noqa: E402

PAGES = {
    "overview": "/",
    "field": "/fields/north-paddy?range=24h",
    "devices": "/devices",
    "logistics": "/logistics",
}
CHROMIUM = "/usr/bin/chromium"

_MEASURE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return {
    bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
    requests: 1 + res.length,
    ready_ms: nav.domContentLoadedEventEnd,
    load_ms: nav.loadEventEnd,
  };
}"""


def measure(base: str, state: Any, path: str, repeat: int, browser: Any) -> dict[str, Any]:
    runs = []
    for _ in range(repeat):
        context = browser.new_context(storage_state=state)
        page = context.new_page()
        response = page.goto(base + path, wait_until="load")
        if response is None or response.status != 200:
            raise SystemExit(f"{path}: HTTP {None if response is None else response.status}")
        runs.append(page.evaluate(_MEASURE))
        context.close()
    return {
        "bytes": max(r["bytes"] for r in runs),
        "requests": max(r["requests"] for r in runs),
        "ready_ms": round(statistics.median(r["ready_ms"] for r in runs), 1),
        "load_ms": round(statistics.median(r["load_ms"] for r in runs), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kakashi-page-") as tmp:
        config = load_config(VILLAGE)
        db = Path(tmp) / "kakashi.db"
        config = config.model_copy(
            update={"storage": config.storage.model_copy(update={"path": db})}
        )
        service = Service(config)
        with Storage.open(db) as storage:
            service.storage = storage
            fill_village_day(storage, time.time())
            name = ensure_user(storage, Role.VIEWER)
            with serving(create_app(service)) as (base, _loop), sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
                )
                login = browser.new_context()
                page = login.new_page()
                page.goto(f"{base}/login")
                page.fill("#login-name", name)
                page.fill("#login-password", password_for(Role.VIEWER))
                page.click("form.auth-form button[type=submit]")
                page.wait_for_selector("form.signout")
                state = login.storage_state()
                login.close()
                results = {}
                for label, path in PAGES.items():
                    results[label] = measure(base, state, path, args.repeat, browser)
                    r = results[label]
                    print(
                        f"{label:10s} {r['bytes'] / 1024:7.1f} KB in {r['requests']} requests, "
                        f"ready {r['ready_ms']:.0f} ms, load {r['load_ms']:.0f} ms (median)"
                    )
                browser.close()
            service.storage = None
    overview = results["overview"]
    print(
        json.dumps(
            {
                "overview_bytes": overview["bytes"],
                "overview_requests": overview["requests"],
                "overview_ready_ms": overview["ready_ms"],
                "pages": results,
            }
        )
    )


if __name__ == "__main__":
    main()
