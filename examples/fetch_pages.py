"""A loop that appends the result of a slow call: every call runs together,
the appends stay in order.

    python examples/fetch_pages.py
"""
import os
import time

from desync import desync

SCALE = float(os.environ.get("DESYNC_EXAMPLE_SCALE", "1"))


def fetch(url):
    time.sleep(0.5 * SCALE)  # stands in for network I/O
    return f"<html>{url}</html>"


def word_count(page):
    return len(page)


@desync
def crawl(urls):
    pages = []
    for url in urls:
        pages.append(fetch(url))
    sizes = [word_count(p) for p in pages]
    print(f"fetched {len(pages)} pages")
    return pages, sum(sizes)


if __name__ == "__main__":
    urls = [f"https://example.invalid/{i}" for i in range(10)]
    start = time.perf_counter()
    pages, total = crawl(urls)
    elapsed = time.perf_counter() - start
    assert pages == [fetch(u) for u in urls]  # same order as sequential code
    print(f"{len(urls)} fetches of {0.5 * SCALE:.2f} s each took {elapsed:.2f} s; "
          f"{total} characters")
