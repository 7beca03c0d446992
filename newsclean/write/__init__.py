"""Write: the warehouse. Stores on local disk or S3 (store.py), the writer lock (lock.py), the commit of a run's
tables (commit.py), and the summary `newsclean stats` prints (stats.py)."""
