"""Peak memory of a web process while large image uploads arrive at once (issue 9, point 7).

Starts gunicorn (one worker, four threads, as a small production host would) on a fresh
database, signs a buyer in, and posts ``--uploads`` PNGs of ``--size`` pixels at the same
moment to the request-letter upload. Prints the worker's resident memory before, its peak
(the kernel's VmHWM) after, and how each upload was answered.

    python bench/upload_memory.py                        # 4 x 7000x7000 (refused from the header now)
    python bench/upload_memory.py --size 4900x5000       # 4 x 24.5 MP (accepted, decoded 2 at a time)
    python bench/upload_memory.py --source /tmp/before   # the same against another checkout
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "kelapa muda tujuh pohon"
SETUP = """
import sys
from sqlalchemy.orm import Session
from sales_service import migrate
from sales_service.orm import make_engine
from sales_service.accounts import services as accounts
from sales_service.accounts.models import Domicile
from sales_service.catalog import services as catalog
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from sales_service.pnbp.services import load_tariff_dir
url, tariffs = sys.argv[1], sys.argv[2]
engine = make_engine(url)
with engine.begin() as connection:
    migrate.upgrade(url, connection=connection)
with Session(engine) as session:
    load_tariff_dir(session, tariffs, loaded_by="bench")
    accounts.register_buyer(session, email="bench@example.test", password=sys.argv[3], full_name="Bench Buyer",
                            segment=BuyerSegment.INDIVIDUAL, domicile=Domicile.INDONESIA)
    product = catalog.create_product(session, ProductKind.PUBLICATION, dict(title="Bench", year=2025, pages=50,
                                                                           language="Indonesia"))
    session.commit()
    print(product.id)
"""


def png(width: int, height: int) -> bytes:
    image = Image.new("L", (width, height))
    image.paste(255, (0, 0, width // 2, height // 3))  # a little content, still highly compressible
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(ROOT), help="checkout whose sales_service is measured")
    parser.add_argument("--size", default="7000x7000")
    parser.add_argument("--uploads", type=int, default=4)
    args = parser.parse_args()
    width, height = map(int, args.size.split("x"))
    source = Path(args.source).resolve()
    folder = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    env = dict(os.environ, PYTHONPATH=str(source), SALES_DATABASE_URL=url, SALES_SECRET_KEY="bench",
               SALES_INSTANCE_PATH=str(folder), SALES_COOKIE_SECURE="0", SALES_LOG_LEVEL="WARNING",
               SALES_LOGIN_RATE_LIMIT="1000 per minute")
    product_id = subprocess.run([sys.executable, "-c", SETUP, url, str(source / "tariffs"), PASSWORD], env=env,
                                cwd=source, check=True, capture_output=True, text=True).stdout.split()[-1]
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads",
                               str(args.uploads), "--timeout", "120", "sales_service:create_app()"],
                              env=env, cwd=source, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        worker = worker_pid(server.pid)
        client = requests.Session()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(base + "/masuk").text).group(1)
        client.post(base + "/masuk", data={"email": "bench@example.test", "password": PASSWORD, "csrf_token": token})
        answer = client.post(base + "/pesanan/tambah", data={"product_id": product_id, "csrf_token": token},
                             allow_redirects=False)
        order = re.search(r"/pesanan/(\d+)", answer.headers["Location"]).group(1)
        data = png(width, height)
        before = memory_kb(worker)["VmRSS"]
        results: list[str] = []
        start = threading.Barrier(args.uploads)

        def upload() -> None:
            start.wait()
            began = time.perf_counter()
            response = client.post(f"{base}/pesanan/{order}/surat", headers={"X-CSRFToken": token},
                                   files={"file": ("scan.png", data, "image/png")}, data={"csrf_token": token})
            results.append(f"{response.status_code} in {time.perf_counter() - began:.1f} s")

        threads = [threading.Thread(target=upload) for _ in range(args.uploads)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        peak = memory_kb(worker)["VmHWM"]
        print(f"source {source}: {args.uploads} concurrent uploads of a {width}x{height} PNG "
              f"({len(data) / 1000:.0f} KB) in {elapsed:.1f} s")
        print(f"  worker RSS before: {before / 1024:.0f} MB; peak: {peak / 1024:.0f} MB "
              f"(+{(peak - before) / 1024:.0f} MB)")
        print("  answers: " + ", ".join(sorted(results)))
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
