"""Sources: read papers from files and upstream services and yield domain records. Never write."""
