"""The metric layer: views and named queries every page, report and export reads."""
