"""Dealer after-sales service quality: read -> validate -> load -> metric views -> reports."""
