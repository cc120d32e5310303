"""The audit log of management and moderation actions: the model, the service that
writes and pages it, and its page in the panel."""
