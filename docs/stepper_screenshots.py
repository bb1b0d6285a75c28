"""Take the screenshots of docs/stepper.md: the pages opened in headless Chromium.

    python docs/stepper_screenshots.py [OUT_FOLDER]     (default: docs/img next to this script)

Needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver) and
selenium (the test extra). The pages are written by the package, opened from disk, and stepped
with the arrow keys, as a learner would.
"""

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, nn, play_html
from tinygrad_xent.explain import worked_example

HERE = Path(__file__).resolve().parent


def browser(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync"
    ).split():
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="screenshots-"))
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def shoot(driver, page: Path, presses: int, out: Path, open_table: bool = False) -> None:
    """Open ``page``, press the right arrow ``presses`` times, save the window as ``out``."""
    driver.get(page.resolve().as_uri())
    body = driver.find_element(By.TAG_NAME, "body")
    for _ in range(presses):
        body.send_keys(Keys.ARROW_RIGHT)
    if open_table:
        driver.find_element(By.CSS_SELECTOR, "button.open").click()
    driver.save_screenshot(str(out))
    print(f"wrote {out}")


def mlp_loss():
    """An MLP 2-16-3 on a batch of 64, its cross-entropy backpropagated; and its logits."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    logits = model(Tensor(rng.normal(size=(64, 2))))
    loss = F.cross_entropy(logits, rng.integers(0, 3, 64))
    loss.backward()
    return loss, logits


def main(out_folder: Path = HERE / "img") -> None:
    work = Path(tempfile.mkdtemp(prefix="stepper-pages-"))
    tx.draw(worked_example("ce"), work / "ce.html")
    loss, logits = mlp_loss()
    tx.draw(loss, work / "mlp.html")
    nodes = tx.tape(loss)
    logits_step = len(nodes) - next(i for i, n in enumerate(nodes) if n is logits.node)
    play_html.save("softmax", work / "softmax.html")
    driver = browser(1200, 760)
    profile = driver.capabilities["chrome"]["userDataDir"]
    try:
        shoot(driver, work / "ce.html", 0, out_folder / "stepper_forward.png")
        shoot(driver, work / "ce.html", 3, out_folder / "stepper_node7.png")
        shoot(driver, work / "ce.html", 10, out_folder / "stepper_node0.png")
        shoot(driver, work / "ce.html", 11, out_folder / "stepper_leaves.png")
        shoot(driver, work / "mlp.html", logits_step, out_folder / "stepper_mlp_table.png", True)
        driver.set_window_size(1200, 520)
        shoot(driver, work / "softmax.html", 0, out_folder / "play_softmax_html.png")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "img")
