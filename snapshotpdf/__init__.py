"""snapshotpdf: one City Innovation Snapshot PDF per survey respondent.

The package is a pipeline, one module per stage:
read -> normalise -> aggregate -> render -> pdf -> write (run by pipeline.build).
"""

__version__ = "0.1.0"
