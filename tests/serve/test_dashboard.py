"""The dashboard at /ui/, driven in headless Chromium: it shows the network live and acts on it.

One browser and one served network per module (starting Chromium costs seconds); each test
resets the network and reloads the page. Waits are for the browser to show something, with a
short poll, never for the fake: the fake answers before the page can ask again.
"""

from __future__ import annotations

import json
import os
import urllib.request
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


# --- what each card explains and offers ------------------------------------------------------


def _put(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT")
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def _text(page: Page, cluster: str, selector: str) -> str:
    return str(page.card(cluster).find_element(By.CSS_SELECTOR, selector).text)


def _export_web(page: Page, url: str) -> None:
    """dc1 peers with dc2 and exports its service "web" to it (over dc1's own API)."""
    dc1, dc2 = page.network["dc1"], page.network["dc2"]
    dc2.establish("dc1", dc1.generate_token("dc2"))
    _put(url + "/v1/agent/service/register", {"Name": "web", "Port": 80})
    _put(url + "/v1/config", {"Kind": "exported-services", "Name": "default",
                              "Services": [{"Name": "web", "Consumers": [{"Peer": "dc2"}]}]})


def test_the_exporter_s_card_lists_what_it_exports_to_each_peering(
    page: Page, served: tuple[Network, list[ClusterServer]]
) -> None:
    _export_web(page, served[1][0].url)
    page.until(lambda _: _text(page, "dc1", ".services tr[data-peering='dc2'] .exported") == "web")


def test_the_importer_s_card_lists_what_it_imports_from_each_peering(
    page: Page, served: tuple[Network, list[ClusterServer]]
) -> None:
    _export_web(page, served[1][0].url)
    page.until(lambda _: _text(page, "dc2", ".services tr[data-peering='dc1'] .imported") == "web")


def test_the_legend_explains_the_stored_state_and_the_index(page: Page) -> None:
    legend = page.driver.find_element(By.ID, "legend").text
    assert legend == (
        "State is what Consul shows; stored X beside it is what its state store holds. Consul "
        "never stores ACTIVE or FAILING: they are shown from the stream, so an acceptor shows "
        "ACTIVE while it stores PENDING, a dialer while it stores ESTABLISHING. Index is the "
        "peering's CreateIndex / ModifyIndex: only stored changes move the ModifyIndex, never a "
        "shown state or a heartbeat.")


def test_the_two_name_fields_say_which_side_they_name(page: Page) -> None:
    labels = [label.text for label in page.card("dc1").find_elements(By.CSS_SELECTOR, "form label")]
    assert labels == ["name for the dialer", "name for the acceptor", "its token"]


def test_a_down_cluster_offers_only_bring_up(page: Page) -> None:
    dc1, dc2 = page.network["dc1"], page.network["dc2"]
    dc2.establish("dc1", dc1.generate_token("dc2"))
    page.shows("dc2", "dc1", "ACTIVE")
    page.network.take_down("dc2")
    page.until(lambda _: "down" in (page.card("dc2").get_attribute("class") or ""))
    shown = [b.text for b in page.card("dc2").find_elements(By.TAG_NAME, "button")
             if b.is_displayed()]
    assert shown == ["Bring up"]


def test_a_cluster_that_is_up_hides_the_down_note(page: Page) -> None:
    assert not page.card("dc1").find_element(By.CSS_SELECTOR, ".down-note").is_displayed()


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
    shown.until(lambda d: d.find_element(By.ID, "acl-token"))
    return shown


def test_the_token_field_lets_the_page_and_its_actions_through_under_deny(
    acl_page: Page
) -> None:
    acl_page.driver.find_element(By.ID, "acl-token").send_keys("root")
    acl_page.until(lambda d: d.find_element(By.ID, "live").text == "live")
    acl_page.generate("dc1", "dc2")
    assert acl_page.network["dc1"].read("dc2", token="root") is not None


def test_without_a_token_the_refusal_says_where_to_enter_one(acl_page: Page) -> None:
    acl_page.says("Permission denied: anonymous token lacks permission 'operator:read'. "
                  "The anonymous token is used implicitly when a request does not specify a "
                  "token. (enter an ACL token at the top)")


def test_the_token_is_kept_across_a_reload(acl_page: Page) -> None:
    acl_page.driver.find_element(By.ID, "acl-token").send_keys("root")
    acl_page.driver.refresh()
    field = acl_page.until(lambda d: d.find_element(By.ID, "acl-token"))
    assert field.get_attribute("value") == "root"
