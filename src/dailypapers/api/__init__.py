"""The JSON API: Hugging Face-compatible `/api/daily_papers` and `/api/papers/{id}`."""
