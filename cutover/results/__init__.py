"""What a reconciliation finds, as data, below the controls and the reconciliation that fill it.

- :mod:`cutover.results.model`: the result (counts, money lines, control lines, source records,
  unreadable values, the verdict) as frozen dataclasses, and the row formats of the run's
  differences, changes and rejects;
- :mod:`cutover.results.files`: the run's staged Parquet files, written and read a chunk at a time;
- :mod:`cutover.results.identity`: what names one source item (its file, row and legacy key).

They import nothing of cutover above base, so the controls (``cutover.control``), the
reconciliation (``cutover.reconcile``) and the reports (``cutover.report``) all stand on them.
"""
