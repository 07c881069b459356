"""The first run and the admin page in a real headless Chromium on a 360 px phone."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, ViewportSize, expect

from edge.auth.users import Users
from tests.edge.web.conftest import LiveWeb

PHONE: ViewportSize = {"width": 360, "height": 740}


def test_first_run_sign_in_add_users_and_read_it_in_japanese(
    live_web: LiveWeb, browser: Browser
) -> None:
    storage = live_web.gateway.storage
    assert storage is not None
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_web.url + "/")
        expect(page).to_have_url(re.compile(r"/setup$"))
        page.fill("#setup-name", "owner")
        page.fill("#setup-password", "first-admin-password")
        page.fill("#setup-password2", "first-admin-password")
        page.click("form.auth-form button[type=submit]")

        expect(page).to_have_url(re.compile(r"/login\?created=owner"))
        expect(page.locator("#login-name")).to_have_value("owner")
        page.fill("#login-password", "first-admin-password")
        page.click("form.auth-form button[type=submit]")
        expect(page.locator("form.signout")).to_be_visible()

        page.goto(live_web.url + "/admin")
        page.fill("#add-name", "hanako")
        page.select_option("#add-role", "coordinator")
        page.fill("#add-password", "short")
        page.click("#add-user button[type=submit]")
        error = page.locator("#err-add-password")
        expect(error).to_have_text("The password must be at least 10 characters.")
        expect(page.locator("#add-password")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#add-name")).to_have_value("hanako")  # kept for the retry
        assert Users(storage).find("hanako") is None

        page.fill("#add-password", "hanako-password-1")
        page.click("#add-user button[type=submit]")
        expect(page.locator("#admin-done")).to_have_text("User hanako added.")
        expect(page.locator("#user-hanako")).to_contain_text("coordinator")
        hanako = Users(storage).get("hanako")
        assert hanako.role.label == "coordinator"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the admin page overflows a 360 px phone: {width} px"

        page.click("#lang-ja")
        expect(page.locator("h1")).to_have_text("ユーザーと設定")
        expect(page.locator("#user-hanako")).to_contain_text("配送担当")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        page.fill("#add-name", "jiro")
        page.fill("#add-password", "short")
        page.click("#add-user button[type=submit]")
        expect(page.locator("#err-add-password")).to_have_text(
            "パスワードは 10 文字以上にしてください。"
        )
    finally:
        context.close()
    events = [e for e in storage.events(50) if e.kind == "user"]
    assert [e.actor for e in events][:2] == ["owner", "owner"]
