"""The Streamlit dashboard: pages format, filter and plot what etl.metrics computes."""
