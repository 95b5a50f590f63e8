"""Cross-insurer policy and claims lookup.

Public surface: ``port`` (LookupQuery, InsurerResult, InsurerAdapter), ``gateway``
(InsurerGateway, build_gateway), ``batch_import`` (daily extracts), ``sim`` (the simulated
insurers for demo and tests). Submodules are imported on use, so importing the package is cheap.
"""
