"""The page of `sklearn-ser serve` in a real headless browser (Debian's chromium).

The ``server`` fixture (tests/conftest.py) runs the real command; Selenium drives
chromium through Debian's chromedriver (``.ci/setup`` installs both). With
``SKLEARN_SER_SCREENSHOT=1`` the long-upload test saves the user guide's screenshot,
``docs/user-guide/serve_screenshot.png``.
"""

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conftest import REPO

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SCREENSHOT = REPO / "docs/user-guide/serve_screenshot.png"


def _executable(*names):
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"{' or '.join(names)} not found: .ci/setup installs Debian's chromium")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = _executable("chromium", "chromium-browser")
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1000,1300",
        # a fake microphone (a beep) that needs no permission prompt
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
    ):
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=_executable("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser, server):
    browser.get(f"{server.url}/")
    # the model's description has loaded
    WebDriverWait(browser, 60).until(
        lambda d: "Classes" in d.find_element(By.ID, "model-info").text
    )


def upload(browser, path):
    """Choose ``path`` in the file input and wait for the answer or an error."""
    browser.execute_script(
        "document.getElementById('status').textContent = '';"
        "document.getElementById('result').hidden = true;"
    )
    browser.find_element(By.ID, "file-input").send_keys(str(path))
    WebDriverWait(browser, 240).until(
        lambda d: (
            d.find_element(By.ID, "status").text == "Done."
            or d.find_element(By.ID, "error").is_displayed()
        )
    )


def shown_probabilities(browser):
    rows = browser.find_elements(By.CSS_SELECTOR, "#bars .bar-row")
    return {
        r.get_attribute("data-class"): float(r.get_attribute("data-probability"))
        for r in rows
    }


def test_upload_shows_the_models_label_and_probabilities(browser, server):
    model, path = server.model, server.held_out[7]
    open_page(browser, server)
    info = browser.find_element(By.ID, "model-info").text
    assert ", ".join(str(c) for c in model.classes_) in info
    assert "42 utterances" in info
    upload(browser, path)
    assert not browser.find_element(By.ID, "error").is_displayed()
    label = model.predict([path])[0]
    assert browser.find_element(By.ID, "top-label").text == label
    assert browser.find_element(By.ID, "result-file").text == Path(path).name
    proba = model.predict_proba([path])[0]
    shown = shown_probabilities(browser)
    assert list(shown) == [str(c) for c in model.classes_[np.argsort(-proba)]]
    np.testing.assert_allclose(
        [shown[str(c)] for c in model.classes_], proba, rtol=0, atol=1e-9
    )
    top = browser.find_element(By.CSS_SELECTOR, "#bars .bar-row.is-top")
    assert top.get_attribute("data-class") == label
    assert not browser.find_element(By.ID, "timeline-section").is_displayed()


@pytest.mark.slow
def test_long_upload_shows_a_timeline(browser, server, tmp_path):
    from sklearn_ser.segment import predict_over_time

    parts = []
    for f in server.held_out[:4]:
        x, rate = sf.read(f, dtype="float32")
        parts += [x, np.zeros(rate, dtype="float32")]
    path = tmp_path / "long_recording.flac"
    sf.write(path, np.concatenate(parts), rate)
    open_page(browser, server)
    upload(browser, path)
    assert not browser.find_element(By.ID, "error").is_displayed()
    assert (
        browser.find_element(By.ID, "top-label").text
        == server.model.predict([str(path)])[0]
    )
    rows = predict_over_time(server.model, str(path))
    segments = browser.find_elements(By.CSS_SELECTOR, "#timeline .segment")
    assert [s.get_attribute("data-label") for s in segments] == list(rows["label"])
    assert browser.find_element(By.ID, "timeline-section").is_displayed()
    if os.environ.get("SKLEARN_SER_SCREENSHOT"):
        height = browser.execute_script("return document.body.scrollHeight")
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1000, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        browser.save_screenshot(str(SCREENSHOT))
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_bad_upload_shows_the_services_error(browser, server, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not audio\n" * 10)
    open_page(browser, server)
    upload(browser, path)
    error = browser.find_element(By.ID, "error")
    assert error.is_displayed()
    assert error.text.startswith("415:") and "'notes.txt' is not audio" in error.text


def test_microphone_recording_is_predicted(browser, server):
    # Chromium's fake microphone; the page decodes MediaRecorder's WebM/Opus and
    # sends 16 kHz mono WAV.
    open_page(browser, server)
    browser.find_element(By.ID, "record-button").click()
    WebDriverWait(browser, 30).until(EC.element_to_be_clickable((By.ID, "stop-button")))
    WebDriverWait(browser, 30).until(
        lambda d: (
            d.execute_script(
                "return document.getElementById('record-status').textContent"
            )
            == "Recording\u2026"
        )
    )
    browser.execute_script("return new Promise(r => setTimeout(r, 2000))")
    browser.find_element(By.ID, "stop-button").click()
    WebDriverWait(browser, 240).until(
        lambda d: (
            d.find_element(By.ID, "status").text == "Done."
            or d.find_element(By.ID, "error").is_displayed()
        )
    )
    assert not browser.find_element(By.ID, "error").is_displayed(), (
        browser.find_element(By.ID, "error").text
    )
    assert browser.find_element(By.ID, "result-file").text == "recording.wav"
    meta = browser.find_element(By.ID, "result-meta").text
    seconds, rate = re.fullmatch(r"\((\d+\.\d+) s, (\d+) Hz\)", meta).groups()
    assert rate == "16000"
    assert 1.5 < float(seconds) < 5.0
    assert browser.find_element(By.ID, "top-label").text in server.model.classes_
    assert sum(shown_probabilities(browser).values()) == pytest.approx(1.0)
