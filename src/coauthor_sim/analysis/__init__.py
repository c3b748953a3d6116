"""Statistics, pictures and reports built from model outcomes (no simulation here)."""
