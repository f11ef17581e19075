"""Small data shipped with the kit and deterministic generators; nothing is downloaded."""
