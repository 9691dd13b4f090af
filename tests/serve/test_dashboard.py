"""The dashboard at /ui/, driven in headless Chromium: it shows the network live and acts on it.

One browser and one served network per module (starting Chromium costs seconds); each test
resets the network and reloads the page. Waits are for the browser to show something, with a
short poll, never for the fake: the fake answers before the page can ask again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from browser import browser_missing, start_chromium
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from fakeconsul import Network, PeeringState, SystemClock
from fakeconsul.acl import ACLConfig
from fakeconsul.serve import admin
from fakeconsul.serve.server import ClusterServer

UI = Path(__file__).resolve().parents[2] / "fakeconsul" / "serve" / "ui"


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    missing = browser_missing()
    if missing is not None:
        if os.environ.get("FAKECONSUL_REQUIRE_BROWSER"):
            pytest.fail(missing)  # `make test` installs it: its absence there is a failure
        pytest.skip(missing)
    chromium = start_chromium()
    yield chromium
    chromium.quit()


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Network, list[ClusterServer]]]:
    network = Network()
    servers = [ClusterServer(network.add_cluster(name)) for name in ("dc1", "dc2")]
    for server in servers:
        server.start()
    yield network, servers
    for server in servers:
        if server.is_running():
            server.stop()


class Page:
    def __init__(self, driver: WebDriver, network: Network) -> None:
        self.driver = driver
        self.network = network

    def until(self, condition: Callable[[WebDriver], Any]) -> Any:
        # The page re-renders its tables on each update: an element may go stale mid-read.
        return WebDriverWait(self.driver, 10, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException,)
                             ).until(condition)

    def card(self, cluster: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, f"article[data-cluster='{cluster}']")

    def state_of(self, cluster: str, peering: str) -> str | None:
        rows = self.card(cluster).find_elements(
            By.CSS_SELECTOR, f"tr[data-peering='{peering}'] .state")
        return rows[0].text if rows else None

    def shows(self, cluster: str, peering: str, state: str | None) -> None:
        self.until(lambda _: self.state_of(cluster, peering) == state)

    def message(self) -> str:
        return str(self.driver.find_element(By.ID, "message").text)

    def says(self, text: str) -> None:
        self.until(lambda _: self.message() == text)

    def fill(self, cluster: str, selector: str, text: str) -> None:
        field = self.card(cluster).find_element(By.CSS_SELECTOR, selector)
        field.clear()
        # Long values are set by script: typing a 1.4 kB token key by key is slow.
        self.driver.execute_script("arguments[0].value = arguments[1]", field, text)

    def click(self, cluster: str, selector: str) -> None:
        self.card(cluster).find_element(By.CSS_SELECTOR, selector).click()

    def generate(self, cluster: str, peer: str) -> str:
        self.fill(cluster, ".generate-name", peer)
        self.click(cluster, "form.generate button")
        token = self.card(cluster).find_element(By.CSS_SELECTOR, ".token-text")
        value: str = self.until(lambda _: token.get_attribute("value"))
        return value

    def establish(self, cluster: str, peer: str, token: str) -> None:
        self.fill(cluster, ".establish-name", peer)
        self.fill(cluster, ".establish-token", token)
        self.click(cluster, "form.establish button")


@pytest.fixture
def page(driver: WebDriver, served: tuple[Network, list[ClusterServer]]) -> Page:
    network, servers = served
    admin.reset(network)
    driver.get(servers[0].url + "/ui/")
    shown = Page(driver, network)
    shown.until(lambda d: d.find_element(By.ID, "live").text == "live")
    return shown


def test_each_cluster_has_a_card(page: Page) -> None:
    page.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article[data-cluster]")) == 2)
    names = [c.get_attribute("data-cluster")
             for c in page.driver.find_elements(By.CSS_SELECTOR, "article[data-cluster]")]
    assert names == ["dc1", "dc2"]


def test_a_generated_token_is_shown(page: Page) -> None:
    token = page.generate("dc1", "dc2")
    assert token.startswith("eyJDQSI6") and page.network["dc1"].read("dc2") is not None


def test_establishing_with_a_pasted_token_peers_both_sides(page: Page) -> None:
    token = page.generate("dc1", "dc2")
    page.establish("dc2", "dc1", token)
    page.shows("dc1", "dc2", "ACTIVE")
    page.shows("dc2", "dc1", "ACTIVE")


def test_the_copy_button_puts_the_token_on_the_clipboard(page: Page) -> None:
    origin = page.driver.current_url.split("/ui/")[0]
    page.driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
    })
    token = page.generate("dc1", "dc2")
    page.click("dc1", "button.copy")
    page.says("Token copied to the clipboard")
    copied = page.driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('failed: ' + e))")
    assert copied == token


def test_delete_removes_the_peering(page: Page) -> None:
    page.network["dc1"].generate_token("dc2")
    page.shows("dc1", "dc2", "PENDING")
    page.click("dc1", "tr[data-peering='dc2'] button[data-action='delete']")
    page.shows("dc1", "dc2", None)


def test_a_refused_action_shows_consul_error(page: Page) -> None:
    page.establish("dc2", "dc1", "not-a-token")
    page.says("failed to decode token: "
              "illegal base64 data at input byte 3")


def test_advance_moves_the_clock(page: Page) -> None:
    page.driver.find_element(By.ID, "advance-seconds").clear()
    page.driver.find_element(By.ID, "advance-seconds").send_keys("31")
    page.driver.find_element(By.ID, "advance").click()
    page.until(lambda d: d.find_element(By.ID, "clock-offset").text == "(wall clock +31s)")
    assert isinstance(page.network.clock, SystemClock)
    assert page.network.clock.offset == timedelta(seconds=31)


def test_disconnect_then_reconnect(page: Page) -> None:
    link = "li[data-a='dc1'][data-b='dc2']"
    page.driver.find_element(By.CSS_SELECTOR, f"{link} button").click()
    page.until(lambda d: d.find_element(By.CSS_SELECTOR, f"{link} .link-state").text
               == "disconnected")
    cut = page.network.is_disconnected("dc1", "dc2")
    page.driver.find_element(By.CSS_SELECTOR, f"{link} button").click()
    page.until(lambda d: d.find_element(By.CSS_SELECTOR, f"{link} .link-state").text
               == "connected")
    assert (cut, page.network.is_disconnected("dc1", "dc2")) == (True, False)


def test_take_down_then_bring_up_another_cluster(page: Page) -> None:
    badge = "article[data-cluster='dc2'] .up-badge"
    page.click("dc2", "button.take-down")
    page.until(lambda d: d.find_element(By.CSS_SELECTOR, badge).text == "down")
    down = page.network["dc2"].is_up
    page.click("dc2", "button.bring-up")
    page.until(lambda d: d.find_element(By.CSS_SELECTOR, badge).text == "up")
    assert (down, page.network["dc2"].is_up) == (False, True)


def test_changes_made_elsewhere_show_up_without_a_click(page: Page) -> None:
    dc1, dc2 = page.network["dc1"], page.network["dc2"]
    dc2.establish("dc1", dc1.generate_token("dc2"))
    page.shows("dc2", "dc1", "ACTIVE")
    assert dc2.read("dc1").state is PeeringState.ACTIVE  # type: ignore[union-attr]


def test_the_page_loads_nothing_from_elsewhere() -> None:
    text = " ".join(p.read_text() for p in sorted(UI.iterdir()))
    assert [word for word in text.split() if "http://" in word or "https://" in word] == []


# --- ACLs: the token field -------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_acl() -> Iterator[tuple[Network, ClusterServer]]:
    network = Network(acl=ACLConfig(default_policy="deny", initial_management_token="root"))
    server = ClusterServer(network.add_cluster("dc1"))
    server.start()
    yield network, server
    server.stop()


@pytest.fixture
def acl_page(driver: WebDriver, served_acl: tuple[Network, ClusterServer]) -> Page:
    network, server = served_acl
    admin.reset(network)
    driver.get(server.url + "/ui/style.css")  # same origin, nothing to run
    driver.execute_script("sessionStorage.clear()")  # the tab keeps it from the last test
    driver.get(server.url + "/ui/")
    shown = Page(driver, network)
    shown.until(lambda d: d.find_element(By.ID, "live").text == "live")
    return shown


def test_the_token_field_lets_actions_through_under_deny(acl_page: Page) -> None:
    acl_page.driver.find_element(By.ID, "acl-token").send_keys("root")
    acl_page.generate("dc1", "dc2")
    assert acl_page.network["dc1"].read("dc2", token="root") is not None


def test_without_a_token_a_refusal_says_where_to_enter_one(acl_page: Page) -> None:
    acl_page.fill("dc1", ".generate-name", "dc2")
    acl_page.click("dc1", "form.generate button")
    acl_page.says("Permission denied: anonymous token lacks permission 'peering:write'. "
                  "The anonymous token is used implicitly when a request does not specify a "
                  "token. (enter an ACL token at the top)")


def test_the_token_is_kept_across_a_reload(acl_page: Page) -> None:
    acl_page.driver.find_element(By.ID, "acl-token").send_keys("root")
    acl_page.driver.refresh()
    field = acl_page.until(lambda d: d.find_element(By.ID, "acl-token"))
    assert field.get_attribute("value") == "root"
