"""Mail: the Mailer interface, SMTP delivery and digest templates (digests issue)."""
