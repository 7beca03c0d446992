"""Read: find the documents under a source (discover.py), decode their bytes (decode.py), index and read crawl
container files (containers.py)."""
