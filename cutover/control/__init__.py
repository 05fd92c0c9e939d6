"""Independent controls: what the reconciliation holds the target to, read without the mapping's eyes.

The mapping's transforms read money with the one decimal separator a mapping file names; a
control that read through them would lose, on both sides at once, every value they cannot
read. So the controls read the raw source themselves:

- :mod:`cutover.control.readers`: the engine's own tolerant readers of money, decimals and
  billing months, which accept every honest spelling and name what they cannot read;
- :mod:`cutover.control.plan`: which raw columns hold each money measure, the service code and
  the month, taken from the shape of a balance mapping (never from its parsing);
- :mod:`cutover.control.totals`: control totals per raw service code, month and measure, with
  the rows the run rejected or filtered and the values nobody can read;
- :mod:`cutover.control.declared`: the legacy system's own totals (its turnover statement),
  typed into cutover.toml (defined and read in :mod:`cutover.declared`) or read by a query on
  the legacy database;
- :mod:`cutover.control.records`: every physical record of every source accounted for;
- :mod:`cutover.control.falls`: a source or a service that shrank since the last good run.
"""
