"""Headless Chromium for the dashboard's tests, from Debian's ``chromium`` and ``chromium-driver``.

Selenium is pointed at /usr/bin/chromedriver so it never tries to download a driver (Selenium
Manager); ``make test`` apt-installs both packages when they are missing.
"""

from __future__ import annotations

import os
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # nothing leaves the machine
    "--disable-component-update",
    "--disable-sync",
)


def browser_missing() -> str | None:
    """Why no browser can run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


def start_chromium(width: int = 1280, height: int = 900) -> webdriver.Chrome:
    """A fresh headless Chromium with its own profile directory."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='fakeconsul-chromium-')}")
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
