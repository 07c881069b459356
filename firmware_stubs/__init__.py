"""Reference firmware for field nodes and vehicles (C sources beside this file),
with register headers generated from the same device profiles the gateway reads."""
