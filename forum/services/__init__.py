"""Business rules of the forum core, as plain functions over the session and models."""
