"""Take docs/dashboard.png: three clusters in several states, shown by the dashboard.

Run with ``make screenshot`` (needs Debian's chromium and chromium-driver, as ``make test``).
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "serve"))

from browser import start_chromium  # noqa: E402

from fakeconsul import Network, Timing  # noqa: E402
from fakeconsul.serve.server import ClusterServer  # noqa: E402


def _put(url: str, body: dict[str, object]) -> None:
    # Over HTTP, as a user would: the page shows what any client did.
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT")
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def main() -> None:
    network = Network(timing=Timing(deletion_delay=60))
    servers = []
    for name in ("dc1", "dc2", "dc3"):
        server = ClusterServer(network.add_cluster(name))
        server.start()
        servers.append(server)
    dc1, dc2, dc3 = network.clusters
    dc2.establish("dc1", dc1.generate_token("dc2"))       # ACTIVE both sides
    dc3.establish("dc1", dc1.generate_token("dc3"))
    dc1.generate_token("cluster-04", meta={"env": "staging"})  # PENDING, waiting for a dialer
    for name, port in (("web", 80), ("api", 8080)):
        _put(servers[0].url + "/v1/agent/service/register", {"Name": name, "Port": port})
    _put(servers[0].url + "/v1/config", {
        "Kind": "exported-services", "Name": "default",
        "Services": [{"Name": "web", "Consumers": [{"Peer": "dc2"}]},
                     {"Name": "api", "Consumers": [{"Peer": "dc2"}, {"Peer": "dc3"}]}],
    })                                                     # dc2 imports web and api
    network.clock.advance(20)
    network.disconnect("dc1", "dc3")
    network.clock.advance(125)                             # dc1 <-> dc3 heartbeat timeout
    dc3.establish("dc2", dc2.generate_token("dc3"))
    dc2.delete("dc3")                                      # DELETING on dc2, TERMINATED on dc3
    driver = start_chromium(1400, 1000)
    try:
        driver.get(servers[0].url + "/ui/")
        WebDriverWait(driver, 10).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "tr[data-peering='dc3'] .state-FAILING"))
        card = driver.find_element(By.CSS_SELECTOR, "article[data-cluster='dc1']")
        card.find_element(By.CSS_SELECTOR, ".generate-name").send_keys("cluster-05")
        card.find_element(By.CSS_SELECTOR, "form.generate button").click()
        WebDriverWait(driver, 10).until(
            lambda d: card.find_element(By.CSS_SELECTOR, ".token-text").get_attribute("value"))
        time.sleep(0.3)  # let the last update paint
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, height + 160)
        time.sleep(0.3)
        target = ROOT / "docs" / "dashboard.png"
        driver.save_screenshot(str(target))
        print(f"wrote {target}")
    finally:
        driver.quit()
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
